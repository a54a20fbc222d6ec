import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { BillingModule } from '../billing/billing.module';
import { BudgetsModule } from '../budgets/budgets.module';
import { ChannelsModule } from '../channels/channels.module';
import { IngestModule } from '../ingest/ingest.module';
import { ReportsModule } from '../reports/reports.module';
import { AlertClock } from './alert-clock';
import { AlertDispatcher } from './alert-dispatcher.service';
import { AlertEvaluator } from './alert-evaluator.service';
import { AlertRulesService } from './alert-rules.service';
import { AlertSchedule } from './alert-schedule.service';
import { AlertRulesController, AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';
import { BudgetConditions } from './budget-conditions';
import { RuleEvaluators } from './rule-evaluators';
import { AlertTenants } from './tenants';

@Module({
  imports: [ScheduleModule.forRoot(), IngestModule, BudgetsModule, ChannelsModule, ReportsModule, BillingModule],
  controllers: [AlertRulesController, AlertsController],
  providers: [
    { provide: AlertClock, useFactory: () => new AlertClock() },
    AlertRulesService,
    AlertsService,
    AlertDispatcher,
    AlertEvaluator,
    AlertSchedule,
    AlertTenants,
    BudgetConditions,
    RuleEvaluators,
  ],
  exports: [AlertEvaluator, AlertSchedule, AlertClock, AlertsService, AlertTenants],
})
export class AlertsModule {}
