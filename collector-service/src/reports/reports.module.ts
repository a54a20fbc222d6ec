import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';
import { TrendsService } from './trends.service';

@Module({ controllers: [ReportsController], providers: [ReportsService, TrendsService], exports: [ReportsService, TrendsService] })
export class ReportsModule {}
