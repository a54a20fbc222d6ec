import { InputError } from '../http/input-error';
import { sentText } from '../http/sent-text';
import { canonicalProvider } from '@tokenledger/semconv';
import type { DimensionFilters } from '../storage/storage.port';
import { calendarPeriod, ceilToBucket, checkZone, floorToBucket, parseInstant, TimeZoneError } from '../time/periods';

/** A bad query parameter: answered 400 with the parameter's name (see InputErrorFilter). */
export class QueryError extends InputError {
  constructor(parameter: string, problem: string) {
    super('parameter', parameter, problem);
  }
}

export interface ReportRange {
  fromMs: number;
  toMs: number;
  tz: string;
}

/** The query parameters a range is read from. */
export type RangeQuery = { tz?: unknown; period?: unknown; from?: unknown; to?: unknown };

const FILTERS = {
  user: 'user',
  agent: 'agent',
  model: 'model',
  provider: 'provider',
  type: 'costType',
  feature: 'feature',
  service: 'service',
} as const satisfies Record<string, keyof DimensionFilters>;

/** The query parameters the filters are read from. */
export type FilterQuery = { [P in keyof typeof FILTERS]?: unknown };

/** The calendar periods a report's range may be given as. */
export const REPORT_PERIODS = ['today', 'week', 'month', 'all'] as const;

export function parseZone(query: { tz?: unknown }): string {
  const tz = query.tz === undefined ? 'UTC' : sentText(query.tz);
  try {
    return checkZone(tz);
  } catch (err) {
    if (err instanceof TimeZoneError) throw new QueryError('tz', err.message);
    throw err;
  }
}

/**
 * The time range of a report, widened to 15-minute bucket boundaries. Either `from`/`to` (ISO dates,
 * taken as local midnight in `tz`, or date-times with an offset) or `period`: today, week (from
 * Monday), month — calendar units in `tz` up to now — or all. Default: this month.
 */
export function parseRange(query: RangeQuery, now = Date.now()): ReportRange {
  const tz = parseZone(query);
  const { period, from, to } = query;
  if (period !== undefined && (from !== undefined || to !== undefined)) throw new QueryError('period', 'give either period or from/to, not both');
  const instant = (parameter: string, value: unknown) => {
    const ms = typeof value === 'string' ? parseInstant(value, tz) : null;
    if (ms === null) throw new QueryError(parameter, `must be an ISO 8601 date or a date-time with an offset, got "${sentText(value)}"`);
    return ms;
  };
  let fromMs: number;
  let toMs: number;
  if (from !== undefined || to !== undefined) {
    fromMs = from === undefined ? 0 : instant('from', from);
    toMs = to === undefined ? now : instant('to', to);
    if (toMs <= fromMs) throw new QueryError('to', 'must be after from');
  } else {
    const p = period === undefined ? 'month' : sentText(period);
    if (!(REPORT_PERIODS as readonly string[]).includes(p)) throw new QueryError('period', `must be one of ${REPORT_PERIODS.join(', ')}, got "${p}"`);
    fromMs = p === 'all' ? 0 : calendarPeriod(p === 'today' ? 'day' : (p as 'week' | 'month'), now, tz).startMs;
    toMs = now + 1;
  }
  return { fromMs: floorToBucket(fromMs), toMs: ceilToBucket(toMs), tz };
}

export function parseFilters(query: FilterQuery): DimensionFilters {
  const filters: DimensionFilters = {};
  for (const [parameter, dimension] of Object.entries(FILTERS)) {
    const value = query[parameter as keyof FilterQuery];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') throw new QueryError(parameter, 'must be a single non-empty value');
    filters[dimension] = parameter === 'provider' ? canonicalProvider(value) : value;
  }
  return filters;
}
