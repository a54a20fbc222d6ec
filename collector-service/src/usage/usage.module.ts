import { Module } from '@nestjs/common';
import { PricingModule } from '../pricing/pricing.module';
import { UsageService } from './usage.service';

@Module({ imports: [PricingModule], providers: [UsageService], exports: [UsageService] })
export class UsageModule {}
