import { randomUUID } from 'node:crypto';
import { type Collection, type Db, type Filter, MongoBulkWriteError, MongoServerError } from 'mongodb';
import mongoose from 'mongoose';
import type { UsageRecord } from '../../usage/usage-record';
import { checkAddress, decodeDocument, encodeDocument } from '../documents';
import { decodeCursor, decodeRecord, encodeCursor, encodeRecord } from '../record-codec';
import {
  type ApiKeyRecord,
  type DimensionFilters,
  type DocumentBody,
  type DocumentEntry,
  type IngestOutcome,
  type RecordPage,
  type RecordQuery,
  ROLLUP_DIMENSIONS,
  type RollupQuery,
  type RollupRow,
  type StoragePort,
} from '../storage.port';
import { type DeltaDoc, deltasOf, sumDeltas } from './deltas';
import { hasTagFilter } from '../tag-sets';

interface RecordDoc {
  _id: string;
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

interface ClaimDoc {
  /** The record id: one claim per record, ever, so only one batch can roll a record up. */
  _id: string;
  batch: string;
}

interface BatchDoc {
  _id: string;
  state: 'open' | 'done';
  /** The request's record ids, so a batch a crash left open can be completed without its sender. */
  ids: string[];
  createdAtMs: number;
}

/**
 * A generic document. The body is kept as its JSON text, not as BSON fields: bodies may hold keys
 * with dots or dollars (tag names), and the text is byte-for-byte what the sqlite adapter stores.
 */
interface StoredDoc {
  /** kind + tenant + id, so a duplicate insert fails on `_id` (what insertOnce relies on). */
  _id: string;
  kind: string;
  tenant: string;
  id: string;
  body: string;
}

const documentId = (kind: string, tenant: string, id: string) => JSON.stringify([kind, tenant, id]);

interface KeyDoc extends Omit<ApiKeyRecord, 'id'> {
  _id: string;
}

/** Test-only fault injection: throw after a step, to prove a retry after a crash ends exact. */
export interface MongoFaults {
  afterInsert?: boolean;
  afterClaim?: boolean;
  afterDeltas?: boolean;
}

const DUPLICATE_KEY = 11000;

/**
 * The MongoDB adapter (mongoose connection, driver collections). It must be exact on MongoDB and on
 * FerretDB v1, which has no transactions, loses concurrent `$inc`s and computes only the first
 * accumulator of a `$group`. So nothing here relies on them; only on duplicate `_id`s failing:
 *
 * 1. records are inserted with `_id` = trace id + span id (a duplicate is a retry);
 * 2. a batch claims each record of the request by inserting a claim document with the record's id
 *    (a duplicate means another batch already owns it: a record is rolled up by exactly one batch);
 * 3. the batch writes its rollup deltas with `_id` = batch + group (writing them again is a no-op,
 *    and any process computes the same deltas from the same claims);
 * 4. the batch is marked done.
 * A request is acknowledged only after its records' batches are all done; a retry after a crash at
 * any step finishes the batches it finds open, and start-up finishes any left behind. Reports sum
 * the deltas in the application, with BigInt.
 */
export class MongoStore implements StoragePort {
  readonly kind = 'mongo' as const;
  private connection!: mongoose.Connection;
  private db!: Db;
  private records!: Collection<RecordDoc>;
  private claims!: Collection<ClaimDoc>;
  private batches!: Collection<BatchDoc>;
  private deltas!: Collection<DeltaDoc>;
  private keys!: Collection<KeyDoc>;
  private documents!: Collection<StoredDoc>;

  constructor(
    private readonly uri: string,
    private readonly options: { dbName?: string; faults?: MongoFaults } = {},
  ) {}

  async init(): Promise<void> {
    this.connection = await mongoose.createConnection(this.uri, { dbName: this.options.dbName, useBigInt64: true, serverSelectionTimeoutMS: 10_000 }).asPromise();
    this.db = this.connection.db!;
    this.records = this.db.collection<RecordDoc>('usage_records');
    this.claims = this.db.collection<ClaimDoc>('rollup_claims');
    this.batches = this.db.collection<BatchDoc>('rollup_batches');
    this.deltas = this.db.collection<DeltaDoc>('rollup_deltas');
    this.keys = this.db.collection<KeyDoc>('api_keys');
    this.documents = this.db.collection<StoredDoc>('documents');
    await this.records.createIndex({ tenant: 1, timeMs: 1, _id: 1 });
    await this.claims.createIndex({ batch: 1 });
    await this.batches.createIndex({ state: 1 });
    await this.deltas.createIndex({ tenant: 1, bucket: 1 });
    await this.keys.createIndex({ hash: 1 }, { unique: true });
    await this.documents.createIndex({ kind: 1, tenant: 1, id: 1 });
    for (const open of await this.batches.find({ state: 'open' }).toArray()) await this.completeBatch(open._id, open.ids);
  }

