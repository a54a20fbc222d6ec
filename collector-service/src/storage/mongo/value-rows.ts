import type { Binary } from 'mongodb';
import type { UsageRecord } from '../../usage/usage-record';
import { addRecord, addSums, type Sums, zeroSums } from '../rollup-measures';
import type { RecordCorrection } from '../storage.port';
import { BUCKET_MS } from '../storage.port';
import { CONVERSATION, valueKeysOf } from '../value-rollups';
import { packRowBytes, packRows, type SumsRow, unpackRows } from './sums-table';

/**
 * The value rollups' rows (see value-rollups.ts): the sums per 15-minute bucket, breakdown
 * (`conversation`, `tag:<key>`) and value, keyed [bucket, by, value]. A batch holds those of its
 * records beside its groups; compaction keeps them in one document per tenant, UTC day and kind.
 */
export const VALUE_PARTS = 3;

/** Which of a day's value documents holds a breakdown: conversations apart from tag values, so a breakdown by tag reads few rows. */
export type ValueKind = 'conversation' | 'tags';
export const VALUE_KINDS: readonly ValueKind[] = ['conversation', 'tags'];
export const valueKind = (by: string): ValueKind => (by === CONVERSATION ? 'conversation' : 'tags');

/** Adds a record's sums (or takes them away, `sign` -1) to the rows of each breakdown it has a value for. */
function addToRows(rows: Map<string, SumsRow>, r: UsageRecord, sign: 1 | -1): void {
  const bucket = Math.floor(r.timeMs / BUCKET_MS) * BUCKET_MS;
  const sums: Sums = zeroSums();
  addRecord(sums, r);
  for (const [by, value] of valueKeysOf(r)) {
    const key = [bucket, by, value];
    const id = JSON.stringify(key);
    let row = rows.get(id);
    if (!row) rows.set(id, (row = { key, sums: zeroSums() }));
    addSums(row.sums, sums, sign);
  }
}

/** The value rows of records added one by one, so records read from a cursor need not be held. */
export class ValueRowSums {
  private readonly rows = new Map<string, SumsRow>();

  add(r: UsageRecord): void {
    addToRows(this.rows, r, 1);
  }

  values(): SumsRow[] {
    return [...this.rows.values()];
  }
}

/** The value rows of some records. */
export function valueRows(records: Iterable<UsageRecord>): SumsRow[] {
  const rows = new ValueRowSums();
  for (const r of records) rows.add(r);
  return rows.values();
}

/** The value rows of the corrections' differences: next − previous. */
export function correctionValueRows(corrections: readonly RecordCorrection[]): SumsRow[] {
  const rows = new Map<string, SumsRow>();
  for (const { previous, next } of corrections) {
    addToRows(rows, previous, -1);
    addToRows(rows, next, 1);
  }
  return [...rows.values()];
}

const valueRowWhat = () => 'a batch value row';
export const packValues = (rows: readonly SumsRow[]): Binary => packRows(rows, VALUE_PARTS, valueRowWhat);
export const packValueBytes = (rows: readonly SumsRow[]): Buffer => packRowBytes(rows, VALUE_PARTS, valueRowWhat);
export const unpackValues = (blob: Binary): SumsRow[] => unpackRows(blob);
