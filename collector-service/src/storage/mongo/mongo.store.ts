import type { Collection, Db, Filter } from 'mongodb';
import mongoose from 'mongoose';
import type { UsageRecord } from '../../usage/usage-record';
import { decodeDocument, type DocumentBody } from '../documents';
import { zeroTokens } from '../rollup-measures';
import { decodeCursor, decodeRecord, encodeCursor } from '../record-codec';
import { DayCapacity } from '../sqlite/day-capacity';
import {
  type ApiKeyRecord,
  type DimensionFilters,
  type DimensionPair,
  type HeldRows,
  type IngestOutcome,
  type PreparedIngest,
  type RecordCorrection,
  type RecordPage,
  type RecordQuery,
  ROLLUP_DIMENSIONS,
  type RollupQuery,
  type RollupRow,
  type StoragePort,
  type ValueRollupQuery,
  type ValueSums,
} from '../storage.port';
import { type BatchDoc, type MongoFaults, type MongoWritten, RollupBatches, type TakeoverDoc } from './batches';
import { type CorrectionClaimDoc, RecordCorrections } from './corrections';
import { type CompactionSettings, Compactor, DEFAULT_COMPACTION, type SetAsideDoc } from './compaction';
import { type ChainDoc, HeadChain, type HeadListsDoc } from './heads';
import { KeptPairs } from './kept-pairs';
import { pairNames } from './pair-days';
import { PendingItems } from './pending';
import type { ClaimLinkDoc } from './record-claims';
import type { RecordDoc } from './record-docs';
import { RecordInserter } from './record-inserter';
import { type MongoPreparedBatch, preparedRecords } from './prepared-batch';
import { type ChangeDoc, DocumentListings } from './document-listings';
import { CACHED_ROWS, DAY_MS, RollupDocs } from './rollup-docs';
import { RollupReader } from './rollup-reader';
import type { Budget } from '../../budgets/budget';
import { STORED_BUDGETS } from '../stored-budget';
import { STORED_ALERT_RULES } from '../stored-alert-rule';
import { type AlertRulesSeeded, STORED_ALERT_RULES_SEEDED, STORED_CHANNELS, STORED_DIGEST_SUBSCRIPTIONS, STORED_PROVIDER_ADMIN_KEYS } from '../stored-settings';
import type { StoredAdminKey } from '../../billing/admin-keys.service';
import type { Channel } from '../../channels/channel';
import type { DigestSubscription } from '../../digests/digest-subscription';
import type { AlertRule } from '../../alerts/alert-rule';
import { isEntityDocument, type MoneyEntityKind } from '../money-entities';
import type { Entity } from '../repositories/entity-repository';
import { type MoneyEntityDoc, MongoMoneyEntities } from './money-entity-docs';
import { type AlertClaimDoc, type AlertDoc, MongoAlertHistory } from './alert-docs';
import { MongoSeenTenants, type SeenTenantDoc } from './seen-tenant-docs';
import { MongoOpenAlerts, type OpenAlertDoc, type RedeliveryDoc } from './open-alert-docs';
import { type DeliveryDoc, MongoDeliveries } from './delivery-docs';
import { type DigestDeliveryDoc, type DigestMarkDoc, type DigestRunDoc, MongoDigestRuns } from './digest-run-docs';
import { DIGEST_RUN_DOCUMENT_KINDS as DIGEST_KINDS, digestDeliveryOfDocument, digestRunOfDocument } from '../repositories/digest-runs.repository';
import { deliveryOfDocument } from '../repositories/deliveries.repository';
import { type KeysRequiredDoc, MongoKeysRequired } from './keys-required-docs';
import { type BilledDayDoc, MongoBilledDays } from './billed-day-docs';
import { BILLED_DAY_DOCUMENT_KIND, billedDayOf, billedDayOfDocument } from '../repositories/billed-days.repository';
import { KEYS_REQUIRED_DOCUMENT } from '../repositories/keys-required.repository';
import { SEEN_DOCUMENT_KIND } from '../repositories/seen-tenants.repository';
import {
  ACK_KIND,
  ALERT_KIND,
  type Ack,
  DELIVERY_KIND,
  OPEN_KIND,
  REDELIVERY_KIND,
  RESOLUTION_KIND,
  type Resolution,
  type StoredAlert,
} from '../../alerts/alert';
import { isOpenAlert } from '../repositories/alerts.repository';

