import type { Query } from './api';

/** What every page reports on: a period in a time zone, and the report API's filters. */
export type PeriodChoice = 'today' | '7d' | '30d' | '90d' | 'mtd' | 'custom';

export const PERIODS: { value: PeriodChoice; label: string }[] = [
  { value: 'today', label: 'Today' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: '90d', label: 'Last 90 days' },
  { value: 'mtd', label: 'Month to date' },
  { value: 'custom', label: 'Custom' },
];

export const FILTER_NAMES = ['user', 'agent', 'model', 'provider', 'type', 'feature', 'service'] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

/** What each filter (a report dimension) is called on the page. */
export const FILTER_LABELS: Record<FilterName, string> = {
  user: 'User',
  agent: 'Agent',
  model: 'Model',
  provider: 'Provider',
  type: 'Type',
  feature: 'Feature',
  service: 'Service',
};
export type Filters = Partial<Record<FilterName, string>>;

export interface Scope {
  period: PeriodChoice;
  /** Custom range, local dates in `tz`, both inclusive. */
  from: string;
  to: string;
  tz: string;
  filters: Filters;
  /** For a key of every tenant: the tenant picked (absent: "default"). A key of one tenant ignores it. */
  tenant?: string;
}

export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** One formatter per zone: creating one costs tens of milliseconds, and every render of a page asks. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** Today's date (YYYY-MM-DD) in a time zone. */
export function localToday(tz: string, now = new Date()): string {
  let format = dateFormats.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(tz, format);
  }
  return format.format(now);
}

/** A calendar date moved by whole days (pure date arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The scope in the page's address (so a view can be bookmarked and shared), else the last 30 days in the browser's zone. */
export function initialScope(search = location.search): Scope {
  const params = new URLSearchParams(search);
  const tz = params.get('tz') || browserZone();
  const today = localToday(tz);
  const period = PERIODS.some((p) => p.value === params.get('period')) ? (params.get('period') as PeriodChoice) : '30d';
  const from = DATE.test(params.get('from') ?? '') ? params.get('from')! : addDays(today, -29);
  const to = DATE.test(params.get('to') ?? '') ? params.get('to')! : today;
  const filters: Filters = {};
  for (const name of FILTER_NAMES) if (params.get(name)) filters[name] = params.get(name)!;
  const tenant = params.get('tenant');
  return { period, from, to, tz, filters, ...(tenant ? { tenant } : {}) };
}

/** The address's query string for a scope. */
export function scopeSearch(scope: Scope): string {
  const params = new URLSearchParams({ period: scope.period, tz: scope.tz });
  if (scope.period === 'custom') {
    params.set('from', scope.from);
    params.set('to', scope.to);
  }
  for (const [k, v] of Object.entries(scope.filters)) if (v) params.set(k, v);
  if (scope.tenant) params.set('tenant', scope.tenant);
  return `?${params}`;
}

/**
 * The report API's range parameters: `period=today|month`, or `from` (local midnight in tz) for the
 * last N days including today, or a custom from/to where `to` is sent as the day after (exclusive).
 */
export function rangeQuery(scope: Scope): Query {
  const base: Query = { tz: scope.tz, ...scope.filters };
  const today = localToday(scope.tz);
  switch (scope.period) {
    case 'today':
      return { ...base, period: 'today' };
    case 'mtd':
      return { ...base, period: 'month' };
    case 'custom':
      return { ...base, from: scope.from, to: addDays(scope.to, 1) };
    default:
      return { ...base, from: addDays(today, -(Number.parseInt(scope.period, 10) - 1)) };
  }
}

/** Only the filters and the time zone (for reports that pick their own windows: projection, trends). */
export const filterQuery = (scope: Scope): Query => ({ tz: scope.tz, ...scope.filters });
