import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AlertClock } from '../alerts/alert-clock';
import { REDELIVER_AFTER_MS } from '../alerts/alert-evaluator.service';
import { CONFIG, type CollectorConfig } from '../config/config';
import { type DigestRunsRepository, digestRunId } from '../storage/repositories/digest-runs.repository';
import type { DigestSubscriptionsRepository } from '../storage/repositories/repositories';
import { DIGEST_RUNS, DIGEST_SUBSCRIPTIONS } from '../storage/storage.tokens';
import { DigestDispatcher } from './digest-dispatcher.service';
import { latestDuePeriod } from './digest-period';
import type { DigestSubscription } from './digest-subscription';

const INTERVAL_NAME = 'tokenledger-digests';

export interface DigestRunSummary {
  sent: number;
  redelivered: number;
  failed: number;
}

/**
 * On the alert interval, sends every subscription's latest due digest that no instance has sent: the
 * period just closed once its hour has come, or, after downtime, the latest period that closed while
 * the service was down (sent late, once). Periods before that one are not sent: the digest is about
 * the latest closed period, and the reports answer for any older one.
 */
@Injectable()
export class DigestSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Digests');
  private running: Promise<DigestRunSummary> | null = null;
  /** The last run each subscription has seen sent, so a sent period costs no store read. */
  private readonly sent = new Map<string, string>();

  constructor(
    @Inject(CONFIG) private readonly config: CollectorConfig,
    private readonly registry: SchedulerRegistry,
    @Inject(DIGEST_SUBSCRIPTIONS) private readonly subscriptions: DigestSubscriptionsRepository,
    @Inject(DIGEST_RUNS) private readonly runs: DigestRunsRepository,
    private readonly dispatcher: DigestDispatcher,
    private readonly clock: AlertClock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.alertIntervalSeconds === 0) return;
    const timer = setInterval(() => void this.runDue(), this.config.alertIntervalSeconds * 1000);
    timer.unref();
    this.registry.addInterval(INTERVAL_NAME, timer);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
    await this.running;
  }

  /** One pass over every tenant's subscriptions; a pass already going is awaited rather than doubled. */
  runDue(nowMs = this.clock.now()): Promise<DigestRunSummary> {
    this.running ??= this.pass(nowMs).finally(() => (this.running = null));
    return this.running;
  }

  private async pass(nowMs: number): Promise<DigestRunSummary> {
    const summary: DigestRunSummary = { sent: 0, redelivered: 0, failed: 0 };
    for (const { tenant, entity } of await this.subscriptions.listAll()) {
      try {
        await this.runOne(tenant, entity, nowMs, summary);
      } catch (err) {
        summary.failed++;
        this.logger.error(`digest ${entity.id} of tenant ${tenant} could not be sent: ${(err as Error).message}`);
      }
    }
    return summary;
  }

  private async runOne(tenant: string, s: DigestSubscription, nowMs: number, summary: DigestRunSummary): Promise<void> {
    if (!s.enabled) return;
    const period = latestDuePeriod(s, nowMs);
    // A subscription made after this period's digest was due starts with the next one.
    if (period.dueMs < s.createdAtMs) return;
    const id = digestRunId(s.id, period.startMs);
    if (this.sent.get(`${tenant}\n${s.id}`) === id) return;
    const run = await this.runs.get(tenant, id);
    if (!run) {
      if (await this.dispatcher.send(tenant, s, period, nowMs)) summary.sent++;
      return;
    }
    if ((await this.runs.sentAt(tenant, id)) !== null) {
      this.sent.set(`${tenant}\n${s.id}`, id);
      return;
    }
    if (run.claimedAtMs < nowMs - REDELIVER_AFTER_MS && (await this.dispatcher.redeliver(tenant, run, nowMs))) summary.redelivered++;
  }
}
