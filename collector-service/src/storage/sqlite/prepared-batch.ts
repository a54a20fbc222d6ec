import type { UsageRecord } from '../../usage/usage-record';
import { foldSums, type FoldSums } from './rollup-writer';
import { recordRow } from './store-writer';

/**
 * What an ingest thread prepares for this store from the records it priced, so the event loop neither
 * encodes them nor walks them to plan their fold: the rows the writer thread inserts, and what the
 * records add to every rollup row. Used as is only when the store writes every record of the batch
 * (the usual case); a batch partly refused or partly stored before is encoded and summed again from
 * the records it did store.
 */
export interface PreparedBatch {
  /** The records' rows (RecordRow[]) as JSON text in UTF-8, in record order: moved between threads, never copied. */
  rows: ArrayBuffer;
  sums: FoldSums;
}

export function prepareBatch(records: readonly UsageRecord[]): PreparedBatch {
  return { rows: new TextEncoder().encode(JSON.stringify(records.map(recordRow))).buffer, sums: foldSums(records) };
}