/**
 * A document as the versions before kept what now has a collection of its own (read only to move it
 * there when the store opens). The body is its JSON text.
 */
interface StoredDoc {
  /** JSON [kind, tenant, id] */
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

export interface MongoStoreOptions {
  /** The database; default: the URI's. */
  dbName?: string;
  faults?: MongoFaults;
  compaction?: Partial<CompactionSettings>;
  /** Rows of compacted documents kept decoded (see RollupDocs); default CACHED_ROWS. */
  cachedRows?: number;
}

/**
 * The MongoDB adapter (mongoose connection, driver collections). It must be exact on MongoDB and on
 * FerretDB v1, which has no transactions, loses concurrent `$inc`s and computes only the first
 * accumulator of a `$group`. So nothing here relies on them; only on duplicate `_id`s failing:
 * ingest stores each batch's records and its rollup groups (RollupBatches), compaction moves those
 * into a few documents per tenant and month (Compactor), and reports read those documents plus what
 * is not compacted yet (RollupReader), summing in the application with BigInt.
 *
 * Every write waits for the journal (`j: true`) and, on a replica set, for a majority: an
 * acknowledged batch survives a crash of the server, where the server offers that (FerretDB v1
 * accepts the write concern and does not act on it).
 */
export class MongoStore implements StoragePort {
  readonly kind = 'mongo' as const;
  private connection!: mongoose.Connection;
  private db!: Db;
  private records!: Collection<RecordDoc>;
  private rollupBatches!: RollupBatches;
  private corrections!: RecordCorrections;
  private reader!: RollupReader;
  private capacity!: DayCapacity;
  private compactor!: Compactor;
  private keys!: Collection<KeyDoc>;
  private documents!: Collection<StoredDoc>;
  private listings!: DocumentListings;
  budgets!: MongoMoneyEntities<Budget>;
  alertRules!: MongoMoneyEntities<AlertRule>;
  channels!: MongoMoneyEntities<Channel>;
  digestSubscriptions!: MongoMoneyEntities<DigestSubscription>;
  providerAdminKeys!: MongoMoneyEntities<StoredAdminKey>;
  alertRulesSeeded!: MongoMoneyEntities<AlertRulesSeeded>;
  alertHistory!: MongoAlertHistory;
  openAlerts!: MongoOpenAlerts;
  alertDeliveries!: MongoDeliveries;
  digestRuns!: MongoDigestRuns;
  seenTenants!: MongoSeenTenants;
  keysRequired!: MongoKeysRequired;
  billedDays!: MongoBilledDays;
  private keptPairs!: KeptPairs;
  private inserter: RecordInserter | null = null;

  constructor(
    private readonly uri: string,
    private readonly options: MongoStoreOptions = {},
  ) {}

