import { Inject, Injectable } from '@nestjs/common';
import { formatUsd } from '@tokenledger/pricing';
import { BUDGET_KIND, type Budget } from '../budgets/budget';
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
    for (const { doc: budget } of await this.storage.listDocuments<Budget & Record<string, unknown>>(BUDGET_KIND, tenant)) {
      const window = budgetPeriod(budget, nowMs);
      const spend = await readSpend(this.storage, tenant, budget, window);
      const spenders: [string | null, bigint][] = spend.byUser ? [...spend.byUser] : [[null, spend.total]];
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

  /** Tenants that have budgets. */
  async tenants(): Promise<string[]> {
    return [...new Set((await this.storage.listDocuments(BUDGET_KIND, null)).map((e) => e.tenant))];
  }
}
