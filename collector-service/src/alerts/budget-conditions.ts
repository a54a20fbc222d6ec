import { Inject, Injectable } from '@nestjs/common';
import { formatUsd } from '@tokenledger/pricing';
import { BUDGET_KIND, type Budget, SCOPE_DIMENSIONS, type ScopeDimension } from '../budgets/budget';
import { readSpend } from '../budgets/budget-spend';
import { budgetPeriod, thresholdNanos } from '../budgets/budget-state';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import type { Condition } from './condition';

const usd = (nanos: bigint) => `$${formatUsd(nanos, 2)}`;
const PERIOD_ADJECTIVE = { day: 'daily', week: 'weekly', month: 'monthly' } as const;
const percent = (fraction: number) => `${Math.round(fraction * 10_000) / 100} %`;

/**
 * Budget threshold crossings: one condition per budget, threshold reached and period (and user, for
 * a perUser budget). Spend is the budgets module's exact rollup read for the budget's own period in
 * its time zone; a threshold is reached at ceil(limit × fraction), as budget states are decided.
 */
@Injectable()
export class BudgetConditions {
  constructor(@Inject(STORAGE) private readonly storage: StoragePort) {}

  async conditions(tenant: string, nowMs: number): Promise<Condition[]> {
    const conditions: Condition[] = [];
    const grouped = new Map<string, Promise<Map<string, bigint>>>();
    for (const { doc: budget } of await this.storage.listDocuments<Budget & Record<string, unknown>>(BUDGET_KIND, tenant)) {
      const window = budgetPeriod(budget, nowMs);
      const spenders = await this.spenders(tenant, budget, window, grouped);
      const limit = BigInt(budget.limitNanos);
      for (const [user, spent] of spenders) {
        for (const fraction of budget.thresholds) {
          const threshold = thresholdNanos(limit, fraction);
          if (spent < threshold) continue;
          const who = user === null ? '' : ` for user ${user}`;
          conditions.push({
            subject: `budget:${budget.id}${user === null ? '' : `:user:${user}`}@${fraction}`,
            periodStartMs: window.startMs,
            periodEndMs: window.endMs,
            valueNanos: spent,
            thresholdNanos: threshold,
            count: null,
            severity: fraction >= 1 ? 'critical' : 'warning',
            message: `Budget "${budget.name}"${who} reached ${percent(fraction)} of its ${PERIOD_ADJECTIVE[budget.period]} limit of ${usd(limit)}: ${usd(spent)} spent`,
            extraChannels: budget.channels,
          });
        }
      }
    }
    return conditions;
  }

  /**
   * Each spender's spend: the scope's total, or each user's for a perUser budget. Budgets scoped by
   * the same dimensions share one rollup read per period, grouped by those dimensions (a thousand
   * per-user budgets of one month are one query grouped by user, not a thousand); the sums are the
   * same exact rollup sums readSpend makes for one budget.
   */
  private async spenders(tenant: string, budget: Budget, window: { startMs: number; endMs: number }, grouped: Map<string, Promise<Map<string, bigint>>>): Promise<[string | null, bigint][]> {
    if (budget.scope.perUser) {
      const spend = await readSpend(this.storage, tenant, budget, window);
      return [...spend.byUser!];
    }
    const dimensions = SCOPE_DIMENSIONS.filter((d) => budget.scope[d] !== undefined);
    const key = `${window.startMs}|${window.endMs}|${dimensions.join(',')}`;
    let sums = grouped.get(key);
    if (!sums) grouped.set(key, (sums = this.sumsBy(tenant, window, dimensions)));
    return [[null, (await sums).get(JSON.stringify(dimensions.map((d) => budget.scope[d]))) ?? 0n]];
  }

  /** Spend in a window per combination of the dimensions' values (keyed by the JSON of the values). */
  private async sumsBy(tenant: string, window: { startMs: number; endMs: number }, dimensions: ScopeDimension[]): Promise<Map<string, bigint>> {
    const rows = await this.storage.aggregate({ tenant, fromMs: window.startMs, toMs: window.endMs, filters: {}, groupBy: dimensions });
    const sums = new Map<string, bigint>();
    for (const row of rows) {
      const key = JSON.stringify(dimensions.map((d) => row.key[d] ?? null));
      sums.set(key, (sums.get(key) ?? 0n) + row.costNanos);
    }
    return sums;
  }

  /** Tenants that have budgets. */
  async tenants(): Promise<string[]> {
    return [...new Set((await this.storage.listDocuments(BUDGET_KIND, null)).map((e) => e.tenant))];
  }
}
