import { Inject, Injectable } from '@nestjs/common';
import { BUCKET_MS, type DimensionFilters, type RollupDimension, type StoragePort } from '../storage/storage.port';
import { localStart } from '../time/periods';
import { CONFIG, type CollectorConfig } from '../config/config';
import { firstBucketWithCalls } from '../reports/first-bucket';
import { groupedRows } from '../reports/grouped-rows';
import { STORAGE } from '../storage/storage.tokens';
import type { ReportRange } from '../reports/report-query';
import { ReportsService } from '../reports/reports.service';
import { addTotals, averageLatencyMs, zeroTotals } from '../reports/totals';
import { TrendsService } from '../reports/trends.service';
import type { UsageRecord } from '../usage/usage-record';
import { usd } from './seed-money';

/** The most groups of a dimension an answer lists (no top-N cut below that: the seed APIs listed them all). */
const ALL_GROUPS = 10_000;

const tokensOf = (t: { input: number; output: number }) => t.input + t.output;
const nanos = (s: string) => BigInt(s);

/**
 * The seed systems' report shapes, computed by the same services as the core report API (so the
 * numbers agree with it exactly; only the presentation differs).
 */
@Injectable()
export class SeedViewsService {
  constructor(
    private readonly reports: ReportsService,
    private readonly trendsService: TrendsService,
    @Inject(STORAGE) private readonly storage: StoragePort,
    @Inject(CONFIG) private readonly config: CollectorConfig,
  ) {}

  private async groups(tenant: string, range: ReportRange, filters: DimensionFilters, dimension: RollupDimension) {
    const query = { tenant, fromMs: range.fromMs, toMs: range.toMs, filters, groupBy: [dimension], maxRows: this.config.breakdownMaxValues };
    return (await groupedRows(this.storage, query))
      .map((r) => ({ key: r.key[dimension] ?? null, totals: r }))
      .sort((a, b) => (a.totals.costNanos === b.totals.costNanos ? b.totals.calls - a.totals.calls : a.totals.costNanos < b.totals.costNanos ? 1 : -1))
      .slice(0, ALL_GROUPS);
  }

  /** /api/admin/costs?view=summary */
  async adminSummary(tenant: string, range: ReportRange, filters: DimensionFilters) {
    const [byType, byProvider, byModel] = await Promise.all([
      this.groups(tenant, range, filters, 'costType'),
      this.groups(tenant, range, filters, 'provider'),
      this.groups(tenant, range, filters, 'model'),
    ]);
    const total = byType.reduce((acc, g) => addTotals(acc, g.totals), zeroTotals());
    const list = <K extends string>(name: K, gs: typeof byType) =>
      gs.map((g) => ({ ...({ [name]: g.key } as Record<K, string | null>), ...usd('cost', g.totals.costNanos), count: g.totals.calls }));
    return {
      ...usd('total', total.costNanos),
      callCount: total.calls,
      byType: list('type', byType),
      byProvider: list('provider', byProvider),
      byModel: list('model', byModel),
    };
  }

  /** /api/admin/costs?view=daily: one entry per local day, zero-filled. */
  async daily(tenant: string, range: ReportRange, filters: DimensionFilters) {
    const series = await this.reports.timeseries(tenant, range, filters, 'day');
    return series.points.map((p) => ({ date: p.date!, ...usd('cost', nanos(p.costNanos)), count: p.calls }));
  }

  /** /api/admin/costs?view=top-users: calls without a user are not a user. */
  async topUsers(tenant: string, range: ReportRange, filters: DimensionFilters, limit: number) {
    const users = (await this.groups(tenant, range, filters, 'user')).filter((g) => g.key !== null).slice(0, limit);
    return users.map((g) => ({ userId: g.key as string, ...usd('cost', g.totals.costNanos), count: g.totals.calls }));
  }

  /** /api/admin/costs?view=projection */
  async projection(tenant: string, filters: DimensionFilters, tz: string) {
    const p = await this.trendsService.projection(tenant, filters, tz);
    return {
      ...usd('currentMonthCost', nanos(p.monthToDate.costNanos)),
      ...usd('dailyAverage', nanos(p.dailyAverageSoFar.costNanos)),
      ...usd('projectedMonthEnd', nanos(p.projectedMonthEnd.costNanos)),
      daysInMonth: p.daysInMonth,
      daysPassed: p.daysPassed,
      daysRemaining: p.daysRemaining,
      trend: p.trend,
      trendPercentage: p.trendPercent,
      ...usd('last7DaysAverage', nanos(p.last7DaysDailyAverage.costNanos)),
    };
  }

