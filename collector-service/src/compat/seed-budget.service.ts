import { Injectable } from '@nestjs/common';
import type { UpdateBudgetDto } from '../budgets/budget.dto';
import { BudgetsService } from '../budgets/budgets.service';
import { badField } from '../channels/field-error';
import type { SeedBudgetDto } from './seed-budget.dto';

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

/** The settings of a PUT: its body, the user named there or in the query. */
export function seedBudgetOf(body: SeedBudgetDto, queryUserId: string | undefined): SeedBudgetSettings & { timezone: string } {
  const userId = body.userId ?? queryUserId;
  if (userId === undefined) throw badField('userId', 'is required (in the body or the query): the seed budgets are per user');
  // The user's budgets are named after the user ("<userId> monthly limit"), and a budget's name has at most 200 characters.
  if (userId.length > MAX_USER_ID) throw badField('userId', `must have at most ${MAX_USER_ID} characters`);
  return { ...body, userId, timezone: body.timezone ?? 'UTC' };
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
      // Checked by SeedBudgetDto: a positive number of at most 9 decimals, whose text is its exact decimal.
      if (limit !== undefined) changes.limitUsd = String(limit);
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
