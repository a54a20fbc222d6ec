import { parseRange, QueryError, type RangeQuery } from '../reports/report-query';

export const DAY_MS = 86_400_000;

/** The most days one request may import, reconcile or export: a little over a year. */
export const MAX_DAYS = 400;

/**
 * A range of whole UTC days from a report's `from`/`to` or `period`, whatever `tz` says: providers
 * bucket their bills by UTC day, so reconciliation does too. Default: this UTC month.
 */
export function utcDays(query: RangeQuery): { fromMs: number; toMs: number } {
  const range = parseRange({ ...query, tz: 'UTC' });
  const fromMs = Math.floor(range.fromMs / DAY_MS) * DAY_MS;
  const toMs = Math.ceil(range.toMs / DAY_MS) * DAY_MS;
  if (toMs - fromMs > MAX_DAYS * DAY_MS) throw new QueryError('from', `a range of at most ${MAX_DAYS} UTC days, got ${(toMs - fromMs) / DAY_MS}`);
  return { fromMs, toMs };
}
