import type { DigestRun } from './repositories/digest-runs.repository';
import { storableNanos } from './money-entities';

/**
 * A digest run as both stores keep it: its digest's total, the total of the period before and the
 * change between them integers of nano-USD of their own (sqlite INTEGER, mongo Int64), the rest JSON.
 * An amount no 64-bit integer holds stays in the JSON, as the decimal string it is, so nothing is lost.
 */
export interface StoredDigestRun {
  totalNanos: bigint | null;
  previousNanos: bigint | null;
  changeNanos: bigint | null;
  body: string;
}

export function storedDigestRun(run: DigestRun): StoredDigestRun {
  const { digest } = run;
  const [total, previous, change] = [storableNanos(digest.totalCostNanos), storableNanos(digest.previous?.totalCostNanos), storableNanos(digest.changeNanos)];
  const { totalCostNanos, changeNanos, ...rest } = digest;
  const kept = {
    ...rest,
    ...(total === null ? { totalCostNanos } : {}),
    ...(change === null ? { changeNanos } : {}),
    ...(digest.previous ? { previous: previous === null ? digest.previous : withoutTotal(digest.previous) } : {}),
  };
  return { totalNanos: total, previousNanos: previous, changeNanos: change, body: JSON.stringify({ ...run, digest: kept }) };
}

export function digestRunOf(stored: StoredDigestRun): DigestRun {
  const run = JSON.parse(stored.body) as DigestRun;
  const digest = run.digest;
  if (stored.totalNanos !== null) digest.totalCostNanos = stored.totalNanos.toString();
  if (stored.changeNanos !== null) digest.changeNanos = stored.changeNanos.toString();
  if (stored.previousNanos !== null && digest.previous) digest.previous = { ...digest.previous, totalCostNanos: stored.previousNanos.toString() };
  return { ...run, digest: { ...digest } };
}

const withoutTotal = <T extends { totalCostNanos: string }>(previous: T): Omit<T, 'totalCostNanos'> => {
  const { totalCostNanos: _total, ...rest } = previous;
  return rest;
};
