import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CONFIG, type CollectorConfig } from '../config/config';
import { AlertEvaluator } from './alert-evaluator.service';
import { BudgetConditions } from './budget-conditions';
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
  private pendingTenants = new Set<string | null>();
  private stopped = false;

  constructor(
    @Inject(CONFIG) private readonly config: CollectorConfig,
    private readonly registry: SchedulerRegistry,
    private readonly evaluator: AlertEvaluator,
    private readonly budgets: BudgetConditions,
    private readonly tenants: AlertTenants,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.alertIntervalSeconds === 0) return;
    const timer = setInterval(() => void this.runAll(), this.config.alertIntervalSeconds * 1000);
    timer.unref();
    this.registry.addInterval(INTERVAL_NAME, timer);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
    await Promise.allSettled([this.running, this.afterIngest]);
  }

  /** One scheduled run of every rule; skipped while the previous one still runs. */
  async runAll(nowMs = Date.now()): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = this.evaluator
      .evaluate(nowMs)
      .catch((err: Error) => this.logger.error(`alert evaluation failed: ${err.message}`))
      .finally(() => (this.running = null));
    await this.running;
  }

  /** After an acknowledged ingest: the tenant (null: an all-tenant key, so every tenant with budgets). */
  ingested(tenant: string | null): void {
    if (this.stopped) return;
    if (tenant !== null) void this.tenants.remember(tenant).catch(() => undefined);
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
        const tenants = pending.includes(null) ? await this.budgets.tenants() : (pending as string[]);
        await this.evaluator.evaluate(Date.now(), { types: ['budget_threshold'], tenants });
      } catch (err) {
        this.logger.error(`budget alert evaluation after ingest failed: ${(err as Error).message}`);
      }
    }
  }
}
