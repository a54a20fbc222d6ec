import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CONFIG, type CollectorConfig } from '../config/config';
import { IngestEvents } from '../ingest/ingest-events';
import { AlertClock } from './alert-clock';
import { AlertEvaluator } from './alert-evaluator.service';
import { AlertTenants } from './tenants';

const INTERVAL_NAME = 'tokenledger-alert-rules';

/**
 * Runs every rule on TOKENLEDGER_ALERT_INTERVAL_SECONDS (one run at a time), and budget thresholds
 * right after ingest: ingests that arrive while a run is going are folded into one more run after it.
 */
@Injectable()
export class AlertSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Alerts');
  private running: Promise<unknown> | null = null;
  private afterIngest: Promise<void> | null = null;
  private pendingTenants = new Set<string>();
  private stopped = false;
  private unsubscribe: (() => void) | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: CollectorConfig,
    private readonly registry: SchedulerRegistry,
    private readonly evaluator: AlertEvaluator,
    private readonly tenants: AlertTenants,
    private readonly ingest: IngestEvents,
    private readonly clock: AlertClock,
  ) {}

  onApplicationBootstrap(): void {
    // Newly stored records only: a retried batch stores nothing and triggers nothing.
    this.unsubscribe = this.ingest.onStored((batch) => {
      for (const tenant of new Set(batch.lines.map((line) => line.tenant))) this.ingested(tenant);
    });
    if (this.config.alertIntervalSeconds === 0) return;
    const timer = setInterval(() => void this.runAll(), this.config.alertIntervalSeconds * 1000);
    timer.unref();
    this.registry.addInterval(INTERVAL_NAME, timer);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
    await Promise.allSettled([this.running, this.afterIngest]);
  }

  /** One scheduled run of every rule; skipped while the previous one still runs. */
  async runAll(nowMs = this.clock.now()): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = this.evaluator
      .evaluate(nowMs)
      .catch((err: Error) => this.logger.error(`alert evaluation failed: ${err.message}`))
      .finally(() => (this.running = null));
    await this.running;
  }

  /** Records of `tenant` were stored: remember the tenant, and evaluate its budget thresholds soon. */
  ingested(tenant: string): void {
    if (this.stopped) return;
    void this.tenants.remember(tenant).catch(() => undefined);
    this.pendingTenants.add(tenant);
    if (!this.afterIngest) this.afterIngest = this.drainIngests().finally(() => (this.afterIngest = null));
  }

  /** Resolves when the budget evaluations triggered by ingests so far have run. */
  async settled(): Promise<void> {
    while (this.afterIngest) await this.afterIngest;
  }

  private async drainIngests(): Promise<void> {
    while (this.pendingTenants.size > 0 && !this.stopped) {
      const pending = [...this.pendingTenants];
      this.pendingTenants.clear();
      try {
        await this.evaluator.evaluate(this.clock.now(), { types: ['budget_threshold'], tenants: pending });
      } catch (err) {
        this.logger.error(`budget alert evaluation after ingest failed: ${(err as Error).message}`);
      }
    }
  }
}
