import { Injectable } from '@nestjs/common';
import { Info } from 'luxon';
import type { UpdateBudgetDto } from '../budgets/budget.dto';
import { BudgetsService } from '../budgets/budgets.service';
import { badField as bad } from '../channels/field-error';

/** The cost-monitoring seed's per-user budget settings (`PUT /api/cost-monitoring/budget`). */
export interface SeedBudgetSettings {
  userId: string;
  dailyLimit?: number | null;
  monthlyLimit?: number | null;
  alertThreshold?: number;
  alertsEnabled?: boolean;
  pauseOnExceed?: boolean;
}

const MAX_USER_ID = 180;
const FIELDS = ['userId', 'dailyLimit', 'monthlyLimit', 'alertThreshold', 'alertsEnabled', 'pauseOnExceed', 'timezone'];

/** A seed limit (USD as a JSON number) as the decimal string budgets take; no float arithmetic. */
function limitUsd(field: string, value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw bad(field, 'must be a positive number of USD');
  const text = String(value);
  if (!/^\d+(\.\d{1,9})?$/.test(text)) throw bad(field, `must have at most 9 decimals, got ${text}`);
  return text;
}

export function parseSeedBudget(body: unknown, queryUserId: unknown): SeedBudgetSettings & { timezone: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad('body', 'must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) if (!FIELDS.includes(key)) throw bad(key, `is not a budget setting (settings: ${FIELDS.join(', ')})`);
  const userId = b.userId ?? queryUserId;
  if (typeof userId !== 'string' || userId === '') throw bad('userId', 'is required (in the body or the query): the seed budgets are per user');
  // The user's budgets are named after the user ("<userId> monthly limit"), and a budget's name has at most 200 characters.
  if (userId.length > MAX_USER_ID) throw bad('userId', `must have at most ${MAX_USER_ID} characters`);
  const flag = (name: string) => {
    if (b[name] !== undefined && typeof b[name] !== 'boolean') throw bad(name, 'must be true or false');
    return b[name];
  };
  if (b.alertThreshold !== undefined && (typeof b.alertThreshold !== 'number' || !(b.alertThreshold > 0 && b.alertThreshold <= 1)))
    throw bad('alertThreshold', 'must be a fraction above 0 and at most 1 (0.8 = 80 %)');
  if (b.timezone !== undefined && (typeof b.timezone !== 'string' || !Info.isValidIANAZone(b.timezone)))
    throw bad('timezone', `must be an IANA time zone name (e.g. UTC, Europe/Madrid), got ${JSON.stringify(b.timezone)}`);
  for (const f of ['dailyLimit', 'monthlyLimit']) if (b[f] !== undefined && b[f] !== null) limitUsd(f, b[f]);
  return {
    userId,
    dailyLimit: b.dailyLimit as number | null | undefined,
    monthlyLimit: b.monthlyLimit as number | null | undefined,
    alertThreshold: b.alertThreshold,
    alertsEnabled: flag('alertsEnabled'),
    pauseOnExceed: flag('pauseOnExceed'),
    timezone: b.timezone ?? 'UTC',
  };
}

/**
 * The seed's per-user daily and monthly limits, kept as two ordinary budgets scoped to the user
 * (named so they are found again): a limit set creates or updates its budget, `null` removes it,
 * a limit left out keeps it. `pauseOnExceed` makes them blocking budgets, which the in-app guard
 * enforces; `alertThreshold` is the warning threshold before the limit itself.
 */
@Injectable()
export class SeedBudgetService {
  constructor(private readonly budgets: BudgetsService) {}

  private static nameOf(userId: string, period: 'day' | 'month') {
    return `${userId} ${period === 'day' ? 'daily' : 'monthly'} limit`;
  }

  async put(tenant: string, s: SeedBudgetSettings & { timezone: string }) {
    const existing = await this.budgets.list(tenant);
    const find = (period: 'day' | 'month') =>
      existing.find((b) => b.name === SeedBudgetService.nameOf(s.userId, period) && b.scope.user === s.userId && b.period === period);
    const apply = async (period: 'day' | 'month', limit: number | null | undefined) => {
      const current = find(period);
      if (limit === null) {
        if (current) await this.budgets.remove(tenant, current.id);
        return;
      }
      if (limit === undefined && !current) return;
      const threshold = s.alertThreshold ?? current?.thresholds.find((t) => t < 1) ?? 0.8;
      const alerts = s.alertsEnabled ?? (current ? current.thresholds.length > 1 || current.channels.length > 0 : true);
      const changes: UpdateBudgetDto = {
        thresholds: alerts ? [threshold, 1] : [1],
        action: (s.pauseOnExceed ?? current?.action === 'block') ? 'block' : 'notify',
      };
      if (limit !== undefined) changes.limitUsd = limitUsd(period === 'day' ? 'dailyLimit' : 'monthlyLimit', limit);
      if (current) await this.budgets.update(tenant, current.id, changes);
      else
        await this.budgets.create(tenant, {
          name: SeedBudgetService.nameOf(s.userId, period),
          scope: { user: s.userId },
          period,
          timezone: s.timezone,
          ...changes,
        });
    };
    await apply('day', s.dailyLimit);
    await apply('month', s.monthlyLimit);
    return this.status(tenant, s.userId);
  }

  /** The seed's budget status: limits, what was spent in the current day and month, and the settings. */
  async status(tenant: string, userId: string) {
    const all = await this.budgets.list(tenant);
    const of = (period: 'day' | 'month') =>
      all.find((b) => b.name === SeedBudgetService.nameOf(userId, period) && b.scope.user === userId && b.period === period);
    const [day, month] = [of('day'), of('month')];
    const [dayStatus, monthStatus] = await Promise.all([
      day ? this.budgets.status(tenant, day.id) : null,
      month ? this.budgets.status(tenant, month.id) : null,
    ]);
    const any = day ?? month;
    const n = (usd: string | undefined) => (usd === undefined ? null : Number(usd));
    return {
      userId,
      dailyLimit: n(day?.limitUsd),
      dailyLimitUsd: day?.limitUsd ?? null,
      monthlyLimit: n(month?.limitUsd),
      monthlyLimitUsd: month?.limitUsd ?? null,
      dailySpent: n(dayStatus?.spentUsd) ?? 0,
      dailySpentUsd: dayStatus?.spentUsd ?? '0.000000000',
      monthlySpent: n(monthStatus?.spentUsd) ?? 0,
      monthlySpentUsd: monthStatus?.spentUsd ?? '0.000000000',
      alertThreshold: any?.thresholds.find((t) => t < 1) ?? null,
      alertsEnabled: any ? any.thresholds.length > 1 : false,
      pauseOnExceed: any?.action === 'block',
      budgetIds: { daily: day?.id ?? null, monthly: month?.id ?? null },
    };
  }
}
