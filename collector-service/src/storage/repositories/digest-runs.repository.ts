import type { ChannelOutcome } from '../../channels/delivery.service';
import type { Digest } from '../../channels/digest-message';
import type { DocumentBody, DocumentStore } from '../storage.port';

/** Document kinds: the run is written once (insertOnce); when it was sent and how each channel took it live beside it. */
const RUN_KIND = 'digest-run';
const SENT_KIND = 'digest-sent';
const REDELIVERY_KIND = 'digest-redelivery';
const DELIVERY_KIND = 'digest-delivery';

/** One period's digest of one subscription: claimed by the instance that sends it, with what it says. */
export interface DigestRun {
  /** `<subscription id>.<period start ms>`: every instance derives the same id for the same period. */
  id: string;
  subscriptionId: string;
  periodStartMs: number;
  periodEndMs: number;
  claimedAtMs: number;
  /** The channels chosen when it was claimed; a redelivery goes to the same ones. */
  channels: string[];
  digest: Digest;
}

export const digestRunId = (subscriptionId: string, periodStartMs: number) => `${subscriptionId}.${periodStartMs}`;

/** The digests sent, once each per subscription and period across every instance sharing the store. */
export interface DigestRunsRepository {
  /** Stores the run; false when a run of that id was claimed before (here or in another instance). */
  claim(tenant: string, run: DigestRun): Promise<boolean>;
  get(tenant: string, id: string): Promise<DigestRun | null>;
  /** A subscription's runs, oldest period first. */
  ofSubscription(tenant: string, subscriptionId: string): Promise<DigestRun[]>;
  /** Marks every channel's delivery of the run as ended. */
  markSent(tenant: string, id: string, atMs: number): Promise<void>;
  sentAt(tenant: string, id: string): Promise<number | null>;
  /** When each run of a subscription was sent, by run id. */
  sentOfSubscription(tenant: string, subscriptionId: string): Promise<Map<string, number>>;
  /** The one claim to deliver an abandoned run again: true for exactly one caller. */
  claimRedelivery(tenant: string, id: string, atMs: number): Promise<boolean>;
  /** One outcome per run and channel (a redelivery's replaces the first). */
  saveDelivery(tenant: string, runId: string, outcome: ChannelOutcome): Promise<void>;
  /** The deliveries of a subscription's runs, by run id. */
  deliveriesOfSubscription(tenant: string, subscriptionId: string): Promise<Map<string, ChannelOutcome[]>>;
}

type Stored<T> = T & DocumentBody;

export class DocumentDigestRuns implements DigestRunsRepository {
  constructor(private readonly documents: DocumentStore) {}

  claim(tenant: string, run: DigestRun): Promise<boolean> {
    return this.documents.insertOnce(RUN_KIND, tenant, run.id, { ...run });
  }

  get(tenant: string, id: string): Promise<DigestRun | null> {
    return this.documents.getDocument<Stored<DigestRun>>(RUN_KIND, tenant, id);
  }

  async ofSubscription(tenant: string, subscriptionId: string): Promise<DigestRun[]> {
    const runs = await this.documents.listDocumentsByPrefix<Stored<DigestRun>>(RUN_KIND, tenant, `${subscriptionId}.`);
    return runs.map((e) => e.doc).sort((a, b) => a.periodStartMs - b.periodStartMs);
  }

  async markSent(tenant: string, id: string, atMs: number): Promise<void> {
    await this.documents.insertOnce(SENT_KIND, tenant, id, { atMs });
  }

  async sentAt(tenant: string, id: string): Promise<number | null> {
    return (await this.documents.getDocument<Stored<{ atMs: number }>>(SENT_KIND, tenant, id))?.atMs ?? null;
  }

  async sentOfSubscription(tenant: string, subscriptionId: string): Promise<Map<string, number>> {
    const sent = await this.documents.listDocumentsByPrefix<Stored<{ atMs: number }>>(SENT_KIND, tenant, `${subscriptionId}.`);
    return new Map(sent.map((e) => [e.id, e.doc.atMs]));
  }

  claimRedelivery(tenant: string, id: string, atMs: number): Promise<boolean> {
    return this.documents.insertOnce(REDELIVERY_KIND, tenant, id, { atMs });
  }

  saveDelivery(tenant: string, runId: string, outcome: ChannelOutcome): Promise<void> {
    return this.documents.putDocument(DELIVERY_KIND, tenant, `${runId}.${outcome.channelId}`, { runId, ...outcome });
  }

  async deliveriesOfSubscription(tenant: string, subscriptionId: string): Promise<Map<string, ChannelOutcome[]>> {
    const entries = await this.documents.listDocumentsByPrefix<Stored<ChannelOutcome & { runId: string }>>(DELIVERY_KIND, tenant, `${subscriptionId}.`);
    const byRun = new Map<string, ChannelOutcome[]>();
    for (const { doc } of entries) {
      const { runId, ...outcome } = doc;
      byRun.set(runId, [...(byRun.get(runId) ?? []), outcome]);
    }
    return byRun;
  }
}