  async init(): Promise<void> {
    this.connection = await mongoose
      .createConnection(this.uri, {
        dbName: this.options.dbName,
        useBigInt64: true,
        serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
        writeConcern: { w: 'majority', journal: true },
      })
      .asPromise();
    this.db = this.connection.db!;
    this.records = this.db.collection<RecordDoc>('usage_records');
    const batches = this.db.collection<BatchDoc>('rollup_batches');
    const takeovers = this.db.collection<TakeoverDoc>('rollup_takeovers');
    const chainDocs = this.db.collection<ChainDoc>('rollup_heads');
    this.keys = this.db.collection<KeyDoc>('api_keys');
    this.documents = this.db.collection<StoredDoc>('documents');
    this.listings = new DocumentListings(this.db.collection<ChangeDoc>('document_changes'));
    // Listing records reads a tenant's time range, newest first. FerretDB v1 (SQLite) reads by no index
    // but `_id` (any other filter reads the whole collection), so there the index would only cost
    // every stored record: ingest ran about a fifth slower with it (see the README).
    if (!(await servesFerretDb(this.db))) await this.records.createIndex({ tenant: 1, timeMs: 1, _id: 1 });
    // Sparse: records stored before claims existed have none (MongoDB would index each as null).
    await this.records.createIndex({ claim: 1 }, { unique: true, sparse: true });
    await batches.createIndex({ tenant: 1, state: 1 });
    await chainDocs.createIndex({ kind: 1, tenant: 1 });
    await this.keys.createIndex({ hash: 1 }, { unique: true });
    await this.documents.createIndex({ kind: 1, tenant: 1, id: 1 });
    this.budgets = await this.moneyEntities(STORED_BUDGETS);
    this.alertRules = await this.moneyEntities(STORED_ALERT_RULES);
    this.channels = await this.moneyEntities(STORED_CHANNELS);
    this.digestSubscriptions = await this.moneyEntities(STORED_DIGEST_SUBSCRIPTIONS);
    this.providerAdminKeys = await this.moneyEntities(STORED_PROVIDER_ADMIN_KEYS);
    this.alertRulesSeeded = await this.moneyEntities(STORED_ALERT_RULES_SEEDED);
    const alerts = this.db.collection<AlertDoc>('alerts');
    await alerts.createIndex({ tenant: 1, order: 1 });
    this.alertHistory = new MongoAlertHistory(alerts, this.db.collection<AlertClaimDoc>('alert_claims'));
    await this.moveAlertDocuments();
    await this.alertHistory.moveAmountsOutOfBodies();
    const open = this.db.collection<OpenAlertDoc>('open_alerts');
    await open.createIndex({ tenant: 1, id: 1 });
    this.openAlerts = new MongoOpenAlerts(open, this.db.collection<RedeliveryDoc>('alert_redeliveries'));
    // The open index and the redelivery claims kept as documents before move into their collections
    // (an entry written since is kept; a claim is a claim whatever its body held).
    await this.moveDocuments(OPEN_KIND, (old, body) => (isOpenAlert(body) ? this.openAlerts.addOpen(old.tenant, old.id, body) : null));
    await this.moveDocuments(REDELIVERY_KIND, (old, body) => this.openAlerts.claimRedelivery(old.tenant, old.id, msOf(body, 'atMs')));
    const deliveries = this.db.collection<DeliveryDoc>('alert_deliveries');
    await deliveries.createIndex({ tenant: 1, alertId: 1 });
    this.alertDeliveries = new MongoDeliveries(deliveries);
    await this.moveDocuments(DELIVERY_KIND, (old, body) => {
      const moved = deliveryOfDocument(body);
      if (moved === null) return null;
      const { alertId, ...delivery } = moved;
      return this.alertDeliveries.add(old.tenant, alertId, delivery);
    });
    await this.openDigestRuns();
    this.seenTenants = new MongoSeenTenants(this.db.collection<SeenTenantDoc>('seen_tenants'));
    await this.moveSeenTenantDocuments();
    this.keysRequired = new MongoKeysRequired(this.db.collection<KeysRequiredDoc>('keys_required'));
    // The mark kept as a document before moves into its collection.
    const { kind, tenant, id } = KEYS_REQUIRED_DOCUMENT;
    if ((await this.documents.findOne({ _id: documentId(kind, tenant, id) })) !== null) {
      await this.keysRequired.mark(0);
      await this.documents.deleteOne({ _id: documentId(kind, tenant, id) });
    }
    const billedDays = this.db.collection<BilledDayDoc>('billed_days');
    await billedDays.createIndex({ tenant: 1, provider: 1, day: 1 });
    this.billedDays = new MongoBilledDays(billedDays);
    await this.moveBilledDayDocuments();
    const pending = new PendingItems(batches, takeovers);
    this.inserter = new RecordInserter({ uri: this.uri, dbName: this.options.dbName, serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS });
    const chain = new HeadChain(chainDocs, this.db.collection<HeadListsDoc>('rollup_head_lists'));
    this.rollupBatches = new RollupBatches(
      this.records,
      this.db.collection<ClaimLinkDoc>('usage_records'),
      batches,
      takeovers,
      pending,
      this.options.faults,
      this.inserter,
      (tenant) => chain.known(tenant)?.k ?? -1,
    );
    this.corrections = new RecordCorrections(this.records, batches, this.db.collection<CorrectionClaimDoc>('record_correction_claims'), this.options.faults);
    const rollupDocs = new RollupDocs(this.db, this.options.cachedRows ?? CACHED_ROWS);
    this.reader = new RollupReader(chain, rollupDocs, pending);
    // A day's totals as stored. Whether a refused call is a retry of one stored before would need a
    // read per call: such a retry is refused again (it is stored and counted already).
    this.capacity = new DayCapacity(
      async (tenant, dayStartMs) => {
        const [row] = await this.reader.aggregate({ tenant, fromMs: dayStartMs, toMs: dayStartMs + DAY_MS, filters: {}, groupBy: [] });
        return { costNanos: row?.costNanos ?? 0n, tokens: row?.tokens ?? zeroTokens() };
      },
      () => false,
    );
    const setAside = this.db.collection<SetAsideDoc>('rollup_set_aside');
    this.keptPairs = new KeptPairs(chainDocs);
    this.compactor = new Compactor(
      this.db,
      chain,
      chainDocs,
      rollupDocs,
      this.rollupBatches,
      batches,
      pending,
      setAside,
      this.keptPairs,
      { ...DEFAULT_COMPACTION, ...this.options.compaction },
      this.options.faults,
    );
    // What a crash left: batches not rolled up yet (or being stored by another instance right now:
    // finishing one twice counts it once).
    for (const doc of await this.rollupBatches.stale(null, Number.MAX_SAFE_INTEGER)) await this.rollupBatches.takeOver(doc);
    this.compactor.start();
  }

