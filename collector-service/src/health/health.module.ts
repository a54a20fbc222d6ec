import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module';
import { PricingModule } from '../pricing/pricing.module';
import { HealthController } from './health.controller';

@Module({ imports: [PricingModule, BillingModule], controllers: [HealthController] })
export class HealthModule {}
