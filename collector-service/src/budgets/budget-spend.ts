import type { HeldRows, RollupQuery, RollupRow, StoragePort } from '../storage/storage.port';
import { tagsInclude } from '../storage/tag-sets';
import type { UsageRecord } from '../usage/usage-record';
import { type Budget, SCOPE_DIMENSIONS, type ScopeDimension, scopeFilters } from './budget';
import type { BudgetPeriodWindow } from './budget-state';

/** A budget's spend in one period: the scope's total, and each user's for a perUser budget. */
export interface PeriodSpend {
  total: bigint;
  /** perUser budgets only: spend of each user with any (records without a user are not anyone's). */
  byUser: Map<string, bigint> | null;
}

/**
 * Reads a budget's spend in a period from the exact rollups (never raw records). A perUser budget's
 * read holds a row per user: past `maxUsers` of them it stops with TooManyRowsError (rollup-rows.ts).
 */
export async function readSpend(storage: StoragePort, tenant: string, budget: Budget, window: BudgetPeriodWindow, maxUsers?: number): Promise<PeriodSpend> {
  return spendOf(await storage.aggregate(spendQuery(tenant, budget, window, maxUsers)), budget);
}

/** The same, saying which of this process's batches it holds (see StoragePort.aggregateHeld). */
export async function readHeldSpend(storage: StoragePort, tenant: string, budget: Budget, window: BudgetPeriodWindow): Promise<Held<PeriodSpend>> {
  const { rows, holds } = await storage.aggregateHeld(spendQuery(tenant, budget, window));
  return { value: spendOf(rows, budget), holds };
}

/** What a read found, and which of this process's batches it holds. */
export interface Held<T> {
  value: T;
  holds: HeldRows['holds'];
}

/** The rollup query of a budget's spend: the scope's total, or each user's for a perUser budget. */
function spendQuery(tenant: string, budget: Budget, window: BudgetPeriodWindow, maxUsers?: number): RollupQuery {
  const query = { tenant, fromMs: window.startMs, toMs: window.endMs, filters: scopeFilters(budget.scope), tags: budget.scope.tags };
  return budget.scope.perUser ? { ...query, groupBy: ['user'], maxRows: maxUsers } : { ...query, groupBy: [] };
}

function spendOf(rows: readonly RollupRow[], budget: Budget): PeriodSpend {
  if (!budget.scope.perUser) return { total: rows[0]?.costNanos ?? 0n, byUser: null };
  const byUser = new Map<string, bigint>();
  let total = 0n;
  for (const row of rows) {
    if (row.key.user === null || row.key.user === undefined) continue;
    byUser.set(row.key.user, row.costNanos);
    total += row.costNanos;
  }
  return { total, byUser };
}

/** Whether a stored record (or a summary line of alike records) counts toward a budget (its scope, tags included; a perUser budget needs a user). */
export function recordInScope(budget: Budget, record: Pick<UsageRecord, ScopeDimension | 'tags'>): boolean {
  for (const d of SCOPE_DIMENSIONS) {
    const wanted = budget.scope[d];
    if (wanted !== undefined && record[d] !== wanted) return false;
  }
  if (!tagsInclude(record.tags, budget.scope.tags)) return false;
  return !budget.scope.perUser || record.user !== null;
}
