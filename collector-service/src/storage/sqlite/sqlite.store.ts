import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { UsageRecord } from '../../usage/usage-record';
import { checkAddress, decodeDocument, encodeDocument } from '../documents';
import { decodeCursor, decodeRecord, encodeCursor, encodeRecord } from '../record-codec';
import {
  type ApiKeyRecord,
  BUCKET_MS,
  type DimensionFilters,
  type DocumentBody,
  type DocumentEntry,
  type IngestOutcome,
  type RecordPage,
  type RecordQuery,
  ROLLUP_DIMENSIONS,
  type RollupDimension,
  type RollupQuery,
  type RollupRow,
  type StoragePort,
} from '../storage.port';
import { migrate } from './schema';

/** Rollup columns, in ROLLUP_DIMENSIONS order. Missing dimensions are stored as '' so they take part in the primary key. */
const DIMENSION_COLUMNS: Record<RollupDimension, string> = {
  provider: 'provider',
  model: 'model',
  costType: 'cost_type',
  user: 'user_id',
  agent: 'agent',
  feature: 'feature',
  service: 'service',
  status: 'status',
};

const dimensionValues = (r: UsageRecord): string[] => [r.provider, r.model, r.costType, r.user ?? '', r.agent ?? '', r.feature ?? '', r.service, r.status];

interface RollupDelta {
  bucket: number;
  dims: string[];
  costNanos: bigint;
  calls: number;
  errorCalls: number;
  unpricedCalls: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
  durationMs: number;
}

/**
 * The embedded store: one SQLite file (Node's built-in node:sqlite), WAL journal. Each ingest is one
 * transaction that inserts the records it has not seen (primary key = trace id + span id) and adds
 * exactly those to the 15-minute rollups, so a retried batch, a crash mid-batch, or two writers on
 * one file can never count a record twice or keep a rollup without its record.
 */
export class SqliteStore implements StoragePort {
  readonly kind = 'sqlite' as const;
  private db!: DatabaseSync;
  private insertRecord!: StatementSync;
  private upsertRollup!: StatementSync;
  private upsertTotal!: StatementSync;
  private upsertDim!: StatementSync;
  private upsertDimDay!: StatementSync;

  constructor(private readonly path: string) {}

