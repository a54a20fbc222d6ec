import { Injectable } from '@nestjs/common';
import { formatUsd } from '@tokenledger/pricing';
import { scheduledWindow } from '../billing/bill-sync.service';
import { allowedDifference, differencePercent, drifts, ReconciliationService } from '../billing/reconciliation.service';
import { TrendsService } from '../reports/trends.service';
import { ReportsService } from '../reports/reports.service';
import { calendarPeriod, ceilToBucket } from '../time/periods';
import { Inject } from '@nestjs/common';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import type { StoredAlert } from './alert';
import { usdText as usd } from './alert-money';
import { type AlertRule, type RuleType, SPIKE_DEFAULTS } from './alert-rule';
import { BudgetConditions } from './budget-conditions';
import type { Condition } from './condition';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Percent and multipliers are compared exactly as integers scaled by this. */
const SCALE = 10_000n;
const scaled = (n: number) => BigInt(Math.round(n * Number(SCALE)));

/**
 * What each rule type measures, from the exact rollups (reports' services and storage.aggregate),
 * never from raw records. Each returns the conditions over their threshold at `nowMs`.
 */
@Injectable()
export class RuleEvaluators {
  constructor(
    private readonly reports: ReportsService,
    private readonly trends: TrendsService,
    private readonly budgets: BudgetConditions,
    private readonly reconciliation: ReconciliationService,
    @Inject(STORAGE) private readonly storage: StoragePort,
  ) {}

  evaluate(tenant: string, rule: AlertRule, nowMs: number): Promise<Condition[]> {
    const evaluators: Record<RuleType, () => Promise<Condition[]>> = {
      daily_cost_above: () => this.dailyCost(tenant, rule, nowMs),
      projected_month_above: () => this.projectedMonth(tenant, rule, nowMs),
      user_daily_cost_above: () => this.userDailyCost(tenant, rule, nowMs),
      trend_increase_above: () => this.trendIncrease(tenant, rule, nowMs),
      budget_threshold: () => this.budgets.conditions(tenant, nowMs),
      unpriced_usage: () => this.unpricedUsage(tenant, rule, nowMs),
      spike: () => this.spike(tenant, rule, nowMs),
      reconciliation_drift: () => this.reconciliationDrift(tenant, rule, nowMs),
      budget_exhaustion: () => this.budgets.exhaustion(tenant, rule.withinHours! * HOUR_MS, nowMs),
    };
    return evaluators[rule.type]();
  }

  /**
   * Whether an open alert of `rule` that this pass did not find still holds on the store's own
   * numbers. Budget rules answer passes from each instance's spend in memory, so their alerts resolve
   * only once a reading from the store agrees; every other rule reads the store already.
   */
  async holds(tenant: string, rule: AlertRule, alert: () => Promise<StoredAlert | null>, nowMs: number): Promise<boolean> {
    if (rule.type !== 'budget_threshold' && rule.type !== 'budget_exhaustion') return false;
    const open = await alert();
    return open !== null && (await this.budgets.holds(tenant, open, nowMs, rule.type === 'budget_exhaustion' ? rule.withinHours! * HOUR_MS : null));
  }

  private today(rule: AlertRule, nowMs: number) {
    const day = calendarPeriod('day', nowMs, rule.timezone);
    return { ...day, untilMs: ceilToBucket(nowMs + 1) };
  }

  private async dailyCost(tenant: string, rule: AlertRule, nowMs: number): Promise<Condition[]> {
    const day = this.today(rule, nowMs);
    const threshold = BigInt(rule.thresholdNanos!);
    const { costNanos } = await this.reports.totals(tenant, day.startMs, day.untilMs, {});
    if (costNanos <= threshold) return [];
    return [
      {
        subject: 'tenant',
        periodStartMs: day.startMs,
        periodEndMs: day.endMs,
        valueNanos: costNanos,
        thresholdNanos: threshold,
        count: null,
        severity: 'warning',
        message: `AI cost today is ${usd(costNanos)}, above ${usd(threshold)}`,
      },
    ];
  }

  private async projectedMonth(tenant: string, rule: AlertRule, nowMs: number): Promise<Condition[]> {
    const month = calendarPeriod('month', nowMs, rule.timezone);
    const threshold = BigInt(rule.thresholdNanos!);
    const projection = await this.trends.projection(tenant, {}, rule.timezone, nowMs);
    const projected = BigInt(projection.projectedMonthEnd.costNanos);
    if (projected <= threshold) return [];
    return [
      {
        subject: 'tenant',
        periodStartMs: month.startMs,
        periodEndMs: month.endMs,
        valueNanos: projected,
        thresholdNanos: threshold,
        count: null,
        severity: 'warning',
        message: `AI cost this month is projected at ${usd(projected)}, above ${usd(threshold)}`,
      },
    ];
  }

  private async userDailyCost(tenant: string, rule: AlertRule, nowMs: number): Promise<Condition[]> {
    const day = this.today(rule, nowMs);
    const threshold = BigInt(rule.thresholdNanos!);
    const rows = await this.storage.aggregate({ tenant, fromMs: day.startMs, toMs: day.untilMs, filters: {}, groupBy: ['user'] });
    return rows
      .filter((r) => r.key.user && r.costNanos > threshold)
      .map((r) => ({
        subject: `user:${r.key.user}`,
        periodStartMs: day.startMs,
        periodEndMs: day.endMs,
        valueNanos: r.costNanos,
        thresholdNanos: threshold,
        count: null,
        severity: 'info' as const,
        message: `User ${r.key.user} spent ${usd(r.costNanos)} on AI today, above ${usd(threshold)}`,
      }));
  }

