import { randomUUID } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Binary, type Collection, MongoBulkWriteError, MongoServerError } from 'mongodb';
import type { UsageRecord } from '../../usage/usage-record';
import { decodeRecord, encodeRecord } from '../record-codec';
import type { IngestOutcome } from '../storage.port';
import { type BucketDeltaDoc, bucketDeltasOf, type GroupDeltaDoc, groupDeltasOf } from './deltas';

export interface RecordDoc {
  _id: string;
  /**
   * The batch whose insert stored the record first: the one batch that rolls it up. Absent on records
   * stored before records named their batch (those were claimed in `rollup_claims`).
   */
  batch?: string;
  tenant: string;
  timeMs: number;
  provider: string;
  model: string;
  costType: string;
  user: string | null;
  agent: string | null;
  feature: string | null;
  service: string;
  status: string;
  doc: string;
}

/**
 * A batch being stored; deleted once its deltas are written. Its state says which delta shape rolls it
 * up, so every process finishing it writes the same documents, whatever its version:
 * - `pending`: bucket deltas (this version). Older versions finish only `open` batches, so they never
 *   add group deltas for a batch that has bucket deltas (that would count it twice);
 * - `open`: group deltas, as the older version that opened it does;
 * - `done`: left by older versions after rolling up; nothing reads it again.
 */
export interface BatchDoc {
  _id: string;
  state: 'pending' | 'open' | 'done';
  /**
   * The batch's records, written before any of them so any process can finish the batch: a JSON array
   * of their record-codec texts, deflated (FerretDB's cost for a document grows with its size).
   */
  records?: Binary;
  /** Batches of older versions (no `records`): the record ids, rolled up through `rollup_claims`. */
  ids?: string[];
  createdAtMs: number;
}

/** Older versions' claim of a record by a batch (one per record, ever); read only to finish their open batches. */
export interface ClaimDoc {
  _id: string;
  batch: string;
}

/** Test-only fault injection: throw after a step, to prove a retry after a crash ends exact. */
export interface MongoFaults {
  afterOpen?: boolean;
  afterInsert?: boolean;
  afterClaim?: boolean;
  afterDeltas?: boolean;
}

export const DUPLICATE_KEY = 11000;

/**
 * Stores batches of records and rolls every record up exactly once, relying only on duplicate `_id`s
 * failing (no transactions, no atomic updates: FerretDB v1 has neither):
 *
 * 1. the batch document is inserted, holding the batch's records;
 * 2. the records are inserted with `_id` = trace id + span id and `batch` = this batch. An insert that
 *    succeeds makes the batch the record's owner, for good; a duplicate keeps its first owner, read
 *    from the stored record (the record is the claim);
 * 3. the deltas of the records the batch owns are inserted, one document per (tenant, bucket) holding
 *    its groups, with `_id` = batch + tenant + bucket (again = no-op);
 * 4. the batch document is deleted.
 *
 * Any process may finish an open batch, from its document, at any time, as often as it likes, while
 * its writer is alive or after it died: it inserts all the batch's records first, so when it reads
 * owners every record of the batch is stored and its owner settled, and every process computes the
 * same owned set and the same deltas. A request is acknowledged once its batch is finished and so are
 * the open batches that own its duplicates; start-up finishes batches a crash left open.
 *
 * On the normal path that is four writes and no reads; reads happen only for duplicates. The batch
 * collection holds only open batches, so reading it (at start-up, or for a duplicate's owner) is cheap.
 */
export class RollupBatches {
  constructor(
    private readonly records: Collection<RecordDoc>,
    private readonly batches: Collection<BatchDoc>,
    private readonly bucketDeltas: Collection<BucketDeltaDoc>,
    /** The same collection as bucketDeltas, for the group deltas of batches older versions opened. */
    private readonly groupDeltas: Collection<GroupDeltaDoc>,
    private readonly claims: Collection<ClaimDoc>,
    private readonly faults: MongoFaults = {},
  ) {}

  async ingest(records: UsageRecord[]): Promise<IngestOutcome> {
    if (records.length === 0) return { stored: [], duplicates: 0 };
    const unique = [...new Map(records.map((r) => [r.id, r])).values()];
    const batch = randomUUID();
    const docs = unique.map((r) => toDoc(r, batch));
    await this.batches.insertOne({ _id: batch, state: 'pending', records: packRecords(docs), createdAtMs: Date.now() });
    this.fault('afterOpen');
    const { owned, otherOwners } = await this.finish(batch, 'pending', docs, unique);
    await this.finishOpen(otherOwners);
    return { stored: unique.filter((r) => owned.has(r.id)), duplicates: records.length - owned.size };
  }

  /** Finishes the open batches among `batchIds`, or every open batch (at start-up). */
  async finishOpen(batchIds?: Set<string>): Promise<void> {
    if (batchIds?.size === 0) return;
    const unfinished = { $in: ['pending', 'open'] as BatchDoc['state'][] };
    const open = await this.batches.find(batchIds ? { _id: { $in: [...batchIds] }, state: unfinished } : { state: unfinished }).toArray();
    for (const b of open) {
      if (!b.records) {
        await this.finishOlderVersionBatch(b._id, b.ids ?? []);
        continue;
      }
      const records = unpackRecords(b.records);
      await this.finish(b._id, b.state, records.map((r) => toDoc(r, b._id)), records);
    }
  }

