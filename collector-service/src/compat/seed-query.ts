import { DateTime } from 'luxon';
import type { DimensionFilters } from '../storage/storage.port';
import { sentText } from '../http/sent-text';
import { ceilToBucket, floorToBucket } from '../time/periods';
import { parseRange, parseZone, QueryError, type RangeQuery, type ReportRange } from '../reports/report-query';

/** The seed parameters these read, as sent. */
type Q = { tz?: unknown; startDate?: unknown; endDate?: unknown; days?: unknown; userId?: unknown; limit?: unknown };
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** The day after an ISO date, as an ISO date (calendar arithmetic: no time zone involved). */
function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/**
 * `startDate`/`endDate` as the seed APIs took them: ISO dates or date-times; a date-only `endDate`
 * includes that whole day (the seeds' `startDate=2025-01-01&endDate=2025-01-31` is all of January).
 * Returns null when neither is given.
 */
export function seedDateRange(q: Q, now = Date.now()): ReportRange | null {
  if (q.startDate === undefined && q.endDate === undefined) return null;
  const rename = (value: unknown, name: string) => {
    if (typeof value !== 'string' || value === '') throw new QueryError(name, 'must be an ISO 8601 date or date-time');
    return value;
  };
  const core: RangeQuery = { tz: q.tz };
  if (q.startDate !== undefined) core.from = rename(q.startDate, 'startDate');
  if (q.endDate !== undefined) {
    const end = rename(q.endDate, 'endDate');
    core.to = DATE_ONLY.test(end) ? nextDate(end) : end;
  }
  try {
    return parseRange(core, now);
  } catch (err) {
    if (err instanceof QueryError) throw new QueryError(err.input === 'from' ? 'startDate' : err.input === 'to' ? 'endDate' : err.input, err.problem);
    throw err;
  }
}

/** `days` back from now, today included, in whole local days of `tz` (default 30, as the seeds). */
export function lastDays(q: Q, now = Date.now(), fallback = 30): ReportRange {
  const tz = parseZone(q);
  const days = q.days === undefined ? fallback : Number(q.days);
  if (!Number.isInteger(days) || days < 1 || days > 3660) throw new QueryError('days', `must be a whole number from 1 to 3660, got "${sentText(q.days)}"`);
  const from = DateTime.fromMillis(now, { zone: tz })
    .startOf('day')
    .minus({ days: days - 1 })
    .toMillis();
  return { fromMs: floorToBucket(from), toMs: ceilToBucket(now + 1), tz };
}

/** The seeds' `userId` filter, plus the core report filters' names for the dimensions they lacked. */
export function seedFilters(q: Q, extra: DimensionFilters = {}): DimensionFilters {
  const filters: DimensionFilters = { ...extra };
  if (q.userId !== undefined) {
    if (typeof q.userId !== 'string' || q.userId === '') throw new QueryError('userId', 'must be a single non-empty value');
    filters.user = q.userId;
  }
  return filters;
}

export function seedLimit(q: Q, fallback: number, max: number): number {
  if (q.limit === undefined) return fallback;
  const limit = Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > max)
    throw new QueryError('limit', `must be a whole number from 1 to ${max}, got "${sentText(q.limit)}"`);
  return limit;
}