  /** Last 7 days against the 7 before; the threshold is the earlier week's cost raised by `percent`. At most one alert a day. */
  private async trendIncrease(tenant: string, rule: AlertRule, nowMs: number): Promise<Condition[]> {
    const day = this.today(rule, nowMs);
    const trends = await this.trends.trends(tenant, {}, rule.timezone, nowMs);
    const last = BigInt(trends.last7Days.costNanos);
    const previous = BigInt(trends.previous7Days.costNanos);
    if (previous === 0n) return []; // no earlier week to compare with
    const threshold = (previous * (100n * SCALE + scaled(rule.percent!))) / (100n * SCALE);
    if (last <= threshold) return [];
    return [
      {
        subject: 'tenant',
        periodStartMs: day.startMs,
        periodEndMs: day.endMs,
        valueNanos: last,
        thresholdNanos: threshold,
        count: null,
        severity: 'warning',
        message: `AI cost of the last 7 days (${usd(last)}) is up ${trends.percentChange} % on the 7 days before (${usd(previous)}), more than ${rule.percent} %`,
      },
    ];
  }

  /** Calls today to models with no price, one alert per model: their cost is unknown, not zero. */
  private async unpricedUsage(tenant: string, rule: AlertRule, nowMs: number): Promise<Condition[]> {
    const day = this.today(rule, nowMs);
    const rows = await this.storage.aggregate({ tenant, fromMs: day.startMs, toMs: day.untilMs, filters: {}, groupBy: ['model'] });
    return rows
      .filter((r) => r.unpricedCalls > 0)
      .map((r) => ({
        subject: `model:${r.key.model ?? 'unknown'}`,
        periodStartMs: day.startMs,
        periodEndMs: day.endMs,
        valueNanos: null,
        thresholdNanos: null,
        count: r.unpricedCalls,
        severity: 'warning' as const,
        message: `${r.unpricedCalls} call(s) today to model ${r.key.model ?? '(none)'} have no price, so their cost is unknown`,
      }));
  }

  /**
   * The last hour (to the current 15-minute bucket's end) against the hourly mean of the 7 days
   * before it: a spike when above `multiplier` × that mean and above the floor. At most one a day.
   */
  private async spike(tenant: string, rule: AlertRule, nowMs: number): Promise<Condition[]> {
    const day = this.today(rule, nowMs);
    const end = day.untilMs;
    const start = end - HOUR_MS;
    const floor = rule.thresholdNanos === null ? SPIKE_DEFAULTS.floorNanos : BigInt(rule.thresholdNanos);
    const multiplier = scaled(rule.multiplier ?? SPIKE_DEFAULTS.multiplier);
    const [lastHour, week] = await Promise.all([this.reports.totals(tenant, start, end, {}), this.reports.totals(tenant, start - 7 * DAY_MS, start, {})]);
    const hours = BigInt((7 * DAY_MS) / HOUR_MS);
    // last > m × week / 168, compared without division.
    const overMean = lastHour.costNanos * hours * SCALE > multiplier * week.costNanos;
    if (!overMean || lastHour.costNanos <= floor) return [];
    const meanThreshold = (multiplier * week.costNanos) / (hours * SCALE);
    const threshold = meanThreshold > floor ? meanThreshold : floor;
    return [
      {
        subject: 'tenant',
        periodStartMs: day.startMs,
        periodEndMs: day.endMs,
        valueNanos: lastHour.costNanos,
        thresholdNanos: threshold,
        count: null,
        severity: 'warning',
        message: `AI cost spiked to ${usd(lastHour.costNanos)} in the last hour, over ${Number(multiplier) / Number(SCALE)} × the hourly mean of the previous 7 days (${usd(week.costNanos / hours)})`,
      },
    ];
  }

  /**
   * Each UTC day whose imported bill differs from what was tracked by more than `percent` % (and the
   * floor), one alert per day and provider. Days are those the scheduled import covers (the previous
   * and the current UTC month), today left out: its bill and its calls are both still coming in.
   */
  private async reconciliationDrift(tenant: string, rule: AlertRule, nowMs: number): Promise<Condition[]> {
    const { fromMs } = scheduledWindow(nowMs);
    const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
    const floor = rule.thresholdNanos === null ? 0n : BigInt(rule.thresholdNanos);
    const days = await this.reconciliation.days(tenant, fromMs, today, null, false);
    const conditions: Condition[] = [];
    for (const d of days) {
      if (!d.billed) continue;
      const billed = BigInt(d.billed.costNanos);
      const tracked = d.tracked.costNanos;
      if (!drifts(tracked, billed, rule.percent!, floor)) continue;
      const difference = billed - tracked;
      const percent = differencePercent(tracked, billed);
      const allowed = allowedDifference(tracked, rule.percent!);
      conditions.push({
        subject: `provider:${d.provider}`,
        periodStartMs: Date.parse(`${d.date}T00:00:00Z`),
        periodEndMs: Date.parse(`${d.date}T00:00:00Z`) + DAY_MS,
        valueNanos: difference,
        thresholdNanos: allowed > floor ? allowed : floor,
        count: null,
        severity: 'warning',
        message: `${d.provider} billed $${formatUsd(billed)} on ${d.date} (UTC), $${formatUsd(difference < 0n ? -difference : difference)} ${difference < 0n ? 'less' : 'more'} than tokenledger tracked ($${formatUsd(tracked)})${percent === null ? '' : `, ${Math.abs(percent)} %`}: more than the ${rule.percent} % allowed`,
      });
    }
    return conditions;
  }
}
