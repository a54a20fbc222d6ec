import { randomBytes } from 'node:crypto';
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { AlertClock } from '../alerts/alert-clock';
import { ChannelsService } from '../channels/channels.service';
import { deliveryView } from '../channels/delivery.dto';
import type { DigestRunsRepository } from '../storage/repositories/digest-runs.repository';
import { digestRunId } from '../storage/repositories/digest-runs.repository';
import type { DigestSubscriptionsRepository } from '../storage/repositories/repositories';
import { DIGEST_RUNS, DIGEST_SUBSCRIPTIONS } from '../storage/storage.tokens';
import { DigestComposer } from './digest-composer';
import { DIGEST_CHANNEL_TYPES } from './digest-dispatcher.service';
import { latestDuePeriod } from './digest-period';
import { type DigestSubscription, patchSubscription, subscriptionFromBody, subscriptionView } from './digest-subscription';
import type { CreateDigestDto, UpdateDigestDto } from './digest.dto';

const iso = (ms: number) => new Date(ms).toISOString();

/** A tenant's digest subscriptions, and what each has sent. */
@Injectable()
export class DigestsService {
  constructor(
    @Inject(DIGEST_SUBSCRIPTIONS) private readonly repository: DigestSubscriptionsRepository,
    @Inject(DIGEST_RUNS) private readonly runs: DigestRunsRepository,
    private readonly channels: ChannelsService,
    private readonly composer: DigestComposer,
    private readonly clock: AlertClock,
  ) {}

  async create(tenant: string, input: CreateDigestDto) {
    const subscription = subscriptionFromBody(`dg_${randomBytes(8).toString('hex')}`, input, this.clock.now());
    await this.channels.checkNamed(tenant, subscription.channels, DIGEST_CHANNEL_TYPES);
    await this.repository.save(tenant, subscription);
    return subscriptionView(subscription);
  }

  async list(tenant: string) {
    const all = await this.repository.list(tenant);
    return all.sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id)).map(subscriptionView);
  }

  async get(tenant: string, id: string) {
    return subscriptionView(await this.find(tenant, id));
  }

  async update(tenant: string, id: string, input: UpdateDigestDto) {
    const current = await this.find(tenant, id);
    const subscription = patchSubscription(current, input, this.clock.now());
    if (input.channels !== undefined) await this.channels.checkNamed(tenant, subscription.channels, DIGEST_CHANNEL_TYPES);
    await this.repository.save(tenant, subscription);
    return subscriptionView(subscription);
  }

  async remove(tenant: string, id: string): Promise<void> {
    if (!(await this.repository.remove(tenant, id))) throw notFound(id);
  }

  /** The digests a subscription sent, newest period first, each with what it said and how each channel took it. */
  async sent(tenant: string, id: string) {
    await this.find(tenant, id);
    const [runs, sent, deliveries] = await Promise.all([
      this.runs.ofSubscription(tenant, id),
      this.runs.sentOfSubscription(tenant, id),
      this.runs.deliveriesOfSubscription(tenant, id),
    ]);
    return {
      digests: runs.reverse().map((run) => ({
        id: run.id,
        periodStart: run.digest.periodStart,
        periodEnd: run.digest.periodEnd,
        claimedAt: iso(run.claimedAtMs),
        sentAt: sent.has(run.id) ? iso(sent.get(run.id)!) : null,
        deliveries: (deliveries.get(run.id) ?? []).sort((a, b) => a.atMs - b.atMs).map(deliveryView),
        digest: run.digest,
      })),
    };
  }

  /** The digest of the latest due period as it reads now, without sending it. */
  async preview(tenant: string, id: string) {
    const subscription = await this.find(tenant, id);
    const now = this.clock.now();
    const period = latestDuePeriod(subscription, now);
    return this.composer.compose(tenant, digestRunId(id, period.startMs), subscription, period, now);
  }

  private async find(tenant: string, id: string): Promise<DigestSubscription> {
    const subscription = await this.repository.get(tenant, id);
    if (!subscription) throw notFound(id);
    return subscription;
  }
}

const notFound = (id: string) => new NotFoundException(`no digest with id "${id}" in this tenant`);
