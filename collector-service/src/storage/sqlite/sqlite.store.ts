import { Logger } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { revisionOf, type UsageRecord } from '../../usage/usage-record';
import { decodeCursor, decodeRecord, encodeCursor, encodeRecord } from '../record-codec';
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
  type RollupDimension,
  type RollupQuery,
  type RollupRow,
  type RollupTotals,
  type StoragePort,
  type ValueRollupQuery,
  type ValueSums,
} from '../storage.port';
import { migrate } from './schema';
import { DayCapacity, type DayTotals } from './day-capacity';
import { DEFAULT_FOLD_SETTINGS, type FoldSettings, RollupFolds, type SetAsideBatch, type UnfoldedBatch } from './rollup-folds';
import { totalsOf, zeroTotals } from '../rollup-measures';
import { DIMENSION_COLUMNS, MEASURE_COLUMNS, MEASURE_SUMS, summedMeasures } from './rollup-columns';
import { assertFoldable, correctionPlan } from './rollup-writer';
import { InlineWrites, type StoreWrites, ThreadWrites } from './store-writer';
import { type PreparedBatch, recordsOf } from './prepared-batch';
import { NO_AUTOCHECKPOINT, unwritableFiles } from './store-writer.worker';
import { WalSync } from './wal-sync';
import { TagRollups } from './tag-rollups';
import { hasTagFilter } from '../tag-sets';
import { isFiltered } from '../value-rollups';
import { withUnfolded, withUnfoldedValues } from './unfolded-rows';
import { TooManyRowsError } from '../rollup-rows';
import { SqliteMoneyEntities } from './money-entity-table';
import { STORED_BUDGETS } from '../stored-budget';
import { STORED_ALERT_RULES } from '../stored-alert-rule';
import { type AlertRulesSeeded, STORED_ALERT_RULES_SEEDED, STORED_CHANNELS, STORED_DIGEST_SUBSCRIPTIONS, STORED_PROVIDER_ADMIN_KEYS } from '../stored-settings';
import type { StoredAdminKey } from '../../billing/admin-keys.service';
import type { Channel } from '../../channels/channel';
import type { DigestSubscription } from '../../digests/digest-subscription';
import type { Budget } from '../../budgets/budget';
import type { AlertRule } from '../../alerts/alert-rule';
import { SqliteAlertHistory } from './alert-table';
import { SqliteOpenAlerts } from './open-alert-table';
import { SqliteDeliveries } from './delivery-table';
import { SqliteDigestRuns } from './digest-run-table';
import { SqliteSeenTenants } from './seen-tenant-table';
import { SqliteKeysRequired } from './keys-required-table';
import { SqliteBilledDays } from './billed-day-table';

/** Where an insert of this process stands among its writer's (see aggregateHeld). */
interface SqliteWritten {
  writer: string;
  seq: number;
  /** Its records' first rowid, which names its batch in `unfolded`. */
  firstRowid: number;
}

/** An insert's records stored now (null: every one given), and where it stands. */
interface Inserted {
  stored: UsageRecord[] | null;
  written: SqliteWritten;
}

/** How long after a failed write /readyz still says not ready (senders retry meanwhile; a success clears it). */
const RECENT_FAILURE_MS = 10_000;

/** How long a writer waits for another connection's write lock (another process, or this one's other thread). */
const BUSY_TIMEOUT_MS = 10_000;

/**
 * The embedded store: one SQLite file (Node's built-in node:sqlite), WAL journal. Each ingest is one
 * transaction that inserts the records it has not seen (primary key = trace id + span id) and names
 * exactly those as not yet in the rollups; RollupFolds adds them to the 15-minute rollups moments
 * later, many batches at once, in a transaction that also removes that name. So a retried batch, a
 * crash at any point, or two writers on one file can never count a record twice or lose one, and
 * every read of the rollups adds the batches not folded yet (see RollupFolds.readWithUnfolded).
 */
