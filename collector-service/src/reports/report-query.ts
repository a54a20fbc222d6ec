import { canonicalProvider } from '@tokenledger/semconv';
import { BUCKET_MS, type DimensionFilters } from '../storage/storage.port';

/** A bad query parameter: answered 400 with the parameter's name. */
export class QueryError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`${parameter}: ${message}`);
  }
}

export interface ReportRange {
  fromMs: number;
  toMs: number;
}

const DAY_MS = 86_400_000;
const FILTERS: Record<string, keyof DimensionFilters> = {
  user: 'user',
  agent: 'agent',
  model: 'model',
  provider: 'provider',
  type: 'costType',
  feature: 'feature',
  service: 'service',
};

function parseInstant(parameter: string, value: string): number {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) || Number.isNaN(ms)) {
    throw new QueryError(parameter, `must be an ISO 8601 date or date-time with offset, got "${value}"`);
  }
  return ms;
}

/**
 * The time range of a report, on 15-minute bucket boundaries (rounded outwards). `period` counts in
 * UTC calendar units: today, week (from Monday), month; `all` is everything.
 */
export function parseRange(query: Record<string, unknown>, now = Date.now()): ReportRange {
  const tz = query.tz;
  if (tz !== undefined && tz !== 'UTC' && tz !== 'Etc/UTC') {
    throw new QueryError('tz', `only UTC is supported by this build, got "${String(tz)}"`);
  }
  const period = query.period;
  const from = query.from;
  const to = query.to;
  if (period !== undefined && (from !== undefined || to !== undefined)) throw new QueryError('period', 'give either period or from/to, not both');
  let fromMs: number;
  let toMs: number;
  if (from !== undefined || to !== undefined) {
    fromMs = from === undefined ? 0 : parseInstant('from', String(from));
    toMs = to === undefined ? now : parseInstant('to', String(to));
    if (toMs <= fromMs) throw new QueryError('to', 'must be after from');
  } else {
    const today = Math.floor(now / DAY_MS) * DAY_MS;
    const date = new Date(today);
    switch (period ?? 'month') {
      case 'today':
        fromMs = today;
        break;
      case 'week':
        fromMs = today - ((date.getUTCDay() + 6) % 7) * DAY_MS;
        break;
      case 'month':
        fromMs = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
        break;
      case 'all':
        fromMs = 0;
        break;
      default:
        throw new QueryError('period', `must be today, week, month or all, got "${String(period)}"`);
    }
    toMs = now;
  }
  return { fromMs: Math.floor(fromMs / BUCKET_MS) * BUCKET_MS, toMs: Math.ceil((toMs + 1) / BUCKET_MS) * BUCKET_MS };
}

export function parseFilters(query: Record<string, unknown>): DimensionFilters {
  const filters: DimensionFilters = {};
  for (const [parameter, dimension] of Object.entries(FILTERS)) {
    const value = query[parameter];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') throw new QueryError(parameter, 'must be a single non-empty value');
    filters[dimension] = parameter === 'provider' ? canonicalProvider(value) : value;
  }
  return filters;
}
