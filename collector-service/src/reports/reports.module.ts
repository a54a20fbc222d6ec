import { Module } from '@nestjs/common';
import { PricingModule } from '../pricing/pricing.module';
import { CallController } from './call.controller';
import { OverviewController } from './overview.controller';
import { OverviewService } from './overview.service';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';
import { TrendsService } from './trends.service';

@Module({
  imports: [PricingModule],
  controllers: [ReportsController, OverviewController, CallController],
  providers: [ReportsService, TrendsService, OverviewService],
  exports: [ReportsService, TrendsService],
})
export class ReportsModule {}
