import { deserialize, serialize } from 'node:v8';
import { TOKEN_KINDS, type UsageRecord } from '../../usage/usage-record';
import { MEASURES as MEASURE_LIST } from '../rollup-measures';
import { BUCKET_MS, type RecordCorrection, ROLLUP_DIMENSIONS } from '../storage.port';
import type { PackedFold, SqlValue, WritePlan } from './store-writer.worker';
import { ACCUMULATE, dimensionValues, MEASURE_COLUMNS, measuresOf } from './rollup-columns';
import { addRecordTo, addSumsTo, mergeSheet, type SumSheet } from './sum-sheets';
import { addTagged, UPSERT_TAG_ROLLUP } from './tag-rollups';
import { valueKeysOf } from '../value-rollups';

const DAY_MS = 86_400_000;
const MEASURES = MEASURE_COLUMNS.join(', ');
/** Placeholders for `keys` key columns and the measures. */
const values = (keys: number) => Array.from({ length: keys + MEASURE_COLUMNS.length }, () => '?').join(', ');

/**
 * Refuses a record the rollups could not add (a bug upstream, not bad input: the normaliser makes
 * these fields). Checked while its batch is written, so a batch with one fails whole, before anything
 * is stored, instead of stopping every later fold.
 */
export function assertFoldable(r: UsageRecord): void {
  if (r.costNanos !== null && typeof r.costNanos !== 'bigint') throw new TypeError(`record ${r.id}: costNanos must be a bigint or null`);
  if (!Number.isFinite(r.durationMs)) throw new TypeError(`record ${r.id}: durationMs must be a finite number`);
  if (!Number.isFinite(r.timeMs)) throw new TypeError(`record ${r.id}: timeMs must be a finite number`);
  for (const kind of TOKEN_KINDS) {
    if (!Number.isSafeInteger(r.tokens[kind])) throw new TypeError(`record ${r.id}: tokens.${kind} must be an integer`);
  }
}

const UPSERT_ROLLUP = `INSERT INTO rollups (tenant, bucket, provider, model, cost_type, user_id, agent, feature, service, status, ${MEASURES})
  VALUES (${values(2 + ROLLUP_DIMENSIONS.length)})
  ON CONFLICT (tenant, bucket, provider, model, cost_type, user_id, agent, feature, service, status) DO UPDATE SET ${ACCUMULATE}`;
const UPSERT_TOTAL = `INSERT INTO rollup_totals (tenant, bucket, ${MEASURES}) VALUES (${values(2)}) ON CONFLICT (tenant, bucket) DO UPDATE SET ${ACCUMULATE}`;
const UPSERT_DIM = `INSERT INTO rollup_dims (tenant, dim, bucket, value, ${MEASURES}) VALUES (${values(4)}) ON CONFLICT (tenant, dim, bucket, value) DO UPDATE SET ${ACCUMULATE}`;
const UPSERT_DIM_DAY = `INSERT INTO rollup_dims_day (tenant, dim, day, value, ${MEASURES}) VALUES (${values(4)}) ON CONFLICT (tenant, dim, day, value) DO UPDATE SET ${ACCUMULATE}`;

/** What records add to every rollup table, summed per row (see SumSheet): a fold's writes before any SQL. */
export interface FoldSums {
  rollups: SumSheet;
  totals: SumSheet;
  dims: SumSheet;
  dimsDay: SumSheet;
  tags: SumSheet;
}

export const emptyFoldSums = (): FoldSums => ({ rollups: new Map(), totals: new Map(), dims: new Map(), dimsDay: new Map(), tags: new Map() });

/**
 * What records add to every rollup: the full 15-minute rollups, the narrow ones (totals, one dimension
 * per bucket and per UTC day, and likewise each conversation and tag key's value: see addValues) and
 * the tag rollups, each row summed once in memory. The one pass over
 * the records a fold needs; an ingest thread makes it for its batch (see PreparedBatch).
 */
export function foldSums(records: readonly UsageRecord[]): FoldSums {
  const sums = emptyFoldSums();
  for (const r of records) {
    const dims = dimensionValues(r);
    const bucket = Math.floor(r.timeMs / BUCKET_MS) * BUCKET_MS;
    addRecordTo(sums.rollups, `${r.tenant}\u0000${bucket}\u0000${dims.join('\u0000')}`, [r.tenant, bucket, ...dims], r);
    addTagged(sums.tags, r, bucket, dims);
    addValues(sums, r, bucket);
  }
  for (const { key, sums: group } of sums.rollups.values()) {
    const [tenant, bucket] = key as [string, number];
    addSumsTo(sums.totals, `${tenant}\u0000${bucket}`, [tenant, bucket], group);
    const day = bucket - (bucket % DAY_MS);
    ROLLUP_DIMENSIONS.forEach((dimension, i) => {
      const value = key[2 + i] as string;
      addSumsTo(sums.dims, `${tenant}\u0000${dimension}\u0000${bucket}\u0000${value}`, [tenant, dimension, bucket, value], group);
      addSumsTo(sums.dimsDay, `${tenant}\u0000${dimension}\u0000${day}\u0000${value}`, [tenant, dimension, day, value], group);
    });
  }
  return sums;
}

