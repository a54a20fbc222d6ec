import { getJson, prefetchJson, takeArrived } from './api';
import { rangeQuery, type Scope } from './scope';
import type { Overview } from './types';

/**
 * The overview's reports in two requests of GET /v1/reports/overview: first what the cards and the
 * daily chart draw (cheap), then the breakdowns (the costly part with many users), so the first figures
 * do not wait for the breakdowns. Hourly steps for today, daily otherwise.
 */
const firstQuery = (scope: Scope) => ({ ...rangeQuery(scope), interval: scope.period === 'today' ? 'hour' : 'day', sections: 'totals,timeseries' });
const restQuery = (scope: Scope) => ({ ...rangeQuery(scope), sections: 'breakdowns' });

export type OverviewFirst = Pick<Overview, 'summary' | 'previousSummary' | 'projection' | 'timeseries'>;
export type OverviewRest = Pick<Overview, 'breakdowns'>;

export const loadOverviewFirst = (scope: Scope) => getJson<OverviewFirst>('/v1/reports/overview', firstQuery(scope));
/** The first part if its prefetched answer is already in (then the page's first render shows it). */
export const arrivedOverviewFirst = (scope: Scope) => takeArrived<OverviewFirst>('/v1/reports/overview', firstQuery(scope));
export const loadOverviewRest = (scope: Scope) => getJson<OverviewRest>('/v1/reports/overview', restQuery(scope));

/**
 * Only the first part is asked for before the app's code: the service is one process, so while it sums
 * the breakdowns it would not send the app's chunk either. The page asks for the breakdowns once mounted.
 */
export const prefetchOverviewFirst = (scope: Scope) => prefetchJson('/v1/reports/overview', firstQuery(scope));
