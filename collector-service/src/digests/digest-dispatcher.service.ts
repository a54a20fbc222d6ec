import { Inject, Injectable } from '@nestjs/common';
import type { Channel } from '../channels/channel';
import { ChannelsService } from '../channels/channels.service';
import { DeliveryService } from '../channels/delivery.service';
import { type DigestRun, type DigestRunsRepository, digestRunId } from '../storage/repositories/digest-runs.repository';
import { DIGEST_RUNS } from '../storage/storage.tokens';
import { DigestComposer } from './digest-composer';
import type { DigestPeriod } from './digest-period';
import type { DigestSubscription } from './digest-subscription';

/** The channel types a digest goes to (Alertmanager takes alerts only). */
export const DIGEST_CHANNEL_TYPES = ['webhook', 'slack', 'email'] as const satisfies readonly Channel['type'][];
const takesDigests = (c: Channel) => (DIGEST_CHANNEL_TYPES as readonly string[]).includes(c.type);

/**
 * Sends each period's digest exactly once across every collector instance sharing the store: the
 * instance whose claim of the run's id wins is the one that delivers; every other one does nothing.
 */
@Injectable()
export class DigestDispatcher {
  constructor(
    @Inject(DIGEST_RUNS) private readonly runs: DigestRunsRepository,
    private readonly channels: ChannelsService,
    private readonly delivery: DeliveryService,
    private readonly composer: DigestComposer,
  ) {}

  /** Makes and sends the period's digest; false when it had been claimed already (here or in another instance). */
  async send(tenant: string, s: DigestSubscription, period: Pick<DigestPeriod, 'startMs' | 'endMs'>, nowMs: number): Promise<boolean> {
    const id = digestRunId(s.id, period.startMs);
    const digest = await this.composer.compose(tenant, id, s, period, nowMs);
    const targets = (await this.channels.resolve(tenant, s.channels)).filter(takesDigests);
    const run: DigestRun = {
      id,
      subscriptionId: s.id,
      periodStartMs: period.startMs,
      periodEndMs: period.endMs,
      claimedAtMs: nowMs,
      channels: targets.map((c) => c.id),
      digest,
    };
    if (!(await this.runs.claim(tenant, run))) return false;
    await this.deliverAll(tenant, run, targets, nowMs);
    return true;
  }

  /**
   * A run claimed but never marked sent (its instance stopped before its deliveries ended): one
   * instance, the one whose claim wins, delivers the same digest once more to the same channels.
   */
  async redeliver(tenant: string, run: DigestRun, nowMs: number): Promise<boolean> {
    if (!(await this.runs.claimRedelivery(tenant, run.id, nowMs))) return false;
    const targets = (await this.channels.list(tenant)).filter((c) => run.channels.includes(c.id));
    await this.deliverAll(tenant, run, targets, nowMs);
    return true;
  }

  /** Every channel in parallel; each outcome, failures included, is recorded on the run. */
  private async deliverAll(tenant: string, run: DigestRun, targets: Channel[], nowMs: number): Promise<void> {
    await Promise.all(
      targets.map(async (channel) => {
        await this.runs.saveDelivery(tenant, run.id, await this.delivery.deliverDigest(channel, run.digest));
      }),
    );
    await this.runs.markSent(tenant, run.id, nowMs);
  }
}
