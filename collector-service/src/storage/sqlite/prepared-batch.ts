import { TOKEN_KINDS, type TokenKind, type UsageRecord } from '../../usage/usage-record';
import { decodeRecord } from '../record-codec';
import { assertFoldable, foldSums, packFoldSums, type PackedSums } from './rollup-writer';
import { recordRow } from './store-writer';
import type { RecordRow } from './store-writer.worker';

const DAY_MS = 86_400_000;

/** What a batch's records add to one tenant's UTC day (see DayCapacity). */
export interface DayShare {
  tenant: string;
  dayStartMs: number;
  costNanos: bigint;
  tokens: Record<TokenKind, number>;
}

/**
 * A batch an ingest thread prepared for this store from the records it priced, so the event loop
 * neither receives the records (a structured clone of every one) nor encodes them or walks them to
 * plan their fold: the rows the writer thread inserts, what the records add to every rollup row and
 * to each tenant's day, their count and tenants. The records themselves are decoded from the rows
 * only where a batch needs them one by one (`recordsOf`): some of them stored before or refused.
 * Prepared only when every record can be folded (see isFoldable).
 */
export interface PreparedBatch {
  store: 'sqlite';
  /**
   * The records' rows (RecordRow[]) as JSON text in UTF-8, in record order: shared between the ingest
   * thread, the event loop and the writer thread, never copied (nothing writes to it once encoded).
   */
  rows: SharedArrayBuffer;
  /** What the records add to every rollup row, packed (shared between threads, never cloned: see PackedSums). */
  sums: PackedSums;
  count: number;
  tenants: string[];
  /**
   * What the records add to each tenant's day, when none of them takes anything away (no negative
   * cost): then a day that holds the whole batch holds every record of it. Null otherwise.
   */
  days: DayShare[] | null;
}

/** Whether the rollups can add the record (see assertFoldable): a batch is prepared only when every record can be. */
export function isFoldable(record: UsageRecord): boolean {
  try {
    assertFoldable(record);
    return true;
  } catch {
    return false;
  }
}

export function prepareBatch(records: readonly UsageRecord[]): PreparedBatch {
  return {
    store: 'sqlite',
    rows: shared(new TextEncoder().encode(JSON.stringify(records.map(recordRow)))),
    sums: packFoldSums(foldSums(records)),
    count: records.length,
    tenants: [...new Set(records.map((r) => r.tenant))],
    days: dayShares(records),
  };
}

/** The bytes in a buffer every thread can read without a copy. */
function shared(bytes: Uint8Array): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  return buffer;
}

/** What records add to each tenant's UTC day, or null when one of them takes something away (see DayCapacity.reserve). */
export function dayShares(records: readonly UsageRecord[]): DayShare[] | null {
  const days = new Map<string, DayShare>();
  for (const r of records) {
    if (r.costNanos !== null && r.costNanos < 0n) return null;
    if (TOKEN_KINDS.some((kind) => r.tokens[kind] < 0)) return null;
    const dayStartMs = Math.floor(r.timeMs / DAY_MS) * DAY_MS;
    const key = `${r.tenant}\u0000${dayStartMs}`;
    let day = days.get(key);
    if (!day)
      days.set(key, (day = { tenant: r.tenant, dayStartMs, costNanos: 0n, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 } }));
    if (r.costNanos !== null) day.costNanos += r.costNanos;
    for (const kind of TOKEN_KINDS) day.tokens[kind] += r.tokens[kind];
  }
  return [...days.values()];
}

/** The batch's records, decoded from its rows once (the rows must still be here: see ThreadWrites.insert). */
export function recordsOf(batch: PreparedBatch): UsageRecord[] {
  let records = decoded.get(batch);
  if (!records) {
    const rows = JSON.parse(new TextDecoder().decode(new Uint8Array(batch.rows))) as RecordRow[];
    decoded.set(batch, (records = rows.map((row) => decodeRecord(row[11]))));
  }
  return records;
}

const decoded = new WeakMap<PreparedBatch, UsageRecord[]>();
