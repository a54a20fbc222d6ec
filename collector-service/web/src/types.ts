/** Shapes of the report API's answers, as far as the dashboard reads them. Money is exact strings. */
export interface Tokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

export interface Summary {
  from: string;
  to: string;
  tz: string;
  totalCostNanos: string;
  totalCostUsd: string;
  calls: number;
  successfulCalls: number;
  failedCalls: number;
  unpricedCalls: number;
  tokens: Tokens;
  averageLatencyMs: number;
}

export interface BreakdownItem {
  key: string | null;
  costNanos: string;
  costUsd: string;
  calls: number;
  failedCalls: number;
  unpricedCalls: number;
  tokens: Tokens;
  sharePercent: number;
}

export interface Breakdown {
  by: string;
  totalCostNanos: string;
  totalCostUsd: string;
  items: BreakdownItem[];
  other: BreakdownItem | null;
}

export interface TimeseriesPoint {
  start: string;
  date?: string;
  hour?: string;
  costNanos: string;
  costUsd: string;
  calls: number;
}

export interface Timeseries {
  interval: 'hour' | 'day';
  points: TimeseriesPoint[];
}

export interface Money {
  costNanos: string;
  costUsd: string;
}

export interface Projection {
  monthToDate: Money;
  projectedMonthEnd: Money;
  last7DaysDailyAverage: Money;
  trend: 'increasing' | 'decreasing' | 'stable';
  daysRemaining: number;
}

/** GET /v1/reports/overview: what the overview page draws, each part as its own report endpoint answers. */
export interface Overview {
  summary: Summary;
  previousSummary: Summary;
  projection: Projection;
  timeseries: Timeseries;
  breakdowns: Record<'type' | 'provider' | 'model' | 'user' | 'agent', Breakdown>;
}

export interface TenantList {
  allTenants: boolean;
  tenants: string[];
}

export interface UsageRow {
  id: string;
  time: string;
  provider: string;
  model: string | null;
  costType: string;
  operation: string;
  user: string | null;
  agent: string | null;
  feature: string | null;
  service: string | null;
  status: string;
  tokens: Tokens;
  durationMs: number;
  costUsd: string | null;
  unpricedReason: string | null;
  traceId: string;
  traceUrl: string | null;
}

/** GET /v1/reports/usage/:id: one call with every field the store keeps. */
export interface CallRecord extends UsageRow {
  spanId: string;
  tenant: string;
  environment: string | null;
  requestModel: string | null;
  /** Within tokens.input and tokens.output; null when the call had none. */
  audioTokens: { input: number; output: number } | null;
  imageCount: number | null;
  imageSize: string | null;
  imageQuality: string | null;
  audioSeconds: number | null;
  characters: number | null;
  paymentAmountUsd: string | null;
  paymentGateway: string | null;
  conversation: string | null;
  tags: Record<string, string>;
  errorType: string | null;
  costNanos: string | null;
  /** USD per one unit, exact decimal strings, as the call was priced. */
  unitPrices: Record<string, string> | null;
  priceSource: string | null;
  priceBookVersion: string | null;
  providedCostUsd: string | null;
  estimated: boolean;
  batch: boolean;
  /** The instrumentation whose span it was: tokenledger, genai-semconv, openllmetry, ... */
  source: string;
}

export interface UsagePage {
  records: UsageRow[];
  nextCursor: string | null;
}

export interface ModelRow {
  provider: string | null;
  model: string | null;
  costUsd: string;
  calls: number;
  unpricedCalls: number;
  tokens: Tokens;
  priceSource: string | null;
  unitPrices: Record<string, string> | null;
  unpricedReason: string | null;
  /** For a fine-tuned model without rates: the operator price-file entry (YAML) that would price it. */
  priceFileEntry: string | null;
}

export interface ModelsReport {
  priceBook: {
    version: string;
    catalog: { package: string; version: string };
    supplemental: { path: string; version: string | null };
    operator: { path: string; sha256: string } | null;
  };
  models: ModelRow[];
  truncated: boolean;
}

/** GET /v1/reports/reconciliation: tracked against billed per UTC day and provider. Money as exact strings, null until a bill is imported. */
export interface ReconciledModel {
  model: string;
  tracked: boolean;
  billed: boolean;
  trackedCostUsd: string;
  billedCostUsd: string | null;
  trackedInputTokens: number;
  billedInputTokens: number | null;
  trackedOutputTokens: number;
  billedOutputTokens: number | null;
}

export interface ReconciledDay {
  date: string;
  provider: string;
  billImported: boolean;
  trackedCalls: number;
  trackedCostUsd: string;
  billedCostUsd: string | null;
  differenceUsd: string | null;
  differencePercent: number | null;
  models: ReconciledModel[];
}

export interface Reconciliation {
  days: ReconciledDay[];
  totals: { provider: string; billedDays: number; trackedCostUsd: string; billedCostUsd: string; differenceUsd: string; differencePercent: number | null }[];
  untracked: {
    days: { date: string; provider: string; billedCostUsd: string }[];
    models: ({ date: string; provider: string } & ReconciledModel)[];
  };
}
