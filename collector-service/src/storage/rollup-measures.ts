import { TOKEN_KINDS, type TokenCounts, type TokenKind, type UsageRecord } from '../usage/usage-record';

/**
 * How a measure sums its records:
 * - money: exact nano-USD, the record's cost (an unpriced call adds nothing);
 * - count: calls, or calls of a kind (one per record that `counts`);
 * - tokens: the record's tokens of the measure's kind;
 * - duration: the record's duration in milliseconds, a float sum.
 */
type MeasureDefinition =
  | { name: 'costNanos'; column: string; kind: 'money' }
  | { name: string; column: string; kind: 'count'; counts: (r: UsageRecord) => boolean }
  | { name: TokenKind; column: string; kind: 'tokens' }
  | { name: string; column: string; kind: 'duration' };

/**
 * The rollup measures: what every rollup group sums over its records, defined once. Both stores'
 * rollups (the sqlite columns, the mongo packed tables), the sums they read back, report totals and
 * the collector's metrics follow this list, in this order, so a new measure is added here alone.
 * `column` names it in the sqlite tables.
 */
export const MEASURES = [
  { name: 'costNanos', column: 'cost_nanos', kind: 'money' },
  { name: 'calls', column: 'calls', kind: 'count', counts: () => true },
  { name: 'errorCalls', column: 'error_calls', kind: 'count', counts: (r) => r.status === 'error' },
  { name: 'unpricedCalls', column: 'unpriced_calls', kind: 'count', counts: (r) => r.costNanos === null },
  { name: 'input', column: 'input_tokens', kind: 'tokens' },
  { name: 'output', column: 'output_tokens', kind: 'tokens' },
  { name: 'cacheRead', column: 'cache_read_tokens', kind: 'tokens' },
  { name: 'cacheWrite', column: 'cache_write_tokens', kind: 'tokens' },
  { name: 'reasoning', column: 'reasoning_tokens', kind: 'tokens' },
  { name: 'durationMs', column: 'duration_ms_sum', kind: 'duration' },
] as const satisfies readonly MeasureDefinition[];

export type Measure = (typeof MEASURES)[number];
export type MeasureName = Measure['name'];
/** The measures kept as JavaScript numbers (every one but money), in MEASURES order. */
export type NumberMeasure = Exclude<Measure, { kind: 'money' }>;
export const NUMBER_MEASURES = MEASURES.filter((m): m is NumberMeasure => m.kind !== 'money');

/** Exact sums of a group of records, one field per measure. */
export type Sums = { costNanos: bigint } & Record<NumberMeasure['name'], number>;

/** A group's sums as a store reads them back: Int64 may arrive as bigint, number or string. */
export type StoredSums = Record<MeasureName, bigint | number | string>;

export function zeroSums(): Sums {
  const sums = { costNanos: 0n } as Sums;
  for (const m of NUMBER_MEASURES) sums[m.name] = 0;
  return sums;
}

export function addRecord(into: Sums, r: UsageRecord): void {
  if (r.costNanos !== null) into.costNanos += r.costNanos;
  for (const m of NUMBER_MEASURES) into[m.name] += valueOf(m, r);
}

function valueOf(m: NumberMeasure, r: UsageRecord): number {
  switch (m.kind) {
    case 'count':
      return m.counts(r) ? 1 : 0;
    case 'tokens':
      return r.tokens[m.name];
    case 'duration':
      return r.durationMs;
  }
}

/** Adds `from` into `into`, or takes it away (`sign` -1). */
export function addSums(into: Sums, from: Sums, sign: 1 | -1 = 1): void {
  into.costNanos += sign === 1 ? from.costNanos : -from.costNanos;
  for (const m of NUMBER_MEASURES) into[m.name] += sign * from[m.name];
}

export const zeroTokens = (): TokenCounts => Object.fromEntries(TOKEN_KINDS.map((kind) => [kind, 0])) as unknown as TokenCounts;

/** The count measures, which totals carry under their own names. */
export type CountMeasure = Extract<Measure, { kind: 'count' }>;

/**
 * Sums as reports and the storage port carry them: money and counts under their names, the token
 * measures under `tokens`, the duration as `durationMsSum`.
 */
export type Totals = { costNanos: bigint; tokens: TokenCounts; durationMsSum: number } & Record<CountMeasure['name'], number>;

/** Zero totals, their fields in MEASURES order. */
export function zeroTotals(): Totals {
  const totals = {} as Totals;
  for (const m of MEASURES) {
    if (m.kind === 'money') totals.costNanos = 0n;
    else if (m.kind === 'count') totals[m.name] = 0;
    else if (m.kind === 'tokens') totals.tokens ??= zeroTokens();
    else totals.durationMsSum = 0;
  }
  return totals;
}

/** Adds a group's sums (as stored or as summed in memory) into totals, or takes them away (`sign` -1). */
export function addToTotals(into: Totals, sums: Sums | StoredSums, sign: 1 | -1 = 1): Totals {
  const cost = BigInt(sums.costNanos);
  into.costNanos += sign === 1 ? cost : -cost;
  for (const m of NUMBER_MEASURES) {
    const value = sign * Number(sums[m.name]);
    if (m.kind === 'tokens') into.tokens[m.name] += value;
    else if (m.kind === 'duration') into.durationMsSum += value;
    else into[m.name] += value;
  }
  return into;
}

export const totalsOf = (sums: Sums | StoredSums): Totals => addToTotals(zeroTotals(), sums);

/** Adds one group's totals into another's, or takes them away (`sign` -1). */
export function addTotals(into: Totals, row: Totals, sign: 1 | -1 = 1): Totals {
  into.costNanos += sign === 1 ? row.costNanos : -row.costNanos;
  for (const m of NUMBER_MEASURES) {
    if (m.kind === 'tokens') into.tokens[m.name] += sign * row.tokens[m.name];
    else if (m.kind === 'duration') into.durationMsSum += sign * row.durationMsSum;
    else into[m.name] += sign * row[m.name];
  }
  return into;
}
