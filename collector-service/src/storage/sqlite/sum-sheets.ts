import type { UsageRecord } from '../../usage/usage-record';
import { addRecord, addSums, type Sums, zeroSums } from '../rollup-measures';
import type { SqlValue } from './store-writer.worker';

/**
 * One rollup table's rows as records add to them, before any SQL: each row's key values and its sums,
 * by the key as text. Sheets of different batches merge row by row (`mergeSheet`), so records summed
 * once (on an ingest thread) are never walked again when their batches are folded together.
 */
export type SumSheet = Map<string, { key: SqlValue[]; sums: Sums }>;

/** Adds one record to the row `text` names (made with `key` when new). */
export function addRecordTo(sheet: SumSheet, text: string, key: SqlValue[], r: UsageRecord): void {
  let row = sheet.get(text);
  if (!row) sheet.set(text, (row = { key, sums: zeroSums() }));
  addRecord(row.sums, r);
}

/** Adds a row's sums to the row `text` names (made with `key` and a copy of the sums when new). */
export function addSumsTo(sheet: SumSheet, text: string, key: SqlValue[], sums: Sums): void {
  const row = sheet.get(text);
  if (row) addSums(row.sums, sums);
  else sheet.set(text, { key, sums: { ...sums } });
}

/** Adds every row of `from` into `into`. */
export function mergeSheet(into: SumSheet, from: SumSheet): void {
  for (const [text, row] of from) addSumsTo(into, text, row.key, row.sums);
}