/**
 * The value rollups' share of a fold (see value-rollups.ts): a record adds to the one-dimension rows
 * of its conversation and of each of its tags, per bucket and per UTC day, under the breakdown's name
 * (`conversation`, `tag:<key>`) in place of a dimension's. Conversation ids and tag values are free
 * text: their rows are named by JSON, never split on a separator (nor met by a dimension's name, which
 * holds a NUL).
 */
function addValues(sums: FoldSums, r: UsageRecord, bucket: number): void {
  const day = bucket - (bucket % DAY_MS);
  for (const [by, value] of valueKeysOf(r)) {
    const inBucket = [r.tenant, by, bucket, value];
    const inDay = [r.tenant, by, day, value];
    addRecordTo(sums.dims, JSON.stringify(inBucket), inBucket, r);
    addRecordTo(sums.dimsDay, JSON.stringify(inDay), inDay, r);
  }
}

/** Adds the sums of other records (another batch's) into `into`, row by row. */
export function mergeFoldSums(into: FoldSums, from: FoldSums): FoldSums {
  mergeSheet(into.rollups, from.rollups);
  mergeSheet(into.totals, from.totals);
  mergeSheet(into.dims, from.dims);
  mergeSheet(into.dimsDay, from.dimsDay);
  mergeSheet(into.tags, from.tags);
  return into;
}

/** The upserts that add the sums to their rollup rows: each row written once however many records share it. */
export function foldPlan(sums: FoldSums): WritePlan {
  const rows = (sheet: SumSheet) => [...sheet.values()].map(({ key, sums: s }) => [...key, ...measuresOf(s)]);
  const plan: WritePlan = [
    { sql: UPSERT_ROLLUP, rows: rows(sums.rollups) },
    { sql: UPSERT_TOTAL, rows: rows(sums.totals) },
    { sql: UPSERT_DIM, rows: rows(sums.dims) },
    { sql: UPSERT_DIM_DAY, rows: rows(sums.dimsDay) },
  ];
  if (sums.tags.size > 0) plan.push({ sql: UPSERT_TAG_ROLLUP, rows: rows(sums.tags) });
  return plan;
}

/**
 * A batch's fold sums as the ingest thread that made them sends them: every sheet packed in one
 * shared buffer (shared between the threads, never copied: receiving the sums as a structured clone,
 * object by object, held the event loop ~10 ms a batch), and the bucket totals as they are, small,
 * which every summary and timeseries read adds while the batch waits for its fold. The writer thread
 * unpacks and merges the sheets for a fold (see packedPlan); a read that needs more than the totals
 * unpacks them here once (unpackFoldSums). Nothing writes to the buffer once packed.
 */
export interface PackedSums {
  totals: SumSheet;
  bytes: SharedArrayBuffer;
}

export function packFoldSums(sums: FoldSums): PackedSums {
  const packed = serialize(sums);
  const bytes = new SharedArrayBuffer(packed.byteLength);
  new Uint8Array(bytes).set(packed);
  return { totals: sums.totals, bytes };
}

/** A batch's sums unpacked, once per batch. */
export function unpackFoldSums(packed: PackedSums): FoldSums {
  let sums = unpacked.get(packed);
  if (!sums) unpacked.set(packed, (sums = deserialize(new Uint8Array(packed.bytes)) as FoldSums));
  return sums;
}

const unpacked = new WeakMap<PackedSums, FoldSums>();

const PACKED_SHEETS: { name: keyof FoldSums; sql: string }[] = [
  { name: 'rollups', sql: UPSERT_ROLLUP },
  { name: 'totals', sql: UPSERT_TOTAL },
  { name: 'dims', sql: UPSERT_DIM },
  { name: 'dimsDay', sql: UPSERT_DIM_DAY },
  { name: 'tags', sql: UPSERT_TAG_ROLLUP },
];

/** What the writer needs to fold packed batches (see packedPlan): the sheets' upserts in foldPlan's order, the measures in their columns'. */
export const packedFold = (batches: PackedSums[]): PackedFold => ({
  batches: batches.map((b) => b.bytes),
  sheets: PACKED_SHEETS,
  measures: MEASURE_LIST.map((m) => m.name),
});

/**
 * What adding records to every rollup writes (see foldSums): the more records one fold takes, the
 * fewer writes each costs. The caller guarantees no record is folded twice, ever.
 */
export const rollupPlan = (records: readonly UsageRecord[]): WritePlan => foldPlan(foldSums(records));

/**
 * What correcting records writes: every rollup row of the previous records less their sums, every row
 * of the corrected ones plus theirs. Only cost and the unpriced count differ between the two, so the
 * calls, tokens and durations cancel within each row.
 */
export function correctionPlan(corrections: readonly RecordCorrection[]): WritePlan {
  const less = rollupPlan(corrections.map((c) => c.previous)).map(({ sql, rows }) => ({ sql, rows: rows.map(negateMeasures) }));
  return [...less, ...rollupPlan(corrections.map((c) => c.next))];
}

/** A plan row with its measures (the last MEASURE_COLUMNS values of every rollup row) negated. */
function negateMeasures(row: SqlValue[]): SqlValue[] {
  const at = row.length - MEASURE_COLUMNS.length;
  return [...row.slice(0, at), ...row.slice(at).map((v) => (typeof v === 'bigint' ? -v : -(v as number)))];
}
