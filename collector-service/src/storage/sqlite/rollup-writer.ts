import { TOKEN_KINDS, type UsageRecord } from '../../usage/usage-record';
import { BUCKET_MS, type RecordCorrection, ROLLUP_DIMENSIONS } from '../storage.port';
import type { SqlValue, WritePlan } from './store-writer.worker';
import { addRecord, addSums, type Sums, zeroSums } from '../rollup-measures';
import { ACCUMULATE, dimensionValues, MEASURE_COLUMNS, measuresOf } from './rollup-columns';
import { tagRollupPlan } from './tag-rollups';

const DAY_MS = 86_400_000;
const MEASURES = MEASURE_COLUMNS.join(', ');
/** Placeholders for `keys` key columns and the measures. */
const values = (keys: number) => Array.from({ length: keys + MEASURE_COLUMNS.length }, () => '?').join(', ');

interface Group extends Sums {
  tenant: string;
  bucket: number;
  dims: string[];
}

function sumInto<K>(map: Map<K, Sums>, key: K, from: Sums): void {
  const sums = map.get(key);
  if (sums) addSums(sums, from);
  else map.set(key, { ...from });
}

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

/**
 * What adding records to every rollup writes: the full 15-minute rollups, the narrow ones (totals,
 * one dimension per bucket and per UTC day) and the tag rollups. Records are summed per row in memory
 * first, so each rollup row is written once however many records share it: the more records one fold
 * takes, the fewer writes each costs. The caller guarantees no record is folded twice, ever.
 */
export function rollupPlan(records: readonly UsageRecord[]): WritePlan {
  const groups = new Map<string, Group>();
  for (const r of records) {
    const dims = dimensionValues(r);
    const bucket = Math.floor(r.timeMs / BUCKET_MS) * BUCKET_MS;
    const key = `${r.tenant}\u0000${bucket}\u0000${dims.join('\u0000')}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { tenant: r.tenant, bucket, dims, ...zeroSums() }));
    addRecord(g, r);
  }
  const rollups: SqlValue[][] = [];
  const totals = new Map<string, Sums>();
  const byDimension = new Map<string, Sums>();
  const byDimensionDay = new Map<string, Sums>();
  for (const g of groups.values()) {
    rollups.push([g.tenant, g.bucket, ...g.dims, ...measuresOf(g)]);
    sumInto(totals, `${g.tenant}\u0000${g.bucket}`, g);
    const day = g.bucket - (g.bucket % DAY_MS);
    ROLLUP_DIMENSIONS.forEach((dimension, i) => {
      sumInto(byDimension, `${g.tenant}\u0000${dimension}\u0000${g.bucket}\u0000${g.dims[i]}`, g);
      sumInto(byDimensionDay, `${g.tenant}\u0000${dimension}\u0000${day}\u0000${g.dims[i]}`, g);
    });
  }
  const plan: WritePlan = [
    { sql: UPSERT_ROLLUP, rows: rollups },
    {
      sql: UPSERT_TOTAL,
      rows: [...totals].map(([key, s]) => {
        const [tenant, bucket] = key.split('\u0000');
        return [tenant, Number(bucket), ...measuresOf(s)];
      }),
    },
    {
      sql: UPSERT_DIM,
      rows: [...byDimension].map(([key, s]) => {
        const [tenant, dimension, bucket, value] = key.split('\u0000');
        return [tenant, dimension, Number(bucket), value, ...measuresOf(s)];
      }),
    },
    {
      sql: UPSERT_DIM_DAY,
      rows: [...byDimensionDay].map(([key, s]) => {
        const [tenant, dimension, day, value] = key.split('\u0000');
        return [tenant, dimension, Number(day), value, ...measuresOf(s)];
      }),
    },
  ];
  const tagged = tagRollupPlan(records);
  if (tagged) plan.push(tagged);
  return plan;
}

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