export class SqliteStore implements StoragePort {
  readonly kind = 'sqlite' as const;
  private connection!: DatabaseSync;
  /** The last write that failed, until one succeeds: readiness reports it for a while. */
  private writeFailure: { atMs: number; message: string } | null = null;
  private writes!: StoreWrites;
  private folds!: RollupFolds;
  private readonly logger = new Logger('SqliteStore');
  /** Null for ':memory:', which has no file to make durable. */
  private walSync: WalSync | null = null;
  private markQuery: StatementSync | null = null;
  private tagRollups!: TagRollups;
  private capacity!: DayCapacity;
  /** Inserts sent to the writer and not yet queued for their fold: a read whose snapshot names their batches waits for them. */
  private readonly inserting = new Set<Promise<unknown>>();
  /** The value rollups hold every record of the UTC days from here on (see schema migration 10). */
  private valueRollupsFromMs = 0;
  budgets!: SqliteMoneyEntities<Budget>;
  alertRules!: SqliteMoneyEntities<AlertRule>;
  channels!: SqliteMoneyEntities<Channel>;
  digestSubscriptions!: SqliteMoneyEntities<DigestSubscription>;
  providerAdminKeys!: SqliteMoneyEntities<StoredAdminKey>;
  alertRulesSeeded!: SqliteMoneyEntities<AlertRulesSeeded>;
  alertHistory!: SqliteAlertHistory;
  openAlerts!: SqliteOpenAlerts;
  alertDeliveries!: SqliteDeliveries;
  digestRuns!: SqliteDigestRuns;
  seenTenants!: SqliteSeenTenants;
  keysRequired!: SqliteKeysRequired;
  billedDays!: SqliteBilledDays;

  constructor(
    private readonly path: string,
    private readonly foldSettings: FoldSettings = DEFAULT_FOLD_SETTINGS,
  ) {}

