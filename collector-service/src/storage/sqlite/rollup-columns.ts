import type { UsageRecord } from '../../usage/usage-record';
import type { GroupMeasures } from '../rollup-rows';
import type { RollupDimension } from '../storage.port';

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

/** Every rollup table's measure columns, in the order `measuresOf` gives their values. */
export const MEASURE_COLUMNS = ['cost_nanos', 'calls', 'error_calls', 'unpriced_calls', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'duration_ms_sum'] as const;

/** An upsert's SET clause: each measure plus the row being inserted. */
export const ACCUMULATE = MEASURE_COLUMNS.map((m) => `${m} = ${m} + excluded.${m}`).join(', ');

/** A record's dimension values, in ROLLUP_DIMENSIONS order. */
export const dimensionValues = (r: UsageRecord): string[] => [r.provider, r.model, r.costType, r.user ?? '', r.agent ?? '', r.feature ?? '', r.service, r.status];

/** Exact sums of a group of records, one field per measure column. */
export interface Sums {
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

export const zeroSums = (): Sums => ({ costNanos: 0n, calls: 0, errorCalls: 0, unpricedCalls: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, durationMs: 0 });

export function addRecord(into: Sums, r: UsageRecord): void {
  into.calls++;
  if (r.status === 'error') into.errorCalls++;
  if (r.costNanos === null) into.unpricedCalls++;
  else into.costNanos += r.costNanos;
  into.input += r.tokens.input;
  into.output += r.tokens.output;
  into.cacheRead += r.tokens.cacheRead;
  into.cacheWrite += r.tokens.cacheWrite;
  into.reasoning += r.tokens.reasoning;
  into.durationMs += r.durationMs;
}

export function addSums(into: Sums, from: Sums): void {
  into.costNanos += from.costNanos;
  into.calls += from.calls;
  into.errorCalls += from.errorCalls;
  into.unpricedCalls += from.unpricedCalls;
  into.input += from.input;
  into.output += from.output;
  into.cacheRead += from.cacheRead;
  into.cacheWrite += from.cacheWrite;
  into.reasoning += from.reasoning;
  into.durationMs += from.durationMs;
}

/** The values of MEASURE_COLUMNS, in order. */
export const measuresOf = (s: Sums) => [s.costNanos, s.calls, s.errorCalls, s.unpricedCalls, s.input, s.output, s.cacheRead, s.cacheWrite, s.reasoning, s.durationMs] as const;

/**
 * The measures' sums a read selects, under the columns' own names. No sum may fail: money is summed in
 * two 32-bit halves (each half's sum fits an integer for billions of rows) joined again in bigint by
 * `summedMeasures`, so a range of days whose total passes what one integer holds is still exact; token
 * counts and durations with TOTAL, a double that never overflows and is exact up to 2^53 (where the
 * API's JSON numbers stop being exact anyway).
 */
export const MEASURE_SUMS = [
  'SUM(cost_nanos >> 32) AS cost_high',
  'SUM(cost_nanos & 4294967295) AS cost_low',
  'SUM(calls) AS calls',
  'SUM(error_calls) AS error_calls',
  'SUM(unpriced_calls) AS unpriced_calls',
  ...MEASURE_COLUMNS.slice(4).map((m) => `TOTAL(${m}) AS ${m}`),
].join(', ');

/** A row of MEASURE_SUMS as one group's measures. */
export function summedMeasures(row: Record<string, unknown>): GroupMeasures {
  return {
    costNanos: (BigInt(row.cost_high as bigint) << 32n) + BigInt(row.cost_low as bigint),
    calls: row.calls as bigint,
    errorCalls: row.error_calls as bigint,
    unpricedCalls: row.unpriced_calls as bigint,
    input: row.input_tokens as number,
    output: row.output_tokens as number,
    cacheRead: row.cache_read_tokens as number,
    cacheWrite: row.cache_write_tokens as number,
    reasoning: row.reasoning_tokens as number,
    durationMsSum: row.duration_ms_sum as number,
  };
}
