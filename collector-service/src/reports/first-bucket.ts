import type { DimensionFilters, RollupReader } from '../storage/storage.port';
import { DAY_MS } from '../time/utc-days';

/**
 * The first 15-minute bucket with calls in [fromMs, toMs) (bucket boundaries), null when there is
 * none, found without holding a row per bucket of the range: sums over halves of it (one row each)
 * narrow it to one UTC day, whose buckets (at most 96) are then read. A range over all time reads
 * its totals a few dozen times at most (the halves before the first call hold nothing to sum),
 * where reading every bucket with calls to find the first would hold a row for each.
 */
export async function firstBucketWithCalls(
  storage: Pick<RollupReader, 'aggregate'>,
  query: { tenant: string; fromMs: number; toMs: number; filters: DimensionFilters },
): Promise<number | null> {
  const { tenant, filters } = query;
  const calls = async (fromMs: number, toMs: number) => {
    const [row] = await storage.aggregate({ tenant, fromMs, toMs, filters, groupBy: [] });
    return row?.calls ?? 0;
  };
  // No calls in [query.fromMs, lo); some in [lo, hi).
  let lo = query.fromMs;
  let hi = query.toMs;
  if ((await calls(lo, hi)) === 0) return null;
  for (;;) {
    const mid = Math.ceil((lo + (hi - lo) / 2) / DAY_MS) * DAY_MS;
    if (mid <= lo || mid >= hi) break;
    if ((await calls(lo, mid)) > 0) hi = mid;
    else lo = mid;
  }
  const buckets = await storage.aggregate({ tenant, fromMs: lo, toMs: hi, filters, groupBy: ['bucket'] });
  return buckets.reduce<number | null>((first, r) => (first === null || r.key.bucket! < first ? r.key.bucket! : first), null);
}
