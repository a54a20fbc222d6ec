import { getJson, prefetchJson } from './api';
import { rangeQuery, type Scope } from './scope';
import type { Overview } from './types';

/** One request for the whole overview; hourly steps for today, daily otherwise. */
const overviewQuery = (scope: Scope) => ({ ...rangeQuery(scope), interval: scope.period === 'today' ? 'hour' : 'day' });

export const loadOverview = (scope: Scope) => getJson<Overview>('/v1/reports/overview', overviewQuery(scope));
export const prefetchOverview = (scope: Scope) => prefetchJson('/v1/reports/overview', overviewQuery(scope));
