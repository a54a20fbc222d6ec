import { type Collection, type Db, type Filter, MongoServerError } from 'mongodb';
import mongoose from 'mongoose';
import type { UsageRecord } from '../../usage/usage-record';
import { checkAddress, decodeDocument, encodeDocument } from '../documents';
import { decodeCursor, decodeRecord, encodeCursor } from '../record-codec';
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
import { type BatchDoc, type ClaimDoc, DUPLICATE_KEY, insertIgnoringDuplicates, type MongoFaults, type RecordDoc, RollupBatches } from './batches';
import { type BucketDeltaDoc, type GroupDeltaDoc, sumDeltas, unpackBucketDelta } from './deltas';
import { hasTagFilter } from '../tag-sets';

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

export type { MongoFaults } from './batches';

/**
 * How long an operation waits for a reachable server. Short, so that while the store is down each
 * request is answered at once (503 with Retry-After; the sender retries) rather than held for
 * seconds; the driver reconnects by itself when the server is back.
 */
const SERVER_SELECTION_TIMEOUT_MS = 2_000;

/**
 * The MongoDB adapter (mongoose connection, driver collections). It must be exact on MongoDB and on
 * FerretDB v1, which has no transactions, loses concurrent `$inc`s and computes only the first
 * accumulator of a `$group`. So nothing here relies on them; only on duplicate `_id`s failing (how
 * ingest stays exact: see RollupBatches). Reports sum the deltas in the application, with BigInt.
 */
export class MongoStore implements StoragePort {
  readonly kind = 'mongo' as const;
  private connection!: mongoose.Connection;
  private db!: Db;
  private records!: Collection<RecordDoc>;
  /** rollup_deltas holds both shapes: bucket deltas (with `groups`) and the group deltas of older versions. */
  private bucketDeltas!: Collection<BucketDeltaDoc>;
  private groupDeltas!: Collection<GroupDeltaDoc>;
  private rollupBatches!: RollupBatches;
  private keys!: Collection<KeyDoc>;
  private documents!: Collection<StoredDoc>;

  constructor(
    private readonly uri: string,
    private readonly options: { dbName?: string; faults?: MongoFaults } = {},
  ) {}

  async init(): Promise<void> {
    this.connection = await mongoose.createConnection(this.uri, { dbName: this.options.dbName, useBigInt64: true, serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS }).asPromise();
    this.db = this.connection.db!;
    this.records = this.db.collection<RecordDoc>('usage_records');
    const claims = this.db.collection<ClaimDoc>('rollup_claims');
    const batches = this.db.collection<BatchDoc>('rollup_batches');
    this.bucketDeltas = this.db.collection<BucketDeltaDoc>('rollup_deltas');
    this.groupDeltas = this.db.collection<GroupDeltaDoc>('rollup_deltas');
    this.keys = this.db.collection<KeyDoc>('api_keys');
    this.documents = this.db.collection<StoredDoc>('documents');
    await this.records.createIndex({ tenant: 1, timeMs: 1, _id: 1 });
    await claims.createIndex({ batch: 1 });
    await batches.createIndex({ state: 1 });
    await this.bucketDeltas.createIndex({ tenant: 1, bucket: 1 });
    await this.keys.createIndex({ hash: 1 }, { unique: true });
    await this.documents.createIndex({ kind: 1, tenant: 1, id: 1 });
    this.rollupBatches = new RollupBatches(this.records, batches, this.bucketDeltas, this.groupDeltas, claims, this.options.faults);
    await this.rollupBatches.dropDoneBatches();
    await this.rollupBatches.finishOpen();
  }

  async close(): Promise<void> {
    await this.connection?.close();
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async ingest(records: UsageRecord[]): Promise<IngestOutcome> {
    return this.rollupBatches.ingest(records);
  }

  /**
   * Sums the deltas of the tenant and buckets in the application: the bucket deltas' groups, filtered
   * here, and the group deltas older versions wrote, filtered by the server. A batch has deltas of
   * one shape only (see BatchDoc), so nothing is counted twice.
   */
  async aggregate(query: RollupQuery): Promise<RollupRow[]> {
    const range = { tenant: query.tenant, bucket: { $gte: query.fromMs, $lt: query.toMs } };
    const groupFilter: Filter<GroupDeltaDoc> & Record<string, unknown> = { ...range, groups: { $exists: false } };
    for (const dimension of ROLLUP_DIMENSIONS) {
      const value = query.filters[dimension];
      if (value !== undefined) groupFilter[dimension] = value;
    }
    // Only tagged deltas can match a tag filter; which tag sets include it is decided in sumDeltas.
    if (hasTagFilter(query.tags)) groupFilter.tags = { $ne: null };
    const [bucketDocs, groupDocs] = await Promise.all([this.bucketDeltas.find({ ...range, groups: { $exists: true } }).toArray(), this.groupDeltas.find(groupFilter).toArray()]);
    return sumDeltas([...bucketDocs.flatMap(unpackBucketDelta), ...groupDocs], query.groupBy, query.filters, query.tags);
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

  async getRecord(tenant: string, id: string): Promise<UsageRecord | null> {
    const doc = await this.records.findOne({ _id: id, tenant });
    return doc ? decodeRecord(doc.doc) : null;
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
    const replace = () => this.documents.replaceOne({ _id }, { kind, tenant, id, body }, { upsert: true });
    try {
      await replace();
    } catch (err) {
      // Two upserts of a new document race (replicas starting at once): the loser's insert fails on
      // the duplicate _id. MongoDB retries that itself, FerretDB does not; the document exists now.
      if (!(err instanceof MongoServerError && err.code === DUPLICATE_KEY)) throw err;
      await replace();
    }
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
}

function recordFilter(tenant: string, fromMs: number, toMs: number, filters: DimensionFilters): Filter<RecordDoc> & Record<string, unknown> {
  const filter: Record<string, unknown> = { tenant, timeMs: { $gte: fromMs, $lt: toMs } };
  for (const dimension of ROLLUP_DIMENSIONS) if (filters[dimension] !== undefined) filter[dimension] = filters[dimension];
  return filter as Filter<RecordDoc> & Record<string, unknown>;
}

function keyOf(doc: KeyDoc): ApiKeyRecord {
  return { id: doc._id, hash: doc.hash, role: doc.role, tenant: doc.tenant ?? null, name: doc.name ?? null, createdAtMs: Number(doc.createdAtMs), revokedAtMs: doc.revokedAtMs === null || doc.revokedAtMs === undefined ? null : Number(doc.revokedAtMs) };
}

