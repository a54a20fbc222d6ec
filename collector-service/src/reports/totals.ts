import { formatUsd } from '@tokenledger/pricing';
import type { RollupTotals } from '../storage/storage.port';

/** Money as every response carries it: exact nanos and exact USD, both strings. */
export const money = (nanos: bigint) => ({ costNanos: nanos.toString(), costUsd: formatUsd(nanos) });
export const totalMoney = (nanos: bigint) => ({ totalCostNanos: nanos.toString(), totalCostUsd: formatUsd(nanos) });

export function zeroTotals(): RollupTotals {
  return { costNanos: 0n, calls: 0, errorCalls: 0, unpricedCalls: 0, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, durationMsSum: 0 };
}

export function addTotals(into: RollupTotals, row: RollupTotals): RollupTotals {
  into.costNanos += row.costNanos;
  into.calls += row.calls;
  into.errorCalls += row.errorCalls;
  into.unpricedCalls += row.unpricedCalls;
  into.durationMsSum += row.durationMsSum;
  for (const k of Object.keys(into.tokens) as (keyof RollupTotals['tokens'])[]) into.tokens[k] += row.tokens[k];
  return into;
}

/** An exact average of nanos over n, rounded half up to the nano. */
export function averageNanos(total: bigint, n: number): bigint {
  if (n <= 0) return 0n;
  const d = BigInt(n);
  return (total * 2n + d) / (2n * d);
}

/** Percent change from `before` to `after` (20 = +20 %), to two decimals; null when there was nothing before. */
export function percentChange(before: bigint, after: bigint): number | null {
  if (before === 0n) return null;
  return Number(((after - before) * 1_000_000n) / before) / 10_000;
}

export const averageLatencyMs = (t: RollupTotals) => (t.calls === 0 ? 0 : Math.round((t.durationMsSum / t.calls) * 1000) / 1000);
