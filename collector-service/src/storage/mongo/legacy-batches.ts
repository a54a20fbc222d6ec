import type { Binary, Collection } from 'mongodb';
import type { UsageRecord } from '../../usage/usage-record';
import { decodeRecord } from '../record-codec';
import { type BucketDeltaDoc, bucketDeltasOf, type GroupDeltaDoc, groupDeltasOf } from './deltas';
import { insertIgnoringDuplicates } from './inserts';
import { ownersOf, type RecordDoc, toRecordDoc, unpackRecords } from './record-docs';

/** Older versions' claim of a record by a batch (one per record, ever); read only to finish their open batches. */
export interface ClaimDoc {
  _id: string;
  batch: string;
}

/**
 * A batch document as older versions wrote it: no `tenant`, and a state saying which delta shape
 * rolls it up (`pending`: one delta document per tenant and bucket; `open`: one per group; `done`:
 * rolled up, never read again); without `records`, the oldest shape lists its record ids.
 */
export interface LegacyBatchDoc {
  _id: string;
  state: 'pending' | 'open' | 'done';
  records?: Binary;
  ids?: string[];
  createdAtMs: number;
}

/**
 * Finishes the batches older versions left open, as those versions would (their delta documents in
 * `rollup_deltas`, with the ids they would give them), so a batch finished twice, by either version,
 * counts once. Compaction later moves those deltas into the compacted rollups (see Compactor).
 */
export class LegacyBatches {
  constructor(
    private readonly records: Collection<RecordDoc>,
    private readonly batches: Collection<LegacyBatchDoc>,
    private readonly deltas: Collection<BucketDeltaDoc | GroupDeltaDoc>,
    private readonly claims: Collection<ClaimDoc>,
  ) {}

  /** Open batches of older versions (to finish, or to know compaction must wait for them). */
  open(): Promise<LegacyBatchDoc[]> {
    return this.batches.find({ state: { $in: ['pending', 'open'] }, tenant: { $exists: false } } as never).toArray();
  }

  /** Their batch documents stay after they are done; nothing reads them again. */
  async dropDone(): Promise<void> {
    await this.batches.deleteMany({ state: 'done' });
  }

  async finish(doc: LegacyBatchDoc): Promise<void> {
    if (!doc.records) return this.finishClaimed(doc._id, doc.ids ?? []);
    const records = unpackRecords(doc.records);
    const docs = records.map((r) => toRecordDoc(r, doc._id));
    const duplicates = await insertIgnoringDuplicates(this.records, docs);
    const owned = new Set(docs.filter((d) => !duplicates.has(d._id)).map((d) => d._id));
    for (const [id, owner] of await ownersOf(this.records, [...duplicates])) if (owner === doc._id) owned.add(id);
    const mine = records.filter((r) => owned.has(r.id));
    const deltas = doc.state === 'pending' ? bucketDeltasOf(doc._id, mine) : groupDeltasOf(doc._id, mine);
    if (deltas.length > 0) await insertIgnoringDuplicates(this.deltas, deltas);
    await this.batches.deleteOne({ _id: doc._id });
  }

  /** Whether a batch holds any of these records (so it may own them). */
  static holdsAny(doc: LegacyBatchDoc, ids: ReadonlySet<string>): boolean {
    return doc.records ? unpackRecords(doc.records).some((r) => ids.has(r.id)) : (doc.ids ?? []).some((id) => ids.has(id));
  }

  /**
   * The oldest shape: claims its stored records in `rollup_claims` (the first claim wins) and rolls
   * up those it claimed. Records stored since by batches of later versions name their batch and are
   * not claimed.
   */
  private async finishClaimed(batch: string, ids: string[]): Promise<void> {
    const stored = (await this.records.find({ _id: { $in: ids }, batch: { $exists: false } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
    if (stored.length > 0) await insertIgnoringDuplicates(this.claims, stored.map((id) => ({ _id: id, batch })));
    const claimed = (await this.claims.find({ batch }).toArray()).map((c) => c._id);
    const records: UsageRecord[] = claimed.length === 0 ? [] : (await this.records.find({ _id: { $in: claimed } }).toArray()).map((d) => decodeRecord(d.doc));
    const deltas = groupDeltasOf(batch, records);
    if (deltas.length > 0) await insertIgnoringDuplicates(this.deltas, deltas);
    await this.batches.deleteOne({ _id: batch });
  }
}
