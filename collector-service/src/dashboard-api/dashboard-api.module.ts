import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { PricingModule } from '../pricing/pricing.module';
import { DashboardController } from './dashboard.controller';
import { ModelsController } from './models.controller';
import { ModelsService } from './models.service';
import { UiConfigController } from './ui-config.controller';
import { UiConfigService } from './ui-config.service';

/** The web dashboard at /dashboard and the two small read-only endpoints it needs beyond the reports. */
@Module({
  imports: [AuthModule, PricingModule],
  controllers: [DashboardController, UiConfigController, ModelsController],
  providers: [UiConfigService, ModelsService],
})
export class DashboardApiModule {}