  /** Batch documents of older versions stay after they are done; nothing reads them again. */
  async dropDoneBatches(): Promise<void> {
    await this.batches.deleteMany({ state: 'done' });
  }

  /** Steps 2–4 for one batch; see the class comment for why any process computes the same. */
  private async finish(batch: string, state: BatchDoc['state'], docs: RecordDoc[], records: UsageRecord[]): Promise<{ owned: Set<string>; otherOwners: Set<string> }> {
    const duplicates = await insertIgnoringDuplicates(this.records, docs);
    this.fault('afterInsert');
    const owned = new Set(docs.filter((d) => !duplicates.has(d._id)).map((d) => d._id));
    const otherOwners = new Set<string>();
    for (const [id, owner] of await this.ownersOf([...duplicates])) {
      if (owner === batch) owned.add(id);
      else if (owner !== undefined) otherOwners.add(owner);
    }
    this.fault('afterClaim');
    const ownedRecords = records.filter((r) => owned.has(r.id));
    if (state === 'pending') await insertDeltas(this.bucketDeltas, bucketDeltasOf(batch, ownedRecords));
    else await insertDeltas(this.groupDeltas, groupDeltasOf(batch, ownedRecords));
    this.fault('afterDeltas');
    await this.batches.deleteOne({ _id: batch });
    return { owned, otherOwners };
  }

  /**
   * The owning batch of each stored record. One lookup per id, not `$in`: FerretDB v1 answers `_id`
   * equality from its index but scans the whole collection for `$in`.
   */
  private async ownersOf(ids: string[]): Promise<Map<string, string | undefined>> {
    const found = await Promise.all(ids.map((_id) => this.records.findOne({ _id }, { projection: { batch: 1 } })));
    return new Map(found.filter((d) => d !== null).map((d) => [d._id, d.batch]));
  }

  /**
   * Finishes a batch an older version left open: it claims its stored records in `rollup_claims` (the
   * first claim wins) and rolls up those it claimed. Records stored since, by batches of this version,
   * have their owner in `batch` and are not claimed.
   */
  private async finishOlderVersionBatch(batch: string, ids: string[]): Promise<void> {
    const stored = (await this.records.find({ _id: { $in: ids }, batch: { $exists: false } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
    if (stored.length > 0) await insertIgnoringDuplicates(this.claims, stored.map((id) => ({ _id: id, batch })));
    const claimed = (await this.claims.find({ batch }).toArray()).map((c) => c._id);
    const records = claimed.length === 0 ? [] : (await this.records.find({ _id: { $in: claimed } }).toArray()).map((d) => decodeRecord(d.doc));
    await insertDeltas(this.groupDeltas, groupDeltasOf(batch, records));
    await this.batches.deleteOne({ _id: batch });
  }

  private fault(step: keyof MongoFaults): void {
    if (this.faults[step]) throw new Error(`injected fault ${step}`);
  }
}

/** Deltas have deterministic ids: one already there was written by another process finishing the same batch. */
async function insertDeltas<T extends { _id: string }>(collection: Collection<T>, deltas: T[]): Promise<void> {
  if (deltas.length > 0) await insertIgnoringDuplicates(collection, deltas);
}

/** Inserts documents, treating duplicate `_id`s as already there; returns the ids that were. */
export async function insertIgnoringDuplicates<T extends { _id: string }>(collection: Collection<T>, docs: T[]): Promise<Set<string>> {
  const duplicates = new Set<string>();
  try {
    await collection.insertMany(docs as never[], { ordered: false });
  } catch (err) {
    const writeErrors = err instanceof MongoBulkWriteError ? (Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors]) : null;
    if (!writeErrors) {
      if (err instanceof MongoServerError && err.code === DUPLICATE_KEY && docs.length === 1) return new Set([docs[0]._id]);
      throw err;
    }
    for (const e of writeErrors) {
      if (e.code !== DUPLICATE_KEY) throw err;
      duplicates.add(docs[e.index]._id);
    }
  }
  return duplicates;
}

function packRecords(docs: RecordDoc[]): Binary {
  return new Binary(deflateRawSync(JSON.stringify(docs.map((d) => d.doc)), { level: 1 }));
}

function unpackRecords(packed: Binary): UsageRecord[] {
  return (JSON.parse(inflateRawSync(packed.buffer).toString('utf8')) as string[]).map(decodeRecord);
}

function toDoc(r: UsageRecord, batch: string): RecordDoc {
  return {
    _id: r.id,
    batch,
    tenant: r.tenant,
    timeMs: r.timeMs,
    provider: r.provider,
    model: r.model,
    costType: r.costType,
    user: r.user,
    agent: r.agent,
    feature: r.feature,
    service: r.service,
    status: r.status,
    doc: encodeRecord(r),
  };
}