  async close(): Promise<void> {
    await this.connection?.close();
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async ingest(records: UsageRecord[]): Promise<IngestOutcome> {
    if (records.length === 0) return { stored: [], duplicates: 0 };
    const ids = records.map((r) => r.id);
    const batch = randomUUID();
    await this.batches.insertOne({ _id: batch, state: 'open', ids, createdAtMs: Date.now() });
    const duplicateIds = await insertIgnoringDuplicates(this.records, records.map(toDoc));
    this.fault('afterInsert');
    await this.completeBatch(batch, ids);
    return { stored: records.filter((r) => !duplicateIds.has(r.id)), duplicates: duplicateIds.size };
  }

  /**
   * Claims the batch's stored records (those another batch claimed first stay with it), then finishes
   * this batch and every batch that owns one of its records, so all of them are in the rollups.
   */
  private async completeBatch(batch: string, ids: string[]): Promise<void> {
    const stored = (await this.records.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
    const claimedElsewhere = stored.length === 0 ? new Set<string>() : await insertIgnoringDuplicates(this.claims, stored.map((id) => ({ _id: id, batch })));
    this.fault('afterClaim');
    const owners = claimedElsewhere.size === 0 ? [] : [...new Set((await this.claims.find({ _id: { $in: [...claimedElsewhere] } }).toArray()).map((c) => c.batch))];
    await this.finishBatches([batch, ...owners.filter((b) => b !== batch)]);
  }

  async aggregate(query: RollupQuery): Promise<RollupRow[]> {
    const filter: Filter<DeltaDoc> = { tenant: query.tenant, bucket: { $gte: query.fromMs, $lt: query.toMs } };
    for (const dimension of ROLLUP_DIMENSIONS) {
      const value = query.filters[dimension];
      if (value !== undefined) (filter as Record<string, unknown>)[dimension] = value;
    }
    // Only tagged deltas can match a tag filter; which tag sets include it is decided in sumDeltas.
    if (hasTagFilter(query.tags)) filter.tags = { $ne: null };
    return sumDeltas(await this.deltas.find(filter).toArray(), query.groupBy, query.tags);
  }

  async listRecords(query: RecordQuery): Promise<RecordPage> {
    const filter = recordFilter(query.tenant, query.fromMs, query.toMs, query.filters);
    if (query.cursor) {
      const c = decodeCursor(query.cursor);
      filter.$or = [{ timeMs: { $lt: c.timeMs } }, { timeMs: c.timeMs, _id: { $lt: c.id } }];
    }
    const docs = await this.records.find(filter).sort({ timeMs: -1, _id: -1 }).limit(query.limit + 1).toArray();
    const page = docs.slice(0, query.limit);
    const last = page[page.length - 1];
    return { records: page.map((d) => decodeRecord(d.doc)), nextCursor: docs.length > query.limit && last ? encodeCursor(last.timeMs, last._id) : null };
  }

  async *streamRecords(query: Omit<RecordQuery, 'cursor' | 'limit'>): AsyncIterable<UsageRecord> {
    const cursor = this.records.find(recordFilter(query.tenant, query.fromMs, query.toMs, query.filters)).sort({ timeMs: 1, _id: 1 }).batchSize(1000);
    try {
      for await (const doc of cursor) yield decodeRecord(doc.doc);
    } finally {
      await cursor.close();
    }
  }

  async purgeRecordsBefore(beforeMs: number): Promise<number> {
    return (await this.records.deleteMany({ timeMs: { $lt: beforeMs } })).deletedCount;
  }

  async createApiKey(k: ApiKeyRecord): Promise<void> {
    const { id, ...rest } = k;
    await this.keys.insertOne({ _id: id, ...rest });
  }

  async findApiKey(hash: string): Promise<ApiKeyRecord | null> {
    const doc = await this.keys.findOne({ hash, revokedAtMs: null });
    return doc ? keyOf(doc) : null;
  }

  async listApiKeys(tenant: string | null): Promise<ApiKeyRecord[]> {
    const docs = await this.keys.find(tenant === null ? {} : { tenant }).sort({ createdAtMs: -1, _id: 1 }).toArray();
    return docs.map(keyOf);
  }

  async revokeApiKey(id: string, tenant: string | null, atMs: number): Promise<boolean> {
    const filter: Filter<KeyDoc> = tenant === null ? { _id: id, revokedAtMs: null } : { _id: id, tenant, revokedAtMs: null };
    return (await this.keys.updateOne(filter, { $set: { revokedAtMs: atMs } })).modifiedCount === 1;
  }

  async hasApiKeys(): Promise<boolean> {
    return (await this.keys.findOne({ revokedAtMs: null })) !== null;
  }

  async putDocument(kind: string, tenant: string, id: string, doc: DocumentBody): Promise<void> {
    const body = encodeDocument(kind, tenant, id, doc);
    const _id = documentId(kind, tenant, id);
    await this.documents.replaceOne({ _id }, { kind, tenant, id, body }, { upsert: true });
  }

  async getDocument<T extends DocumentBody>(kind: string, tenant: string, id: string): Promise<T | null> {
    checkAddress(kind, tenant, id);
    const found = await this.documents.findOne({ _id: documentId(kind, tenant, id) });
    return found ? decodeDocument<T>(found.body) : null;
  }

  async listDocuments<T extends DocumentBody>(kind: string, tenant: string | null): Promise<DocumentEntry<T>[]> {
    const found = await this.documents.find(tenant === null ? { kind } : { kind, tenant }).sort({ tenant: 1, id: 1 }).toArray();
    return found.map((d) => ({ tenant: d.tenant, id: d.id, doc: decodeDocument<T>(d.body) }));
  }

  async deleteDocument(kind: string, tenant: string, id: string): Promise<boolean> {
    checkAddress(kind, tenant, id);
    return (await this.documents.deleteOne({ _id: documentId(kind, tenant, id) })).deletedCount === 1;
  }

  async insertOnce(kind: string, tenant: string, id: string, doc: DocumentBody): Promise<boolean> {
    const body = encodeDocument(kind, tenant, id, doc);
    const _id = documentId(kind, tenant, id);
    // A duplicate _id fails on MongoDB and FerretDB alike, without transactions: one insert wins.
    return (await insertIgnoringDuplicates(this.documents, [{ _id, kind, tenant, id, body }])).size === 0;
  }

  /** Writes each open batch's deltas (idempotent: same claims, same deltas, same ids) and marks it done. */
  private async finishBatches(batchIds: string[]): Promise<void> {
    const open = batchIds.length === 0 ? [] : (await this.batches.find({ _id: { $in: batchIds }, state: 'open' }).toArray()).map((b) => b._id);
    await this.finishOpenBatches(open);
  }

  private async finishOpenBatches(batchIds: string[]): Promise<void> {
    for (const batch of batchIds) {
      const claimed = (await this.claims.find({ batch }).toArray()).map((c) => c._id);
      const docs = claimed.length === 0 ? [] : await this.records.find({ _id: { $in: claimed } }).toArray();
      const deltas = deltasOf(batch, docs.map((d) => decodeRecord(d.doc)));
      if (deltas.length > 0) await insertIgnoringDuplicates(this.deltas, deltas);
      this.fault('afterDeltas');
      await this.batches.updateOne({ _id: batch }, { $set: { state: 'done' } });
    }
  }

  private fault(step: keyof MongoFaults): void {
    if (this.options.faults?.[step]) throw new Error(`injected fault ${step}`);
  }
}

/** Inserts documents, treating duplicate `_id`s as already there; returns the ids that were. */
async function insertIgnoringDuplicates<T extends { _id: string }>(collection: Collection<T>, docs: T[]): Promise<Set<string>> {
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

function toDoc(r: UsageRecord): RecordDoc {
  return {
    _id: r.id,
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

function recordFilter(tenant: string, fromMs: number, toMs: number, filters: DimensionFilters): Filter<RecordDoc> & Record<string, unknown> {
  const filter: Record<string, unknown> = { tenant, timeMs: { $gte: fromMs, $lt: toMs } };
  for (const dimension of ROLLUP_DIMENSIONS) if (filters[dimension] !== undefined) filter[dimension] = filters[dimension];
  return filter as Filter<RecordDoc> & Record<string, unknown>;
}

function keyOf(doc: KeyDoc): ApiKeyRecord {
  return { id: doc._id, hash: doc.hash, role: doc.role, tenant: doc.tenant ?? null, name: doc.name ?? null, createdAtMs: Number(doc.createdAtMs), revokedAtMs: doc.revokedAtMs === null || doc.revokedAtMs === undefined ? null : Number(doc.revokedAtMs) };
}

