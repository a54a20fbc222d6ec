import type { Collection } from 'mongodb';
import type { ChannelOutcome } from '../../channels/delivery.service';
import { checkAddress } from '../documents';
import { type DigestRun, type DigestRunsRepository, subscriptionOfRun } from '../repositories/digest-runs.repository';
import { digestRunOf, storedDigestRun } from '../stored-digest-run';
import { insertOnce, upsert } from './inserts';

/** A digest run: `_id` JSON [tenant, id], its totals Int64 of nano-USD (null: one no 64-bit integer holds, kept in the body). */
export interface DigestRunDoc {
  _id: string;
  tenant: string;
  subscriptionId: string;
  periodStartMs: number;
  totalNanos: bigint | null;
  previousNanos: bigint | null;
  changeNanos: bigint | null;
  body: string;
}

/** When a run was sent, or the claim to send it again: the first insert of its `_id` (JSON [tenant, id]) wins. */
export interface DigestMarkDoc {
  _id: string;
  tenant: string;
  subscriptionId: string;
  runId: string;
  atMs: number;
}

/** One channel's outcome of a run: `_id` JSON [tenant, run id, channel id], the outcome as JSON. */
export interface DigestDeliveryDoc {
  _id: string;
  tenant: string;
  subscriptionId: string;
  runId: string;
  body: string;
}

const runDocId = (tenant: string, id: string) => {
  checkAddress('digest run', tenant, id);
  return JSON.stringify([tenant, id]);
};
const nanosOf = (amount: bigint | number | null | undefined) => (amount === null || amount === undefined ? null : BigInt(amount));

/** The digest runs and what became of them, in collections of their own, read by tenant and subscription. */
export class MongoDigestRuns implements DigestRunsRepository {
  constructor(
    private readonly runs: Collection<DigestRunDoc>,
    private readonly sent: Collection<DigestMarkDoc>,
    private readonly redeliveries: Collection<DigestMarkDoc>,
    private readonly deliveries: Collection<DigestDeliveryDoc>,
  ) {}

  claim(tenant: string, run: DigestRun): Promise<boolean> {
    const doc: DigestRunDoc = {
      _id: runDocId(tenant, run.id),
      tenant,
      subscriptionId: run.subscriptionId,
      periodStartMs: run.periodStartMs,
      ...storedDigestRun(run),
    };
    // A duplicate _id fails on MongoDB and FerretDB alike, without transactions: one insert wins.
    return insertOnce(this.runs, doc);
  }

  async get(tenant: string, id: string): Promise<DigestRun | null> {
    const found = await this.runs.findOne({ _id: runDocId(tenant, id) });
    return found ? runOf(found) : null;
  }

  async ofSubscription(tenant: string, subscriptionId: string): Promise<DigestRun[]> {
    const docs = await this.runs.find({ tenant, subscriptionId }).sort({ periodStartMs: 1, _id: 1 }).toArray();
    return docs.map(runOf);
  }

  async markSent(tenant: string, id: string, atMs: number): Promise<void> {
    await insertOnce(this.sent, this.mark(tenant, id, atMs));
  }

  async sentAt(tenant: string, id: string): Promise<number | null> {
    const found = await this.sent.findOne({ _id: runDocId(tenant, id) });
    return found ? Number(found.atMs) : null;
  }

  async sentOfSubscription(tenant: string, subscriptionId: string): Promise<Map<string, number>> {
    const docs = await this.sent.find({ tenant, subscriptionId }).sort({ _id: 1 }).toArray();
    return new Map(docs.map((d) => [d.runId, Number(d.atMs)]));
  }

  claimRedelivery(tenant: string, id: string, atMs: number): Promise<boolean> {
    return insertOnce(this.redeliveries, this.mark(tenant, id, atMs));
  }

  async saveDelivery(tenant: string, runId: string, outcome: ChannelOutcome): Promise<void> {
    await upsert(this.deliveries, this.deliveryId(tenant, runId, outcome), this.deliveryOf(tenant, runId, outcome));
  }

  /** Stores the outcome unless the run has one of that channel (written since): what moving an old one does. */
  addDelivery(tenant: string, runId: string, outcome: ChannelOutcome): Promise<boolean> {
    return insertOnce(this.deliveries, { _id: this.deliveryId(tenant, runId, outcome), ...this.deliveryOf(tenant, runId, outcome) });
  }

  async deliveriesOfSubscription(tenant: string, subscriptionId: string): Promise<Map<string, ChannelOutcome[]>> {
    const byRun = new Map<string, ChannelOutcome[]>();
    for (const d of await this.deliveries.find({ tenant, subscriptionId }).sort({ _id: 1 }).toArray()) {
      byRun.set(d.runId, [...(byRun.get(d.runId) ?? []), JSON.parse(d.body) as ChannelOutcome]);
    }
    return byRun;
  }

  private mark(tenant: string, runId: string, atMs: number): DigestMarkDoc {
    return { _id: runDocId(tenant, runId), tenant, subscriptionId: subscriptionOfRun(runId), runId, atMs };
  }

  private deliveryId(tenant: string, runId: string, outcome: ChannelOutcome): string {
    checkAddress('digest run', tenant, runId);
    return JSON.stringify([tenant, runId, outcome.channelId]);
  }

  private deliveryOf(tenant: string, runId: string, outcome: ChannelOutcome): Omit<DigestDeliveryDoc, '_id'> {
    return { tenant, subscriptionId: subscriptionOfRun(runId), runId, body: JSON.stringify(outcome) };
  }
}

const runOf = (doc: DigestRunDoc) =>
  digestRunOf({ totalNanos: nanosOf(doc.totalNanos), previousNanos: nanosOf(doc.previousNanos), changeNanos: nanosOf(doc.changeNanos), body: doc.body });
