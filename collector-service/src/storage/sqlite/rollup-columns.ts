import type { UsageRecord } from '../../usage/usage-record';
import { type Measure, MEASURES, NUMBER_MEASURES, type StoredSums, type Sums } from '../rollup-measures';
import { ROLLUP_DIMENSIONS, type RollupDimension } from '../storage.port';

/** Every rollup table's dimension columns, by dimension (ROLLUP_DIMENSIONS order). A missing value is stored as '' so it takes part in the primary key. */
export const DIMENSION_COLUMNS: Record<RollupDimension, string> = {
  provider: 'provider',
  model: 'model',
  costType: 'cost_type',
  user: 'user_id',
  agent: 'agent',
  feature: 'feature',
  service: 'service',
  status: 'status',
};

/** The dimension columns as a rollup table with every dimension defines them, and as its key lists them. */
export const DIMENSION_COLUMN_DEFINITIONS = ROLLUP_DIMENSIONS.map((d) => `${DIMENSION_COLUMNS[d]} TEXT NOT NULL`).join(', ');
export const DIMENSION_KEY = ROLLUP_DIMENSIONS.map((d) => DIMENSION_COLUMNS[d]).join(', ');

/** Every rollup table's measure columns, in MEASURES order (the order `measuresOf` gives their values). */
export const MEASURE_COLUMNS = MEASURES.map((m) => m.column);

/** A measure's column as a table defines it: an integer, but for the float duration sum. */
export const measureColumnDefinition = (m: Measure) => `${m.column} ${m.kind === 'duration' ? 'REAL' : 'INTEGER'} NOT NULL`;

/** The measure columns as a CREATE TABLE lists them. */
export const MEASURE_COLUMN_DEFINITIONS = MEASURES.map(measureColumnDefinition).join(', ');

/** An upsert's SET clause: each measure plus the row being inserted. */
export const ACCUMULATE = MEASURE_COLUMNS.map((m) => `${m} = ${m} + excluded.${m}`).join(', ');

/** A record's dimension values, in ROLLUP_DIMENSIONS order. */
export const dimensionValues = (r: UsageRecord): string[] => [
  r.provider,
  r.model,
  r.costType,
  r.user ?? '',
  r.agent ?? '',
  r.feature ?? '',
  r.service,
  r.status,
];

/** The values of MEASURE_COLUMNS, in order. */
export const measuresOf = (s: Sums) => MEASURES.map((m) => s[m.name]);

/**
 * The measures' sums a read selects, under the columns' own names. No sum may fail: money is summed in
 * two 32-bit halves (each half's sum fits an integer for billions of rows) joined again in bigint by
 * `summedMeasures`, so a range of days whose total passes what one integer holds is still exact; calls
 * with SUM; token counts and durations with TOTAL, a double that never overflows and is exact up to
 * 2^53 (where the API's JSON numbers stop being exact anyway).
 */
export const MEASURE_SUMS = MEASURES.map((m) => {
  switch (m.kind) {
    case 'money':
      return `SUM(${m.column} >> 32) AS cost_high, SUM(${m.column} & 4294967295) AS cost_low`;
    case 'count':
      return `SUM(${m.column}) AS ${m.column}`;
    default:
      return `TOTAL(${m.column}) AS ${m.column}`;
  }
}).join(', ');

/** A row of MEASURE_SUMS as one group's measures. */
export function summedMeasures(row: Record<string, unknown>): StoredSums {
  const sums = { costNanos: (BigInt(row.cost_high as bigint) << 32n) + BigInt(row.cost_low as bigint) } as StoredSums;
  for (const m of NUMBER_MEASURES) sums[m.name] = row[m.column] as bigint | number;
  return sums;
}