  async init(): Promise<void> {
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
    this.db = new DatabaseSync(this.path);
    // WAL lets readers run while a batch is written; synchronous=FULL makes a commit durable across
    // power loss, which is what acknowledging an OTLP request promises. busy_timeout lets a second
    // process on the same file wait for the write lock instead of failing.
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;');
    migrate(this.db);
    this.insertRecord = this.db.prepare(
      `INSERT INTO records (id, tenant, time_ms, provider, model, cost_type, user_id, agent, feature, service, status, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.upsertRollup = this.db.prepare(
      `INSERT INTO rollups (tenant, bucket, provider, model, cost_type, user_id, agent, feature, service, status,
         cost_nanos, calls, error_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, duration_ms_sum)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant, bucket, provider, model, cost_type, user_id, agent, feature, service, status) DO UPDATE SET
         cost_nanos = cost_nanos + excluded.cost_nanos, calls = calls + excluded.calls, error_calls = error_calls + excluded.error_calls,
         unpriced_calls = unpriced_calls + excluded.unpriced_calls, input_tokens = input_tokens + excluded.input_tokens,
         output_tokens = output_tokens + excluded.output_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
         cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
         duration_ms_sum = duration_ms_sum + excluded.duration_ms_sum`,
    );
    const measures = 'cost_nanos, calls, error_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, duration_ms_sum';
    const accumulate = measures
      .split(', ')
      .map((m) => `${m} = ${m} + excluded.${m}`)
      .join(', ');
    this.upsertTotal = this.db.prepare(
      `INSERT INTO rollup_totals (tenant, bucket, ${measures}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, bucket) DO UPDATE SET ${accumulate}`,
    );
    this.upsertDim = this.db.prepare(
      `INSERT INTO rollup_dims (tenant, dim, bucket, value, ${measures}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, dim, bucket, value) DO UPDATE SET ${accumulate}`,
    );
    this.upsertDimDay = this.db.prepare(
      `INSERT INTO rollup_dims_day (tenant, dim, day, value, ${measures}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, dim, day, value) DO UPDATE SET ${accumulate}`,
    );
  }

  async close(): Promise<void> {
    if (this.db?.isOpen) this.db.close();
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async ingest(records: UsageRecord[]): Promise<IngestOutcome> {
    const stored: UsageRecord[] = [];
    const deltas = new Map<string, RollupDelta>();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const r of records) {
        const dims = dimensionValues(r);
        const { changes } = this.insertRecord.run(r.id, r.tenant, r.timeMs, r.provider, r.model, r.costType, r.user, r.agent, r.feature, r.service, r.status, encodeRecord(r));
        if (Number(changes) === 0) continue;
        stored.push(r);
        const bucket = Math.floor(r.timeMs / BUCKET_MS) * BUCKET_MS;
        const key = `${r.tenant}\u0000${bucket}\u0000${dims.join('\u0000')}`;
        let delta = deltas.get(key);
        if (!delta) {
          delta = { bucket, dims, costNanos: 0n, calls: 0, errorCalls: 0, unpricedCalls: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, durationMs: 0 };
          deltas.set(key, delta);
        }
        delta.calls++;
        if (r.status === 'error') delta.errorCalls++;
        if (r.costNanos === null) delta.unpricedCalls++;
        else delta.costNanos += r.costNanos;
        delta.input += r.tokens.input;
        delta.output += r.tokens.output;
        delta.cacheRead += r.tokens.cacheRead;
        delta.cacheWrite += r.tokens.cacheWrite;
        delta.reasoning += r.tokens.reasoning;
        delta.durationMs += r.durationMs;
      }
      const totals = new Map<string, RollupDelta>();
      const byDimension = new Map<string, RollupDelta>();
      const byDimensionDay = new Map<string, RollupDelta>();
      for (const [key, d] of deltas) {
        const tenant = key.slice(0, key.indexOf('\u0000'));
        this.upsertRollup.run(tenant, d.bucket, ...d.dims, ...measuresOf(d));
        merge(totals, `${tenant}\u0000${d.bucket}`, d);
        const day = d.bucket - (d.bucket % DAY_MS);
        ROLLUP_DIMENSIONS.forEach((dimension, i) => {
          merge(byDimension, `${tenant}\u0000${dimension}\u0000${d.bucket}\u0000${d.dims[i]}`, d);
          merge(byDimensionDay, `${tenant}\u0000${dimension}\u0000${day}\u0000${d.dims[i]}`, d);
        });
      }
      for (const [key, d] of totals) this.upsertTotal.run(key.slice(0, key.indexOf('\u0000')), d.bucket, ...measuresOf(d));
      for (const [key, d] of byDimension) {
        const [tenant, dimension, , value] = key.split('\u0000');
        this.upsertDim.run(tenant, dimension, d.bucket, value, ...measuresOf(d));
      }
      for (const [key, d] of byDimensionDay) {
        const [tenant, dimension, day, value] = key.split('\u0000');
        this.upsertDimDay.run(tenant, dimension, Number(day), value, ...measuresOf(d));
      }
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
    return { stored, duplicates: records.length - stored.length };
  }

  async aggregate(query: RollupQuery): Promise<RollupRow[]> {
    return narrowAggregate(this.db, query) ?? this.fullAggregate(query);
  }

  /** Over the full rollups: any filters, any grouping. */
  private fullAggregate(query: RollupQuery): RollupRow[] {
    const groups = query.groupBy.map((g) => (g === 'bucket' ? 'bucket' : DIMENSION_COLUMNS[g]));
    const { where, params } = whereClause(query.tenant, query.fromMs, query.toMs, query.filters, 'bucket');
    const sql = `SELECT ${[...groups, ''].join(', ')}
        SUM(cost_nanos) AS cost_nanos, SUM(calls) AS calls, SUM(error_calls) AS error_calls, SUM(unpriced_calls) AS unpriced_calls,
        SUM(input_tokens) AS input, SUM(output_tokens) AS output, SUM(cache_read_tokens) AS cache_read,
        SUM(cache_write_tokens) AS cache_write, SUM(reasoning_tokens) AS reasoning, SUM(duration_ms_sum) AS duration_ms_sum
      FROM rollups WHERE ${where} ${groups.length ? `GROUP BY ${groups.join(', ')}` : ''}`;
    const statement = this.db.prepare(sql);
    statement.setReadBigInts(true);
    const rows = statement.all(...params) as Record<string, bigint | string | null>[];
    return rows
      .filter((row) => row.calls !== null)
      .map((row) => {
        const key: RollupRow['key'] = {};
        for (const g of query.groupBy) {
          if (g === 'bucket') key.bucket = Number(row.bucket);
          else key[g] = row[DIMENSION_COLUMNS[g]] === '' ? null : (row[DIMENSION_COLUMNS[g]] as string);
        }
        return rowTotals(key, row);
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

  async *streamRecords(query: Omit<RecordQuery, 'cursor' | 'limit'>): AsyncIterable<UsageRecord> {
    const { where, params } = whereClause(query.tenant, query.fromMs, query.toMs, query.filters, 'time_ms');
    // Pages by (time, id) so no statement stays open across the consumer's awaits.
    let after: { timeMs: number; id: string } | null = null;
    const pageSize = 1000;
    for (;;) {
      const cursor: unknown[] = after ? [after.timeMs, after.timeMs, after.id] : [];
      const rows = this.db
        .prepare(`SELECT id, time_ms, doc FROM records WHERE ${where} ${after ? 'AND (time_ms > ? OR (time_ms = ? AND id > ?))' : ''} ORDER BY time_ms, id LIMIT ?`)
        .all(...params, ...(cursor as (string | number)[]), pageSize) as { id: string; time_ms: number; doc: string }[];
      for (const row of rows) yield decodeRecord(row.doc);
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1];
      after = { timeMs: last.time_ms, id: last.id };
    }
  }

  async purgeRecordsBefore(beforeMs: number): Promise<number> {
    return Number(this.db.prepare('DELETE FROM records WHERE time_ms < ?').run(beforeMs).changes);
  }

  async createApiKey(k: ApiKeyRecord): Promise<void> {
    this.db
      .prepare('INSERT INTO api_keys (id, hash, role, tenant, name, created_at_ms, revoked_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(k.id, k.hash, k.role, k.tenant, k.name, k.createdAtMs, k.revokedAtMs);
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
    return Number(result.changes) === 1;
  }

  async hasApiKeys(): Promise<boolean> {
    return this.db.prepare('SELECT 1 AS found FROM api_keys WHERE revoked_at_ms IS NULL LIMIT 1').get() !== undefined;
  }

  async putDocument(kind: string, tenant: string, id: string, doc: DocumentBody): Promise<void> {
    const body = encodeDocument(kind, tenant, id, doc);
    this.db.prepare('INSERT INTO documents (kind, tenant, id, body) VALUES (?, ?, ?, ?) ON CONFLICT (kind, tenant, id) DO UPDATE SET body = excluded.body').run(kind, tenant, id, body);
  }

  async getDocument<T extends DocumentBody>(kind: string, tenant: string, id: string): Promise<T | null> {
    checkAddress(kind, tenant, id);
    const row = this.db.prepare('SELECT body FROM documents WHERE kind = ? AND tenant = ? AND id = ?').get(kind, tenant, id) as { body: string } | undefined;
    return row ? decodeDocument<T>(row.body) : null;
  }

  async listDocuments<T extends DocumentBody>(kind: string, tenant: string | null): Promise<DocumentEntry<T>[]> {
    const rows = (tenant === null
      ? this.db.prepare('SELECT tenant, id, body FROM documents WHERE kind = ? ORDER BY tenant, id').all(kind)
      : this.db.prepare('SELECT tenant, id, body FROM documents WHERE kind = ? AND tenant = ? ORDER BY id').all(kind, tenant)) as unknown as { tenant: string; id: string; body: string }[];
    return rows.map((r) => ({ tenant: r.tenant, id: r.id, doc: decodeDocument<T>(r.body) }));
  }

  async deleteDocument(kind: string, tenant: string, id: string): Promise<boolean> {
    checkAddress(kind, tenant, id);
    return Number(this.db.prepare('DELETE FROM documents WHERE kind = ? AND tenant = ? AND id = ?').run(kind, tenant, id).changes) === 1;
  }

  async insertOnce(kind: string, tenant: string, id: string, doc: DocumentBody): Promise<boolean> {
    const body = encodeDocument(kind, tenant, id, doc);
    // The primary key decides: of any number of writers on this file, exactly one inserts.
    return Number(this.db.prepare('INSERT INTO documents (kind, tenant, id, body) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(kind, tenant, id, body).changes) === 1;
  }
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

function merge(into: Map<string, RollupDelta>, key: string, d: RollupDelta): void {
  const m = into.get(key);
  if (!m) {
    into.set(key, { ...d });
    return;
  }
  m.costNanos += d.costNanos;
  m.calls += d.calls;
  m.errorCalls += d.errorCalls;
  m.unpricedCalls += d.unpricedCalls;
  m.input += d.input;
  m.output += d.output;
  m.cacheRead += d.cacheRead;
  m.cacheWrite += d.cacheWrite;
  m.reasoning += d.reasoning;
  m.durationMs += d.durationMs;
}

const measuresOf = (d: RollupDelta) => [d.costNanos, d.calls, d.errorCalls, d.unpricedCalls, d.input, d.output, d.cacheRead, d.cacheWrite, d.reasoning, d.durationMs] as const;

const SUMS = `SUM(cost_nanos) AS cost_nanos, SUM(calls) AS calls, SUM(error_calls) AS error_calls, SUM(unpriced_calls) AS unpriced_calls,
  SUM(input_tokens) AS input, SUM(output_tokens) AS output, SUM(cache_read_tokens) AS cache_read,
  SUM(cache_write_tokens) AS cache_write, SUM(reasoning_tokens) AS reasoning, SUM(duration_ms_sum) AS duration_ms_sum`;

function rowTotals(key: RollupRow['key'], row: Record<string, bigint | string | null>): RollupRow {
  return {
    key,
    costNanos: row.cost_nanos as bigint,
    calls: Number(row.calls),
    errorCalls: Number(row.error_calls),
    unpricedCalls: Number(row.unpriced_calls),
    tokens: { input: Number(row.input), output: Number(row.output), cacheRead: Number(row.cache_read), cacheWrite: Number(row.cache_write), reasoning: Number(row.reasoning) },
    durationMsSum: Number(row.duration_ms_sum),
  };
}

/**
 * Answers from the narrow rollups when the query touches at most one dimension (filtered and/or
 * grouped by it): rollup_totals when none, rollup_dims for that one. Null when the full rollups are
 * needed.
 */
function narrowAggregate(db: DatabaseSync, query: RollupQuery): RollupRow[] | null {
  const filtered = Object.keys(query.filters).filter((k) => query.filters[k as RollupDimension] !== undefined) as RollupDimension[];
  const grouped = query.groupBy.filter((g) => g !== 'bucket') as RollupDimension[];
  const dims = [...new Set([...filtered, ...grouped])];
  if (dims.length > 1) return null;
  const byBucket = query.groupBy.includes('bucket');
  let statement: StatementSync;
  let params: (string | number)[];
  if (dims.length === 0) {
    statement = db.prepare(`SELECT ${byBucket ? 'bucket, ' : ''}${SUMS} FROM rollup_totals WHERE tenant = ? AND bucket >= ? AND bucket < ?${byBucket ? ' GROUP BY bucket' : ''}`);
    params = [query.tenant, query.fromMs, query.toMs];
  } else if (!byBucket && Math.ceil(query.fromMs / DAY_MS) * DAY_MS < Math.floor(query.toMs / DAY_MS) * DAY_MS) {
    // Whole UTC days from the day rollups, the partial days at either edge from the 15-minute ones.
    const [dim] = dims;
    const value = query.filters[dim];
    const firstDay = Math.ceil(query.fromMs / DAY_MS) * DAY_MS;
    const lastDay = Math.floor(query.toMs / DAY_MS) * DAY_MS;
    const valueClause = value !== undefined ? ' AND value = ?' : '';
    const part = (table: string, column: string) => `SELECT value, cost_nanos, calls, error_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, duration_ms_sum
      FROM ${table}${byValue(table, value)} WHERE tenant = ? AND dim = ? AND ${column} >= ? AND ${column} < ?${valueClause}`;
    statement = db.prepare(
      `SELECT ${grouped.length ? 'value, ' : ''}${SUMS} FROM (${part('rollup_dims_day', 'day')} UNION ALL ${part('rollup_dims', 'bucket')} UNION ALL ${part('rollup_dims', 'bucket')})${grouped.length ? ' GROUP BY value' : ''}`,
    );
    const v = value !== undefined ? [value] : [];
    params = [query.tenant, dim, firstDay, lastDay, ...v, query.tenant, dim, query.fromMs, firstDay, ...v, query.tenant, dim, lastDay, query.toMs, ...v];
  } else {
    const [dim] = dims;
    const value = query.filters[dim];
    const groups = [...(byBucket ? ['bucket'] : []), ...(grouped.length ? ['value'] : [])];
    statement = db.prepare(
      `SELECT ${groups.map((g) => `${g}, `).join('')}${SUMS} FROM rollup_dims${byValue('rollup_dims', value)} WHERE tenant = ? AND dim = ? AND bucket >= ? AND bucket < ?${value !== undefined ? ' AND value = ?' : ''}${groups.length ? ` GROUP BY ${groups.join(', ')}` : ''}`,
    );
    params = [query.tenant, dim, query.fromMs, query.toMs, ...(value !== undefined ? [value] : [])];
  }
  statement.setReadBigInts(true);
  return (statement.all(...params) as Record<string, bigint | string | null>[])
    .filter((row) => row.calls !== null)
    .map((row) => {
      const key: RollupRow['key'] = {};
      if (byBucket) key.bucket = Number(row.bucket);
      if (grouped.length) key[grouped[0]] = row.value === '' ? null : (row.value as string);
      return rowTotals(key, row);
    });
}

/**
 * One value over a range reads that value's rows through the by-value index. Without statistics
 * SQLite prefers the primary key's range on the bucket, which reads every value's rows in the range.
 */
const byValue = (table: string, value: string | undefined) => (value === undefined ? '' : ` INDEXED BY ${table}_by_value`);

function whereClause(tenant: string, fromMs: number, toMs: number, filters: DimensionFilters, timeColumn: string): { where: string; params: (string | number)[] } {
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
