import { Module } from '@nestjs/common';
import { PricingService } from './pricing.service';
import { RepriceController } from './reprice.controller';

@Module({ controllers: [RepriceController], providers: [PricingService], exports: [PricingService] })
export class PricingModule {}
