/**
 * The report API's answers, by the names the dashboard uses. The shapes are generated at build from
 * the service's OpenAPI document (api.gen.d.ts), so they are always the API's. Money is exact strings.
 */
import type { components } from './api.gen';

type Schema = components['schemas'];

/** GET /v1/reports/overview: each part is in the answer when its section was asked for (see overview-data.ts). */
export type Overview = Required<Schema['OverviewDto']>;
export type Breakdown = Schema['BreakdownDto'];
export type BreakdownItem = Schema['BreakdownItemDto'];
/** GET /v1/reports/tag-keys: the tag keys the range's calls carry, most calls first. */
export type TagKeys = Schema['TagKeysDto'];
export type TenantList = Schema['TenantListDto'];
export type UsagePage = Schema['UsagePageDto'];
/** GET /v1/reports/usage/:id: one call with every field the store keeps. */
export type CallRecord = Schema['RecordDto'];
export type ModelsReport = Schema['ModelsReportDto'];
/** GET /v1/reports/reconciliation: tracked against billed per UTC day and provider; billed figures null until a bill is imported. */
export type Reconciliation = Schema['ReconciliationDto'];
export type ReconciledDay = Schema['ReconciledDayDto'];
