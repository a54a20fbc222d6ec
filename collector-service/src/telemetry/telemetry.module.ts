import { Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module';
import { BillSyncService } from '../billing/bill-sync.service';
import { BudgetsModule } from '../budgets/budgets.module';
import { BudgetsService } from '../budgets/budgets.service';
import { IngestEvents } from '../ingest/ingest-events';
import { IngestModule } from '../ingest/ingest.module';
import { IngestRejections } from '../ingest/ingest-rejections';
import { observeBudgets } from './budget-gauges';
import { CollectorMetrics } from './collector-metrics';
import { meterIngest } from './ingest-metering';
import { MetricsController } from './metrics.controller';
import { loadTelemetryConfig } from './telemetry-config';

/** The collector's own OpenTelemetry metrics, served for Prometheus at GET /metrics on the service's port. */
@Module({
  imports: [IngestModule, BudgetsModule, BillingModule],
  controllers: [MetricsController],
  providers: [{ provide: CollectorMetrics, useFactory: () => new CollectorMetrics(loadTelemetryConfig()) }],
  exports: [CollectorMetrics],
})
export class TelemetryModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly unsubscribes: (() => void)[] = [];

  constructor(
    private readonly metrics: CollectorMetrics,
    private readonly events: IngestEvents,
    private readonly rejections: IngestRejections,
    private readonly budgets: BudgetsService,
    private readonly bills: BillSyncService,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribes.push(meterIngest(this.events, this.rejections, this.metrics));
    this.unsubscribes.push(this.bills.onSync((provider, ok) => this.metrics.recordBillSync(provider, ok)));
    observeBudgets(this.metrics.meter, this.budgets, this.metrics.config.showsTenant);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    await this.metrics.shutdown();
  }
}