  async init(): Promise<void> {
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
    this.connection = new DatabaseSync(this.path);
    // WAL lets readers run while a batch is written. A commit must survive power loss before it is
    // acknowledged (what an OTLP 200 promises): synchronous=NORMAL plus WalSync's fsync after each
    // commit gives FULL's guarantee without holding the event loop during the fsync. busy_timeout lets a
    // second process on the same file wait for the write lock instead of failing.
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}; PRAGMA foreign_keys = ON;`);
    if (this.path !== ':memory:') this.walSync = new WalSync(`${this.path}-wal`);
    migrate(this.db);
    this.budgets = new SqliteMoneyEntities(this.db, () => this.durable(), STORED_BUDGETS);
    this.alertRules = new SqliteMoneyEntities(this.db, () => this.durable(), STORED_ALERT_RULES);
    this.channels = new SqliteMoneyEntities(this.db, () => this.durable(), STORED_CHANNELS);
    this.digestSubscriptions = new SqliteMoneyEntities(this.db, () => this.durable(), STORED_DIGEST_SUBSCRIPTIONS);
    this.providerAdminKeys = new SqliteMoneyEntities(this.db, () => this.durable(), STORED_PROVIDER_ADMIN_KEYS);
    this.alertRulesSeeded = new SqliteMoneyEntities(this.db, () => this.durable(), STORED_ALERT_RULES_SEEDED);
    this.alertHistory = new SqliteAlertHistory(this.db, () => this.durable());
    this.openAlerts = new SqliteOpenAlerts(this.db, () => this.durable());
    this.alertDeliveries = new SqliteDeliveries(this.db, () => this.durable());
    this.digestRuns = new SqliteDigestRuns(this.db, () => this.durable());
    this.seenTenants = new SqliteSeenTenants(this.db, () => this.durable());
    this.keysRequired = new SqliteKeysRequired(this.db, () => this.durable());
    this.billedDays = new SqliteBilledDays(this.db, () => this.durable());
    this.tagRollups = new TagRollups(this.db);
    this.valueRollupsFromMs = (this.db.prepare('SELECT from_ms FROM value_rollups_from').get() as { from_ms: number }).from_ms;
    // Batches stored but not folded when the last process stopped are folded now, on this connection;
    // later inserts and folds run on the writer thread (a ':memory:' database has no file to share).
    const inline = new InlineWrites(this.db);
    this.folds = new RollupFolds(
      this.db,
      inline,
      this.foldSettings,
      (err) => {
        this.writeFailure = { atMs: Date.now(), message: err.message };
        this.logger.error(`folding stored batches into the rollups failed, will retry: ${err.message}`);
      },
      (batch) => this.logger.error(setAsideMessage(batch)),
    );
    const isStored = this.db.prepare('SELECT 1 AS found FROM records WHERE id = ?');
    this.capacity = new DayCapacity(
      (tenant, dayStartMs) => this.dayTotals(tenant, dayStartMs),
      (id) => isStored.get(id) !== undefined,
    );
    await this.folds.foldForRead();
    if (this.path !== ':memory:') this.db.exec(NO_AUTOCHECKPOINT); // the checkpointer thread's job
    this.writes = this.path === ':memory:' ? inline : new ThreadWrites(this.path, BUSY_TIMEOUT_MS);
    this.folds.use(this.writes);
  }

  /**
   * The main connection, once the files are known to be writable: SQLite writes its `-shm` file through
   * a memory mapping, and writing a mapped page of a file made immutable kills the process (SIGBUS).
   * Asked before every use, so a store whose files stop being writable answers errors (503) instead.
   */
  /** This process's writer's mark (see StoreWriter.insertAll). */
  private get markStatement(): StatementSync {
    return (this.markQuery ??= this.db.prepare('SELECT seq FROM write_marks WHERE writer = ?'));
  }

  private get db(): DatabaseSync {
    this.assertWritable();
    return this.connection;
  }

  private assertWritable(): void {
    if (this.path === ':memory:') return;
    const unwritable = unwritableFiles(this.path);
    if (unwritable !== null) throw new Error(unwritable);
  }

  private noteWrite<T>(write: Promise<T>): Promise<T> {
    return write.then(
      (result) => {
        this.writeFailure = null;
        return result;
      },
      (err: Error) => {
        this.writeFailure = { atMs: Date.now(), message: err.message };
        throw err;
      },
    );
  }

  /** Resolves once every write committed so far is on disk. */
  private async durable(): Promise<void> {
    if (this.walSync) await this.walSync.durable(this.walSync.commit());
  }

  async close(): Promise<void> {
    if (this.connection?.isOpen) {
      await this.folds?.close();
      await this.writes?.close();
      this.forgetMark();
      this.connection.close();
    }
  }

  /** This process's writer's mark is of no use once it stops writing (the next start has a writer of its own). */
  private forgetMark(): void {
    if (!this.writes) return;
    try {
      this.db.prepare('DELETE FROM write_marks WHERE writer = ?').run(this.writes.writer);
    } catch {
      // Unwritable or busy: a row left behind is a few bytes, read by no one.
    }
  }

  /**
   * Ready when the files can be written, every stored batch can be folded into the rollups (reads
   * need that), and no write failed in the last RECENT_FAILURE_MS: a full disk says so here.
   */
  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
    await this.noteWrite(this.folds.foldForRead());
    const failure = this.writeFailure;
    if (failure && Date.now() - failure.atMs < RECENT_FAILURE_MS)
      throw new Error(`a write failed ${Math.round((Date.now() - failure.atMs) / 1000)} s ago: ${failure.message}`);
  }

  /** `prepared`: the batch an ingest thread prepared of the records (then `records` may be empty: the batch holds them). */
  async ingest(records: UsageRecord[], prepared?: PreparedIngest): Promise<IngestOutcome> {
    const batch = prepared?.store === 'sqlite' ? prepared : undefined;
    if (!batch) return this.ingestRecords(records);
    if (batch.count === 0) return { stored: [], duplicates: 0 };
    this.assertWritable();
    // Room for the whole batch in each of its days; else record by record, to tell which do not fit.
    const reservation = batch.days && (await this.capacity.reserve(batch.days));
    if (!reservation) return this.ingestRecords(recordsOf(batch), batch);
    let inserted: Inserted;
    try {
      inserted = await this.inserted(this.insertAndQueue(null, batch));
    } catch (err) {
      reservation.release();
      throw err;
    }
    const { stored, written } = inserted;
    if (stored === null) {
      reservation.settle([]);
      await this.durable();
      // Every record stored now: the records themselves only for whoever reads them (see recordsOf).
      return {
        get stored() {
          return recordsOf(batch);
        },
        duplicates: 0,
        written,
      };
    }
    const kept = new Set(stored);
    reservation.settle(recordsOf(batch).filter((r) => !kept.has(r)));
    await this.durable();
    return { stored, duplicates: batch.count - stored.length, ...(stored.length > 0 ? { written } : {}) };
  }

  /** A batch given as records, or prepared and record by record (`prepared`: of use only while every record is written). */
  private async ingestRecords(records: UsageRecord[], prepared?: PreparedBatch): Promise<IngestOutcome> {
    if (records.length === 0) return { stored: [], duplicates: 0 };
    this.assertWritable();
    // A record the rollups could not add fails its whole batch now, before anything is stored.
    for (const r of records) assertFoldable(r);
    // Records a tenant's day cannot hold are refused here, so no fold can ever overflow.
    const { admitted, refused, settle, release } = await this.capacity.admit(records);
    const whole = prepared && admitted.length === records.length ? prepared : undefined;
    let stored: UsageRecord[] = [];
    let written: SqliteWritten | undefined;
    if (admitted.length > 0) {
      try {
        const inserted = await this.inserted(this.insertAndQueue(admitted, whole));
        stored = inserted.stored ?? admitted;
        written = inserted.written;
      } catch (err) {
        release();
        throw err;
      }
    }
    settle(new Set(stored));
    await this.durable();
    return {
      stored,
      duplicates: admitted.length - stored.length,
      ...(refused.length > 0 ? { refused } : {}),
      ...(stored.length > 0 && written ? { written } : {}),
    };
  }

  /** An insert under way, named in `inserting` until it settles (a read whose snapshot names its batch waits for it). */
  private async inserted(writing: Promise<Inserted>): Promise<Inserted> {
    this.inserting.add(writing);
    try {
      return await writing;
    } finally {
      this.inserting.delete(writing);
    }
  }

  /**
   * Inserts the records (`admitted`, or the prepared batch's rows when every record of it is written)
   * and queues those stored now for their fold; resolves with those, or null when every one was, and
   * where the insert stands among this process's (see aggregateHeld).
   */
  private async insertAndQueue(admitted: UsageRecord[] | null, whole: PreparedBatch | undefined): Promise<Inserted> {
    const writer = this.writes.writer;
    const outcome = await this.noteWrite(this.writes.insert(admitted ?? [], whole?.rows));
    const written: SqliteWritten = { writer, seq: outcome.seq, firstRowid: outcome.firstRowid };
    const count = admitted?.length ?? whole!.count;
    // Into every rollup (tag rollups too) within milliseconds, or at once when something reads them:
    // see RollupFolds and RollupWriter.
    if (whole && outcome.stored.length === count) {
      this.folds.queue(outcome.firstRowid, { count, sums: whole.sums });
      return { stored: null, written };
    }
    const records = admitted ?? recordsOf(whole!);
    const stored = outcome.stored.map((index) => records[index]);
    if (stored.length > 0) this.folds.queue(outcome.firstRowid, { count: stored.length, sums: null, records: stored });
    return { stored: stored.length === records.length ? null : stored, written };
  }

  async correctRecords(corrections: RecordCorrection[]): Promise<string[]> {
    // Every stored record in the rollups first: a record folded later, from its doc, would count its corrected cost twice.
    await this.folds.foldForRead();
    let left = corrections;
    while (left.length > 0) {
      const { taken } = await this.writes.correct(
        left.map((c) => [c.next.id, revisionOf(c.previous), encodeRecord(c.next)]),
        correctionPlan(left),
      );
      if (taken.length === 0) break;
      // Corrected meanwhile by another run (or not folded yet, by another process): left out, the rest again.
      const out = new Set(taken);
      left = left.filter((_, i) => !out.has(i));
    }
    await this.durable();
    return left.map((c) => c.next.id);
  }

  /** A tenant's UTC day as the rollups hold it once every stored batch is folded: where DayCapacity starts. */
  private async dayTotals(tenant: string, dayStartMs: number): Promise<DayTotals> {
    await this.folds.foldForRead();
    const statement = this.db.prepare(`SELECT ${MEASURE_SUMS} FROM rollup_totals WHERE tenant = ? AND bucket >= ? AND bucket < ?`);
    statement.setReadBigInts(true);
    const row = statement.get(tenant, dayStartMs, dayStartMs + DAY_MS) as Record<string, bigint | number | null>;
    const { costNanos, tokens } = row.calls === null ? zeroTotals() : totalsOf(summedMeasures(row));
    return { costNanos, tokens };
  }

  /** Batches stored but never folded because the rollups could not hold them (see RollupFolds). */
  setAside(): (SetAsideBatch & { lastRowid: number; atMs: number })[] {
    const rows = this.db.prepare('SELECT first_rowid, last_rowid, reason, at_ms FROM set_aside ORDER BY first_rowid').all() as {
      first_rowid: number;
      last_rowid: number;
      reason: string;
      at_ms: number;
    }[];
    return rows.map((r) => ({
      firstRowid: r.first_rowid,
      lastRowid: r.last_rowid,
      records: r.last_rowid - r.first_rowid + 1,
      reason: r.reason,
      atMs: r.at_ms,
    }));
  }

  async aggregate(query: RollupQuery): Promise<RollupRow[]> {
    this.assertWritable();
    return (
      await this.readCurrent(
        () => this.rollupRows(query),
        (rows, unfolded) => withUnfolded(rows, query, unfolded),
      )
    ).result;
  }

  /**
   * In the snapshot the rows are read in, this process's writer's mark says which of its inserts had
   * committed: the rows hold each of those but the batches left unfolded in that snapshot (none
   * unless another process's batches made the read fold first, see readCurrent), and none after it.
   */
  async aggregateHeld(query: RollupQuery): Promise<HeldRows> {
    this.assertWritable();
    const writer = this.writes.writer;
    const read = () => ({ rows: this.rollupRows(query), mark: (this.markStatement.get(writer) as { seq: number } | undefined)?.seq ?? 0 });
    const { result, left } = await this.readCurrent(read, ({ rows, mark }, unfolded) => ({ rows: withUnfolded(rows, query, unfolded), mark }));
    return {
      rows: result.rows,
      holds: (written) => {
        const w = written as SqliteWritten;
        return w.writer === writer ? w.seq <= result.mark && !left.has(w.firstRowid) : null;
      },
    };
  }

  private rollupRows(query: RollupQuery): RollupRow[] {
    return hasTagFilter(query.tags) || query.byTagSet ? this.tagRollups.aggregate(query) : (narrowAggregate(this.db, query) ?? this.fullAggregate(query));
  }

  /**
   * `read` over the rollups as they stand with every acknowledged batch in them. Under ingest a read
   * does not wait for the fold of the batches stored before it: `addUnfolded` adds their records to
   * what it read in the same snapshot (see RollupFolds.readWithUnfolded); when another process
   * stored some of them, it reads after folding what waits, leaving out the batches stored while
   * that fold ran (`left`: the first rowids of the batches that read's snapshot names unfolded).
   */
  private async readCurrent<T>(read: () => T, addUnfolded: (result: T, unfolded: UnfoldedBatch[]) => T): Promise<{ result: T; left: ReadonlySet<number> }> {
    const answered = await this.folds.readWithUnfolded(read, () => Promise.allSettled(this.inserting));
    if (answered) return { result: addUnfolded(answered.result, answered.unfolded), left: new Set() };
    await this.noteWrite(this.folds.foldForRead());
    return this.folds.readLeavingUnfolded(read);
  }

  /** Its bucket rollups answer any pair of dimensions in SQL, from an index: nothing to keep. */
  async keepPairRollups(_tenant: string, _pairs: readonly DimensionPair[]): Promise<void> {}

  /**
   * From the one-dimension rollups, where folds keep each conversation's and tag value's sums; the
   * days before `valueRollupsFromMs` (stored before they were) are left to the caller.
   */
  async valueSums(query: ValueRollupQuery): Promise<ValueSums> {
    this.assertWritable();
    // Its one-dimension rollups keep no conversation's dimensions: a filtered breakdown reads the calls.
    if (isFiltered(query.filters)) return { values: [], more: false, uncovered: [{ fromMs: query.fromMs, toMs: query.toMs }] };
    const from = Math.min(query.toMs, Math.max(query.fromMs, this.valueRollupsFromMs));
    const uncovered = from > query.fromMs ? [{ fromMs: query.fromMs, toMs: from }] : [];
    if (from === query.toMs) return { values: [], more: false, uncovered };
    const covered = { ...query, fromMs: from };
    // At most one value more than asked for: enough to tell that there are more.
    const read = () => {
      const { statement, params } = oneDimension(this.db, query.tenant, query.by, from, query.toMs, undefined, true);
      statement.setReadBigInts(true);
      const byValue = new Map<string, RollupTotals>();
      for (const row of statement.iterate(...params) as Iterable<Record<string, bigint | string>>) {
        byValue.set(row.value as string, totalsOf(summedMeasures(row)));
        if (byValue.size > query.maxValues) break;
      }
      return byValue;
    };
    const { result: byValue } = await this.readCurrent(read, (sums, unfolded) => withUnfoldedValues(sums, covered, unfolded));
    const values = [...byValue].map(([value, totals]) => ({ value, totals }));
    return { values: values.slice(0, query.maxValues), more: values.length > query.maxValues, uncovered };
  }

  /** Over the full rollups: any filters, any grouping. */
  private fullAggregate(query: RollupQuery): RollupRow[] {
    const groups = query.groupBy.map((g) => (g === 'bucket' ? 'bucket' : DIMENSION_COLUMNS[g]));
    const { where, params } = whereClause(query.tenant, query.fromMs, query.toMs, query.filters, 'bucket');
    const sql = `SELECT ${[...groups, ''].join(', ')} ${MEASURE_SUMS}
      FROM rollups WHERE ${where} ${groups.length ? `GROUP BY ${groups.join(', ')}` : ''}`;
    const statement = this.db.prepare(sql);
    statement.setReadBigInts(true);
    return boundedRows(statement, params, query, (row) => {
      const key: RollupRow['key'] = {};
      for (const g of query.groupBy) {
        if (g === 'bucket') key.bucket = Number(row.bucket);
        else key[g] = row[DIMENSION_COLUMNS[g]] === '' ? null : (row[DIMENSION_COLUMNS[g]] as string);
      }
      return key;
    });
  }

  async listRecords(query: RecordQuery): Promise<RecordPage> {
    const { where, params } = whereClause(query.tenant, query.fromMs, query.toMs, query.filters, 'time_ms');
    let cursorClause = '';
    if (query.cursor) {
      const c = decodeCursor(query.cursor);
      cursorClause = 'AND (time_ms < ? OR (time_ms = ? AND id < ?))';
      params.push(c.timeMs, c.timeMs, c.id);
    }
    const rows = this.db
      .prepare(`SELECT id, time_ms, doc FROM records WHERE ${where} ${cursorClause} ORDER BY time_ms DESC, id DESC LIMIT ?`)
      .all(...params, query.limit + 1) as { id: string; time_ms: number; doc: string }[];
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { records: page.map((r) => decodeRecord(r.doc)), nextCursor: rows.length > query.limit && last ? encodeCursor(last.time_ms, last.id) : null };
  }

  async getRecord(tenant: string, id: string): Promise<UsageRecord | null> {
    const row = this.db.prepare('SELECT doc FROM records WHERE id = ? AND tenant = ?').get(id, tenant) as { doc: string } | undefined;
    return row ? decodeRecord(row.doc) : null;
  }

  async *streamRecords(query: Omit<RecordQuery, 'cursor' | 'limit'>): AsyncIterable<UsageRecord> {
    const { where, params } = whereClause(query.tenant, query.fromMs, query.toMs, query.filters, 'time_ms');
    // Pages by (time, id) so no statement stays open across the consumer's awaits.
    let after: { timeMs: number; id: string } | null = null;
    const pageSize = 1000;
    for (;;) {
      const cursor: unknown[] = after ? [after.timeMs, after.timeMs, after.id] : [];
      const rows = this.db
        .prepare(
          `SELECT id, time_ms, doc FROM records WHERE ${where} ${after ? 'AND (time_ms > ? OR (time_ms = ? AND id > ?))' : ''} ORDER BY time_ms, id LIMIT ?`,
        )
        .all(...params, ...(cursor as (string | number)[]), pageSize) as { id: string; time_ms: number; doc: string }[];
      for (const row of rows) yield decodeRecord(row.doc);
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1];
      after = { timeMs: last.time_ms, id: last.id };
    }
  }

  async purgeRecordsBefore(beforeMs: number): Promise<number> {
    // Records not yet folded into the rollups stay until they are (a late span can be old).
    this.assertWritable();
    await this.folds.fold();
    const firstUnfolded = this.folds.firstUnfoldedRowid();
    const purged =
      firstUnfolded === null
        ? this.db.prepare('DELETE FROM records WHERE time_ms < ?').run(beforeMs)
        : this.db.prepare('DELETE FROM records WHERE time_ms < ? AND rowid < ?').run(beforeMs, firstUnfolded);
    await this.durable();
    return Number(purged.changes);
  }

  async createApiKey(k: ApiKeyRecord): Promise<void> {
    this.db
      .prepare('INSERT INTO api_keys (id, hash, role, tenant, name, created_at_ms, revoked_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(k.id, k.hash, k.role, k.tenant, k.name, k.createdAtMs, k.revokedAtMs);
    await this.durable();
  }

  async findApiKey(hash: string): Promise<ApiKeyRecord | null> {
    const row = this.db.prepare('SELECT * FROM api_keys WHERE hash = ? AND revoked_at_ms IS NULL').get(hash) as KeyRow | undefined;
    return row ? keyFromRow(row) : null;
  }

  async listApiKeys(tenant: string | null): Promise<ApiKeyRecord[]> {
    const rows = (tenant === null
      ? this.db.prepare('SELECT * FROM api_keys ORDER BY created_at_ms DESC, id').all()
      : this.db.prepare('SELECT * FROM api_keys WHERE tenant = ? ORDER BY created_at_ms DESC, id').all(tenant)) as unknown as KeyRow[];
    return rows.map(keyFromRow);
  }

  async revokeApiKey(id: string, tenant: string | null, atMs: number): Promise<boolean> {
    const result =
      tenant === null
        ? this.db.prepare('UPDATE api_keys SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL').run(atMs, id)
        : this.db.prepare('UPDATE api_keys SET revoked_at_ms = ? WHERE id = ? AND tenant = ? AND revoked_at_ms IS NULL').run(atMs, id, tenant);
    await this.durable();
    return Number(result.changes) === 1;
  }

  async hasApiKeys(): Promise<boolean> {
    return this.db.prepare('SELECT 1 AS found FROM api_keys WHERE revoked_at_ms IS NULL LIMIT 1').get() !== undefined;
  }
}

function setAsideMessage(batch: SetAsideBatch): string {
  return (
    `a stored batch of ${batch.records} records (from rowid ${batch.firstRowid}) was set aside, never to be counted: ${batch.reason}. ` +
    'Its records stay in the raw usage and exports; totals, budgets and alerts leave them out (table set_aside lists such batches)'
  );
}

interface KeyRow {
  id: string;
  hash: string;
  role: string;
  tenant: string | null;
  name: string | null;
  created_at_ms: number;
  revoked_at_ms: number | null;
}

function keyFromRow(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id,
    hash: row.hash,
    role: row.role as ApiKeyRecord['role'],
    tenant: row.tenant,
    name: row.name,
    createdAtMs: row.created_at_ms,
    revokedAtMs: row.revoked_at_ms,
  };
}

const DAY_MS = 86_400_000;

function rowTotals(key: RollupRow['key'], row: Record<string, bigint | string | number | null>): RollupRow {
  return { key, ...totalsOf(summedMeasures(row)) };
}

/**
 * Answers from the narrow rollups when the query touches at most one dimension (filtered and/or
 * grouped by it): rollup_totals when none, rollup_dims for that one. Null when the full rollups are
 * needed.
 */
function narrowAggregate(db: DatabaseSync, query: RollupQuery): RollupRow[] | null {
  const filtered = Object.keys(query.filters).filter((k) => query.filters[k as RollupDimension] !== undefined) as RollupDimension[];
  const grouped = query.groupBy.filter((g): g is RollupDimension => g !== 'bucket');
  const dims = [...new Set([...filtered, ...grouped])];
  if (dims.length > 1) return null;
  const byBucket = query.groupBy.includes('bucket');
  let statement: StatementSync;
  let params: (string | number)[];
  if (dims.length === 0) {
    statement = db.prepare(
      `SELECT ${byBucket ? 'bucket, ' : ''}${MEASURE_SUMS} FROM rollup_totals WHERE tenant = ? AND bucket >= ? AND bucket < ?${byBucket ? ' GROUP BY bucket' : ''}`,
    );
    params = [query.tenant, query.fromMs, query.toMs];
  } else if (!byBucket) {
    ({ statement, params } = oneDimension(db, query.tenant, dims[0], query.fromMs, query.toMs, query.filters[dims[0]], grouped.length > 0));
  } else {
    const [dim] = dims;
    const value = query.filters[dim];
    const groups = ['bucket', ...(grouped.length ? ['value'] : [])];
    statement = db.prepare(
      `SELECT ${groups.map((g) => `${g}, `).join('')}${MEASURE_SUMS} FROM rollup_dims${byValue('rollup_dims', value)} WHERE tenant = ? AND dim = ? AND bucket >= ? AND bucket < ?${value !== undefined ? ' AND value = ?' : ''} GROUP BY ${groups.join(', ')}`,
    );
    params = [query.tenant, dim, query.fromMs, query.toMs, ...(value !== undefined ? [value] : [])];
  }
  statement.setReadBigInts(true);
  return boundedRows(statement, params, query, (row) => {
    const key: RollupRow['key'] = {};
    if (byBucket) key.bucket = Number(row.bucket);
    if (grouped.length) key[grouped[0]] = row.value === '' ? null : (row.value as string);
    return key;
  });
}

/**
 * The statement's rows of calls as report rows, read one at a time: past the query's `maxRows` the
 * read stops (TooManyRowsError), so it never holds more than that many.
 */
function boundedRows(
  statement: StatementSync,
  params: (string | number)[],
  query: RollupQuery,
  keyOf: (row: Record<string, bigint | string | null>) => RollupRow['key'],
): RollupRow[] {
  const rows: RollupRow[] = [];
  for (const row of statement.iterate(...params) as Iterable<Record<string, bigint | string | null>>) {
    if (row.calls === null) continue;
    if (rows.length === (query.maxRows ?? Infinity)) throw new TooManyRowsError(rows.length);
    rows.push(rowTotals(keyOf(row), row));
  }
  return rows;
}

/**
 * The sums of one dimension of rollup_dims (or a value breakdown kept there, see value-rollups.ts)
 * over a range, per value when `grouped`, of one value when `value` is given: whole UTC days from the
 * day rollups, the partial days at either edge (or a range of no whole day) from the 15-minute ones.
 */
function oneDimension(
  db: DatabaseSync,
  tenant: string,
  dim: string,
  fromMs: number,
  toMs: number,
  value: string | undefined,
  grouped: boolean,
): { statement: StatementSync; params: (string | number)[] } {
  const v = value !== undefined ? [value] : [];
  const valueClause = value !== undefined ? ' AND value = ?' : '';
  const firstDay = Math.ceil(fromMs / DAY_MS) * DAY_MS;
  const lastDay = Math.floor(toMs / DAY_MS) * DAY_MS;
  if (firstDay >= lastDay) {
    return {
      statement: db.prepare(
        `SELECT ${grouped ? 'value, ' : ''}${MEASURE_SUMS} FROM rollup_dims${byValue('rollup_dims', value)} WHERE tenant = ? AND dim = ? AND bucket >= ? AND bucket < ?${valueClause}${grouped ? ' GROUP BY value' : ''}`,
      ),
      params: [tenant, dim, fromMs, toMs, ...v],
    };
  }
  const part = (table: string, column: string) => `SELECT value, ${MEASURE_COLUMNS.join(', ')}
    FROM ${table}${byValue(table, value)} WHERE tenant = ? AND dim = ? AND ${column} >= ? AND ${column} < ?${valueClause}`;
  return {
    statement: db.prepare(
      `SELECT ${grouped ? 'value, ' : ''}${MEASURE_SUMS} FROM (${part('rollup_dims_day', 'day')} UNION ALL ${part('rollup_dims', 'bucket')} UNION ALL ${part('rollup_dims', 'bucket')})${grouped ? ' GROUP BY value' : ''}`,
    ),
    params: [tenant, dim, firstDay, lastDay, ...v, tenant, dim, fromMs, firstDay, ...v, tenant, dim, lastDay, toMs, ...v],
  };
}

/**
 * One value over a range reads that value's rows through the by-value index. Without statistics
 * SQLite prefers the primary key's range on the bucket, which reads every value's rows in the range.
 */
const byValue = (table: string, value: string | undefined) => (value === undefined ? '' : ` INDEXED BY ${table}_by_value`);

function whereClause(
  tenant: string,
  fromMs: number,
  toMs: number,
  filters: DimensionFilters,
  timeColumn: string,
): { where: string; params: (string | number)[] } {
  const clauses = ['tenant = ?', `${timeColumn} >= ?`, `${timeColumn} < ?`];
  const params: (string | number)[] = [tenant, fromMs, toMs];
  for (const dimension of ROLLUP_DIMENSIONS) {
    const value = filters[dimension];
    if (value === undefined) continue;
    clauses.push(`${DIMENSION_COLUMNS[dimension]} = ?`);
    params.push(value);
  }
  return { where: clauses.join(' AND '), params };
}