  /**
   * `period=all` starts at the epoch; a daily breakdown from there would be decades of empty days.
   * The breakdown starts at the first local day with activity instead (found without reading every
   * bucket, see firstBucketWithCalls).
   */
  private async fromFirstActivity(tenant: string, range: ReportRange, filters: DimensionFilters): Promise<ReportRange> {
    if (range.fromMs > 0) return range;
    const first = await firstBucketWithCalls(this.storage, { tenant, ...range, filters });
    return first !== null ? { ...range, fromMs: localStart('day', first, range.tz) } : { ...range, fromMs: range.toMs - BUCKET_MS };
  }

  /** The cost-tracking seed's CostSummary. */
  async costSummary(tenant: string, range: ReportRange, filters: DimensionFilters) {
    const daysRange = await this.fromFirstActivity(tenant, range, filters);
    const [total, byModel, byAgent, series] = await Promise.all([
      this.reports.totals(tenant, range.fromMs, range.toMs, filters),
      this.groups(tenant, range, filters, 'model'),
      this.groups(tenant, range, filters, 'agent'),
      this.reports.timeseries(tenant, daysRange, filters, 'day'),
    ]);
    const byKey = (gs: typeof byModel) =>
      Object.fromEntries(
        gs
          .filter((g) => g.key !== null)
          .map((g) => [g.key as string, { ...usd('cost', g.totals.costNanos), tokens: tokensOf(g.totals.tokens), requests: g.totals.calls }]),
      );
    return {
      ...usd('totalCost', total.costNanos),
      totalTokens: tokensOf(total.tokens),
      totalRequests: total.calls,
      successfulRequests: total.calls - total.errorCalls,
      failedRequests: total.errorCalls,
      avgResponseTime: averageLatencyMs(total),
      costByModel: byKey(byModel),
      costByAgent: byKey(byAgent),
      dailyBreakdown: series.points.map((p) => ({
        date: (p as { date?: string }).date as string,
        ...usd('cost', nanos(p.costNanos)),
        tokens: tokensOf(p.tokens),
        requests: p.calls,
      })),
    };
  }

  /** /api/cost-tracking/trends: the core trend windows, as CostSummaries. */
  async costTrends(tenant: string, filters: DimensionFilters, tz: string, now = Date.now()) {
    const w = this.trendsService.windows(now);
    const [t, last7Days, last30Days] = await Promise.all([
      this.trendsService.trends(tenant, filters, tz, now),
      this.costSummary(tenant, { ...w.last7, tz }, filters),
      this.costSummary(tenant, { ...w.last30, tz }, filters),
    ]);
    const trend = t.trend === 'increasing' ? 'up' : t.trend === 'decreasing' ? 'down' : 'stable';
    return { last7Days, last30Days, trend, percentageChange: t.percentChange };
  }

  /** /api/cost-monitoring/summary: totals and a split by the model that served each call. */
  async monitoringSummary(tenant: string, range: ReportRange, filters: DimensionFilters) {
    const byModel = await this.groups(tenant, range, filters, 'model');
    const total = byModel.reduce((acc, g) => addTotals(acc, g.totals), zeroTotals());
    return {
      ...usd('totalCost', total.costNanos),
      count: total.calls,
      byService: Object.fromEntries(byModel.map((g) => [g.key ?? 'unknown', { ...usd('cost', g.totals.costNanos), count: g.totals.calls }])),
    };
  }
}

/** A stored record as the cost-tracking seed's `aiUsage` rows looked. */
export function aiUsageRow(r: UsageRecord) {
  return {
    id: r.id,
    agentId: r.agent,
    userId: r.user,
    model: r.model,
    promptTokens: r.tokens.input,
    completionTokens: r.tokens.output,
    totalTokens: r.tokens.input + r.tokens.output,
    ...usd('cost', r.costNanos ?? 0n),
    priced: r.costNanos !== null,
    responseTimeMs: r.durationMs,
    success: r.status === 'ok',
    errorType: r.errorType,
    createdAt: new Date(r.timeMs).toISOString(),
  };
}

/** A stored record as the cost-monitoring seed's `ApiUsageLog` rows looked (service = the model). */
export function apiUsageLogRow(r: UsageRecord) {
  return {
    id: r.id,
    userId: r.user,
    service: r.model,
    provider: r.provider,
    type: r.costType,
    inputTokens: r.tokens.input,
    outputTokens: r.tokens.output,
    audioSeconds: r.audioSeconds,
    characters: r.characters,
    ...usd('cost', r.costNanos ?? 0n),
    priced: r.costNanos !== null,
    createdAt: new Date(r.timeMs).toISOString(),
  };
}