  async close(): Promise<void> {
    await this.compactor?.stop();
    await this.inserter?.close();
    await this.connection?.close();
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async ingest(records: UsageRecord[], prepared?: PreparedIngest): Promise<IngestOutcome> {
    const batch = prepared?.store === 'mongo' ? prepared : undefined;
    if (batch && records.length === 0) return this.ingestPrepared(batch);
    return this.ingestRecords(records, batch);
  }

  /**
   * A batch an ingest thread prepared and sent without its records (see MongoPreparedBatch): room for
   * the whole of it in each of its days, else record by record, decoded, to tell which do not fit.
   */
  private async ingestPrepared(batch: MongoPreparedBatch): Promise<IngestOutcome> {
    if (batch.count === 0) return { stored: [], duplicates: 0 };
    const reservation = batch.days && (await this.capacity.reserve(batch.days));
    if (!reservation) {
      const unique = preparedRecords(batch);
      const outcome = await this.ingestRecords(unique, batch);
      // A repeated id is a duplicate, as it is of the records given.
      return { ...outcome, duplicates: outcome.duplicates + batch.count - unique.length };
    }
    let owned: Set<string>[];
    let written: MongoWritten | undefined;
    try {
      ({ owned, written } = await this.rollupBatches.ingestPrepared(batch));
    } catch (err) {
      reservation.release();
      throw err;
    }
    const ownedCount = owned.reduce((n, ids) => n + ids.size, 0);
    // Every record stored now: the records themselves only for whoever reads them (see preparedRecords).
    if (owned.every((ids, i) => ids.size === batch.tenants[i].ids.length)) {
      reservation.settle([]);
      return {
        get stored() {
          return preparedRecords(batch);
        },
        duplicates: batch.count - ownedCount,
        ...(written ? { written } : {}),
      };
    }
    const mine = new Set(owned.flatMap((ids) => [...ids]));
    const records = preparedRecords(batch);
    reservation.settle(records.filter((r) => !mine.has(r.id)));
    return { stored: records.filter((r) => mine.has(r.id)), duplicates: batch.count - ownedCount, ...(written ? { written } : {}) };
  }

  private async ingestRecords(records: UsageRecord[], prepared: MongoPreparedBatch | undefined): Promise<IngestOutcome> {
    if (records.length === 0) return { stored: [], duplicates: 0 };
    // Calls a tenant's day cannot hold are refused here, so no compacted sum can pass int64.
    const { admitted, refused, settle, release } = await this.capacity.admit(records);
    let outcome: IngestOutcome;
    try {
      outcome = await this.rollupBatches.ingest(admitted, prepared);
    } catch (err) {
      release();
      throw err;
    }
    settle(new Set(outcome.stored));
    return refused.length > 0 ? { ...outcome, refused } : outcome;
  }

  correctRecords(corrections: RecordCorrection[]): Promise<string[]> {
    return this.corrections.correct(corrections);
  }

  async aggregate(query: RollupQuery): Promise<RollupRow[]> {
    return this.reader.aggregate(query);
  }

  aggregateHeld(query: RollupQuery): Promise<HeldRows> {
    return this.reader.aggregateHeld(query);
  }

  async valueSums(query: ValueRollupQuery): Promise<ValueSums> {
    return this.reader.valueSums(query);
  }

  /**
   * Compaction keeps these pairs' day rollups from now on (pair-days.ts), and rewrites the days
   * compacted before, newest first, in the background: until a day holds a pair, its reads sum groups.
   */
  async keepPairRollups(tenant: string, pairs: readonly DimensionPair[]): Promise<void> {
    await this.keptPairs.keep(tenant, pairNames(pairs));
  }

  /** Moves everything pending into the compacted rollups now (what the background rounds do every second). */
  async compact(): Promise<void> {
    await this.compactor.compactAll();
  }

  /** Gives every day compacted before value rollups existed its value rows now (what the background rounds do a day at a time). */
  async backfillValueDays(): Promise<void> {
    while (await this.compactor.addValueDays());
  }

  async listRecords(query: RecordQuery): Promise<RecordPage> {
    const filter = recordFilter(query.tenant, query.fromMs, query.toMs, query.filters);
    if (query.cursor) {
      const c = decodeCursor(query.cursor);
      filter.$or = [{ timeMs: { $lt: c.timeMs } }, { timeMs: c.timeMs, _id: { $lt: c.id } }];
    }
    const docs = await this.records
      .find(filter)
      .sort({ timeMs: -1, _id: -1 })
      .limit(query.limit + 1)
      .toArray();
    const page = docs.slice(0, query.limit);
    const last = page[page.length - 1];
    return { records: page.map((d) => decodeRecord(d.doc)), nextCursor: docs.length > query.limit && last ? encodeCursor(last.timeMs, last._id) : null };
  }

  async getRecord(tenant: string, id: string): Promise<UsageRecord | null> {
    const doc = await this.records.findOne({ _id: id, tenant });
    return doc ? decodeRecord(doc.doc) : null;
  }

  async *streamRecords(query: Omit<RecordQuery, 'cursor' | 'limit'>): AsyncIterable<UsageRecord> {
    const cursor = this.records
      .find(recordFilter(query.tenant, query.fromMs, query.toMs, query.filters))
      .sort({ timeMs: 1, _id: 1 })
      .batchSize(1000);
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
    const docs = await this.keys
      .find(tenant === null ? {} : { tenant })
      .sort({ createdAtMs: -1, _id: 1 })
      .toArray();
    return docs.map(keyOf);
  }

  async revokeApiKey(id: string, tenant: string | null, atMs: number): Promise<boolean> {
    const filter: Filter<KeyDoc> = tenant === null ? { _id: id, revokedAtMs: null } : { _id: id, tenant, revokedAtMs: null };
    return (await this.keys.updateOne(filter, { $set: { revokedAtMs: atMs } })).modifiedCount === 1;
  }

  async hasApiKeys(): Promise<boolean> {
    return (await this.keys.findOne({ revokedAtMs: null })) !== null;
  }

  /**
   * The collection of a kind of entity whose money is an integer (budgets, alert rules) or that holds
   * none (channels, digest subscriptions). Those written before it existed were documents, the amount a
   * decimal string: each moves into the collection
   * (unless one of its id is there already, written since) and leaves the documents. Two instances
   * starting at once move the same entities to the same place. A document that holds none stays.
   */
  private async moneyEntities<T extends Entity>(kind: MoneyEntityKind<T>): Promise<MongoMoneyEntities<T>> {
    const collection = this.db.collection<MoneyEntityDoc>(kind.table);
    await collection.createIndex({ tenant: 1, id: 1 });
    const entities = new MongoMoneyEntities(collection, this.listings, kind);
    for (const old of await this.documents.find({ kind: kind.documentKind }).toArray()) {
      let body: T & DocumentBody;
      try {
        body = decodeDocument<T & DocumentBody>(old.body);
      } catch {
        continue;
      }
      if (body === null || typeof body !== 'object' || !isEntityDocument(kind, body)) continue;
      await entities.add(old.tenant, { ...body, id: old.id });
      await this.documents.deleteOne({ _id: old._id });
    }
    return entities;
  }

  /**
   * Alerts written before they had a collection of their own were documents, their resolutions and
   * acknowledgements documents beside them: each alert moves into the collection with them, then they
   * leave the documents (the alert last). Moving again after a stop, or two instances at once, stores
   * each once: the first writer wins, as it does for new alerts. A document that holds no alert with a
   * place in the history (see alertOrderKey) stays where it is.
   */
  private async moveAlertDocuments(): Promise<void> {
    for await (const old of this.documents.find({ kind: ALERT_KIND })) {
      const part = async <T extends DocumentBody>(kind: string) => {
        const found = await this.documents.findOne({ _id: documentId(kind, old.tenant, old.id) });
        return found ? { _id: found._id, doc: decodeDocument<T>(found.body) } : null;
      };
      try {
        const alert = { ...decodeDocument<StoredAlert & DocumentBody>(old.body), tenant: old.tenant, id: old.id };
        const [resolution, ack] = [await part<Resolution & DocumentBody>(RESOLUTION_KIND), await part<Ack & DocumentBody>(ACK_KIND)];
        await this.alertHistory.insert(alert);
        if (resolution) await this.alertHistory.resolve(old.tenant, { ...resolution.doc, alertId: old.id });
        if (ack) await this.alertHistory.acknowledge(old.tenant, { ...ack.doc, alertId: old.id });
        for (const moved of [resolution, ack]) if (moved) await this.documents.deleteOne({ _id: moved._id });
        await this.documents.deleteOne({ _id: old._id });
      } catch (err) {
        if (!(err instanceof RangeError || err instanceof SyntaxError)) throw err;
      }
    }
  }

  /** The digest runs' collections; the runs, marks and deliveries kept as documents before move into them. */
  private async openDigestRuns(): Promise<void> {
    const collection = async <T extends { _id: string }>(name: string) => {
      const c = this.db.collection<T>(name);
      await c.createIndex({ tenant: 1, subscriptionId: 1 });
      return c;
    };
    this.digestRuns = new MongoDigestRuns(
      await collection<DigestRunDoc>('digest_runs'),
      await collection<DigestMarkDoc>('digest_sent'),
      this.db.collection<DigestMarkDoc>('digest_redeliveries'),
      await collection<DigestDeliveryDoc>('digest_deliveries'),
    );
    await this.moveDocuments(DIGEST_KINDS.run, (old, body) => {
      const run = digestRunOfDocument(old.id, body);
      return run === null ? null : this.digestRuns.claim(old.tenant, run);
    });
    await this.moveDocuments(DIGEST_KINDS.sent, (old, body) => this.digestRuns.markSent(old.tenant, old.id, msOf(body, 'atMs')));
    await this.moveDocuments(DIGEST_KINDS.redelivery, (old, body) => this.digestRuns.claimRedelivery(old.tenant, old.id, msOf(body, 'atMs')));
    await this.moveDocuments(DIGEST_KINDS.delivery, (old, body) => {
      const moved = digestDeliveryOfDocument(body);
      if (moved === null) return null;
      const { runId, ...outcome } = moved;
      return this.digestRuns.addDelivery(old.tenant, runId, outcome);
    });
  }

  /**
   * Documents of a kind kept before its entity had a collection of its own: `move` stores each where it
   * belongs now (its body decoded, undefined when it is not JSON), and every document it moved (it did
   * not answer null) leaves the documents. Moving again after a stop, or two instances at once, stores
   * each once.
   */
  private async moveDocuments(kind: string, move: (old: StoredDoc, body: unknown) => Promise<unknown> | null): Promise<void> {
    for await (const old of this.documents.find({ kind })) {
      let body: unknown;
      try {
        body = decodeDocument(old.body);
      } catch {
        body = undefined;
      }
      const moving = move(old, body);
      if (moving === null) continue;
      await moving;
      await this.documents.deleteOne({ _id: old._id });
    }
  }

  /** The tenants seen before they had a collection of their own were documents: each moves into it, then leaves the documents. */
  private async moveSeenTenantDocuments(): Promise<void> {
    for await (const old of this.documents.find({ kind: SEEN_DOCUMENT_KIND })) {
      let atMs = 0;
      try {
        const seen = decodeDocument<{ atMs?: unknown }>(old.body).atMs;
        if (Number.isSafeInteger(seen)) atMs = seen as number;
      } catch {
        // A body that is not JSON: the tenant is still seen.
      }
      await this.seenTenants.remember(old.tenant, atMs);
      await this.documents.deleteOne({ _id: old._id });
    }
  }

  /**
   * The billed days kept as documents before (their amounts decimal strings) move into their collection,
   * the amounts Int64s, then leave the documents; one whose amounts no 64-bit integer holds stays.
   */
  private async moveBilledDayDocuments(): Promise<void> {
    for await (const old of this.documents.find({ kind: BILLED_DAY_DOCUMENT_KIND })) {
      let body: unknown;
      try {
        body = decodeDocument(old.body);
      } catch {
        continue;
      }
      const day = billedDayOfDocument(old.tenant, body);
      if (day === null) continue;
      await this.billedDays.save(old.tenant, billedDayOf(day));
      await this.documents.deleteOne({ _id: old._id });
    }
  }
}

/** A time in ms a document's body holds under `field`, or 0 where it holds none. */
function msOf(body: unknown, field: string): number {
  const ms = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined;
  return Number.isSafeInteger(ms) ? (ms as number) : 0;
}

/** Whether the server is FerretDB (it names its own version in `buildInfo`), not MongoDB. */
async function servesFerretDb(db: Db): Promise<boolean> {
  return 'ferretdbVersion' in (await db.command({ buildInfo: 1 }));
}

function recordFilter(tenant: string, fromMs: number, toMs: number, filters: DimensionFilters): Filter<RecordDoc> & Record<string, unknown> {
  const filter: Record<string, unknown> = { tenant, timeMs: { $gte: fromMs, $lt: toMs } };
  for (const dimension of ROLLUP_DIMENSIONS) if (filters[dimension] !== undefined) filter[dimension] = filters[dimension];
  return filter;
}

function keyOf(doc: KeyDoc): ApiKeyRecord {
  return {
    id: doc._id,
    hash: doc.hash,
    role: doc.role,
    tenant: doc.tenant ?? null,
    name: doc.name ?? null,
    createdAtMs: Number(doc.createdAtMs),
    revokedAtMs: doc.revokedAtMs === null || doc.revokedAtMs === undefined ? null : Number(doc.revokedAtMs),
  };
}
