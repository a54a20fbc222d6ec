import { formatUsd } from '@tokenledger/pricing';
import type { RollupTotals } from '../storage/storage.port';

export { addTotals, zeroTotals } from '../storage/rollup-measures';

/** Money as every response carries it: exact nanos and exact USD, both strings. */
export const money = (nanos: bigint) => ({ costNanos: nanos.toString(), costUsd: formatUsd(nanos) });
export const totalMoney = (nanos: bigint) => ({ totalCostNanos: nanos.toString(), totalCostUsd: formatUsd(nanos) });

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
