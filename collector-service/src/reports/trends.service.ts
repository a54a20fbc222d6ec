import { Injectable } from '@nestjs/common';
import type { DimensionFilters } from '../storage/storage.port';
import { calendarPeriod, ceilToBucket, dayOfMonth, daysInMonth, floorToBucket } from '../time/periods';
import { ReportsService } from './reports.service';
import { averageNanos, money, percentChange } from './totals';

const DAY_MS = 86_400_000;
/** Within ±5 % the trend is "stable". */
const STABLE_PERCENT = 5;

export function trendOf(percent: number | null, lastNanos: bigint): 'increasing' | 'decreasing' | 'stable' {
  if (percent === null) return lastNanos > 0n ? 'increasing' : 'stable';
  return percent > STABLE_PERCENT ? 'increasing' : percent < -STABLE_PERCENT ? 'decreasing' : 'stable';
}

/** Projection and trends: windows ending now, on bucket boundaries, months and days in `tz`. */
@Injectable()
export class TrendsService {
  constructor(private readonly reports: ReportsService) {}

  /** The trend windows ending now, on bucket boundaries: the last 7 days, the 7 before, the last 30. */
  windows(now = Date.now()) {
    const end = ceilToBucket(now + 1);
    const window = (endMs: number, days: number) => ({ fromMs: floorToBucket(endMs - days * DAY_MS), toMs: endMs });
    return { last7: window(end, 7), previous7: window(end - 7 * DAY_MS, 7), last30: window(end, 30) };
  }

  async trends(tenant: string, filters: DimensionFilters, tz: string, now = Date.now()) {
    const { last7DaysNanos: _exact, ...view } = await this.trendWindows(tenant, filters, tz, now);
    return view;
  }

  private async trendWindows(tenant: string, filters: DimensionFilters, tz: string, now: number) {
    const w = this.windows(now);
    const totals = (x: { fromMs: number; toMs: number }) => this.reports.totals(tenant, x.fromMs, x.toMs, filters);
    const [last7, previous7, last30] = await Promise.all([totals(w.last7), totals(w.previous7), totals(w.last30)]);
    const change = percentChange(previous7.costNanos, last7.costNanos);
    return {
      tz,
      last7DaysNanos: last7.costNanos,
      last7Days: { ...money(last7.costNanos), calls: last7.calls, dailyAverage: money(averageNanos(last7.costNanos, 7)) },
      previous7Days: { ...money(previous7.costNanos), calls: previous7.calls },
      last30Days: { ...money(last30.costNanos), calls: last30.calls, dailyAverage: money(averageNanos(last30.costNanos, 30)) },
      percentChange: change,
      trend: trendOf(change, last7.costNanos),
    };
  }

  /** Month end = month to date + last-7-day daily average × days remaining (averages rounded half up to the nano). */
  async projection(tenant: string, filters: DimensionFilters, tz: string, now = Date.now()) {
    const month = calendarPeriod('month', now, tz);
    const end = ceilToBucket(now + 1);
    const [monthToDate, trends] = await Promise.all([this.reports.totals(tenant, month.startMs, end, filters), this.trendWindows(tenant, filters, tz, now)]);
    const inMonth = daysInMonth(now, tz);
    const passed = dayOfMonth(now, tz);
    const remaining = inMonth - passed;
    const last7Average = averageNanos(trends.last7DaysNanos, 7);
    const projected = monthToDate.costNanos + last7Average * BigInt(remaining);
    return {
      tz,
      monthStart: new Date(month.startMs).toISOString(),
      monthToDate: money(monthToDate.costNanos),
      dailyAverageSoFar: money(averageNanos(monthToDate.costNanos, passed)),
      last7DaysDailyAverage: money(last7Average),
      projectedMonthEnd: money(projected),
      trend: trends.trend,
      trendPercent: trends.percentChange,
      daysInMonth: inMonth,
      daysPassed: passed,
      daysRemaining: remaining,
    };
  }
}
