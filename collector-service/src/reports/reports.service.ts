import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import type { DimensionFilters, RollupTotals, StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import { CONFIG, type CollectorConfig } from '../config/config';
import { localLabel, localSteps } from '../time/periods';
import { breakdownGroups, tagKeyGroups, type BreakdownGroup } from './breakdown-groups';
import { firstBucketWithCalls } from './first-bucket';
import type { ReportRange } from './report-query';
import { addTotals, averageLatencyMs, money, totalMoney, zeroTotals } from './totals';

/** The most points a time series answers: a year by hour, or 27 years by day (about 2 MB of JSON). */
export const MAX_TIMESERIES_POINTS = 10_000;
const STEP_MS = { hour: 3_600_000, day: 86_400_000 } as const;

const period = (range: ReportRange) => ({ from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString(), tz: range.tz });

/** Finance reports, from the exact rollups only (never a scan of raw records). */
@Injectable()
export class ReportsService {
  constructor(
    @Inject(STORAGE) private readonly storage: StoragePort,
    @Inject(CONFIG) private readonly config: CollectorConfig,
  ) {}

  private source(tenant: string, range: ReportRange, filters: DimensionFilters) {
    return { storage: this.storage, tenant, range, filters, maxValues: this.config.breakdownMaxValues };
  }

  async totals(tenant: string, fromMs: number, toMs: number, filters: DimensionFilters): Promise<RollupTotals> {
    const total = zeroTotals();
    for (const row of await this.storage.aggregate({ tenant, fromMs, toMs, filters, groupBy: [] })) addTotals(total, row);
    return total;
  }

  async summary(tenant: string, range: ReportRange, filters: DimensionFilters) {
    const t = await this.totals(tenant, range.fromMs, range.toMs, filters);
    return {
      ...period(range),
      ...totalMoney(t.costNanos),
      calls: t.calls,
      successfulCalls: t.calls - t.errorCalls,
      failedCalls: t.errorCalls,
      unpricedCalls: t.unpricedCalls,
      tokens: t.tokens,
      averageLatencyMs: averageLatencyMs(t),
    };
  }

  /**
   * Top `limit` values of `by` (see breakdown-groups.ts) by cost, the rest summed as other. The calls
   * without a value are a row of key null, ranked with the others.
   */
  async breakdown(tenant: string, range: ReportRange, filters: DimensionFilters, by: string, limit: number) {
    const groups = await breakdownGroups(this.source(tenant, range, filters), by);
    groups.sort(byCostThenCallsThenKey);
    const total = groups.reduce((sum, g) => sum + g.totals.costNanos, 0n);
    const item = (key: string | null, r: RollupTotals) => ({
      key,
      ...money(r.costNanos),
      calls: r.calls,
      failedCalls: r.errorCalls,
      unpricedCalls: r.unpricedCalls,
      tokens: r.tokens,
      // Share of the total in percent, for display; exact amounts are in costNanos.
      sharePercent: total === 0n ? 0 : Number((r.costNanos * 1_000_000n) / total) / 10_000,
    });
    const rest = groups.slice(limit).reduce((acc, g) => addTotals(acc, g.totals), zeroTotals());
    return {
      ...period(range),
      by,
      ...totalMoney(total),
      items: groups.slice(0, limit).map((g) => item(g.key, g.totals)),
      other: groups.length > limit ? item('other', rest) : null,
    };
  }

  /** The tag keys the range's calls carry, most calls first (then by key), each with its calls and cost; at most `limit`. */
  async tagKeys(tenant: string, range: ReportRange, filters: DimensionFilters, limit: number) {
    const groups = await tagKeyGroups(this.source(tenant, range, filters));
    groups.sort((a, b) => b.totals.calls - a.totals.calls || (a.key! < b.key! ? -1 : 1));
    return {
      ...period(range),
      keys: groups.slice(0, limit).map((g) => ({ key: g.key!, calls: g.totals.calls, ...money(g.totals.costNanos) })),
      more: groups.length > limit,
    };
  }

  /**
   * Cost per local hour or day in `tz`, every step present (zero-filled). A range over all time (from
   * the epoch) starts at the first step with calls (found without reading every bucket, see
   * firstBucketWithCalls). At most MAX_TIMESERIES_POINTS points, else 400 before the buckets are read.
   */
  async timeseries(tenant: string, range: ReportRange, filters: DimensionFilters, interval: 'hour' | 'day') {
    let fromMs = range.fromMs;
    if (fromMs === 0) fromMs = (await firstBucketWithCalls(this.storage, { tenant, ...range, filters })) ?? range.toMs - 1;
    assertPoints(fromMs, range.toMs, interval);
    const rows = await this.storage.aggregate({ tenant, fromMs: range.fromMs, toMs: range.toMs, filters, groupBy: ['bucket'] });
    const starts = localSteps(interval, fromMs, range.toMs, range.tz);
    const totals = starts.map(() => zeroTotals());
    // Steps are sorted: place each bucket by binary search instead of a time-zone conversion per bucket.
    for (const row of rows) {
      const bucket = row.key.bucket!;
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= bucket) lo = mid;
        else hi = mid - 1;
      }
      addTotals(totals[lo], row);
    }
    const points = starts.map((start, i) => [start, totals[i]] as const);
    return {
      ...period(range),
      interval,
      points: points.map(([start, t]) => ({
        start: new Date(start).toISOString(),
        ...((interval === 'day' ? { date: localLabel(start, range.tz, interval) } : { hour: localLabel(start, range.tz, interval) }) as {
          date?: string;
          hour?: string;
        }),
        ...money(t.costNanos),
        calls: t.calls,
        failedCalls: t.errorCalls,
        tokens: t.tokens,
      })),
    };
  }
}

/** Refuses, before any is made, a time series of more points than MAX_TIMESERIES_POINTS (a DST day is shorter: one more step at most). */
function assertPoints(fromMs: number, toMs: number, interval: 'hour' | 'day'): void {
  const points = Math.ceil((toMs - fromMs) / STEP_MS[interval]);
  if (points <= MAX_TIMESERIES_POINTS + 1) return;
  throw new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    parameter: 'from',
    message: `from: this range by ${interval} makes ${points.toLocaleString('en-US')} points; a time series has at most ${MAX_TIMESERIES_POINTS.toLocaleString('en-US')}: narrow from/to${interval === 'hour' ? ' or use interval=day' : ''}`,
  });
}

/**
 * Most cost first, then most calls, then by key (the calls without a value first): ties are ordered by
 * their key, not by the order a store happened to read them, so every read of the same range (the
 * breakdown, the overview's, a streamed or a capped read) ranks them the same.
 */
function byCostThenCallsThenKey(a: BreakdownGroup, b: BreakdownGroup): number {
  if (a.totals.costNanos !== b.totals.costNanos) return a.totals.costNanos < b.totals.costNanos ? 1 : -1;
  if (a.totals.calls !== b.totals.calls) return b.totals.calls - a.totals.calls;
  if (a.key === b.key) return 0;
  if (a.key === null) return -1;
  if (b.key === null) return 1;
  return a.key < b.key ? -1 : 1;
}
