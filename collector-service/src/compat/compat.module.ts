import { Module } from '@nestjs/common';
import { ReportsModule } from '../reports/reports.module';
import { AdminCostsController } from './admin-costs.controller';
import { CostMonitoringController } from './cost-monitoring.controller';
import { CostTrackingController } from './cost-tracking.controller';
import { SeedViewsService } from './seed-views.service';

/**
 * The HTTP APIs the seed systems' apps and dashboards already call, thin over the same report
 * services, so those apps move over without a rewrite. Same API keys and tenants as everything else.
 */
@Module({
  imports: [ReportsModule],
  controllers: [AdminCostsController, CostTrackingController, CostMonitoringController],
  providers: [SeedViewsService],
})
export class CompatModule {}
