import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { BudgetsModule } from '../budgets/budgets.module';
import { ReportsModule } from '../reports/reports.module';
import { AdminCostsController } from './admin-costs.controller';
import { CostMonitoringController } from './cost-monitoring.controller';
import { CostTrackingController } from './cost-tracking.controller';
import { SeedBudgetService } from './seed-budget.service';
import { SeedViewsService } from './seed-views.service';

/**
 * The HTTP APIs the seed systems' apps and dashboards already call, thin over the same report
 * services, so those apps move over without a rewrite. Same API keys and tenants as everything else.
 */
@Module({
  imports: [ReportsModule, BudgetsModule, AlertsModule],
  controllers: [AdminCostsController, CostTrackingController, CostMonitoringController],
  providers: [SeedViewsService, SeedBudgetService],
})
export class CompatModule {}
