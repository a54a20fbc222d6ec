import type { Budget } from '../budgets/budget';

/** The document kind budgets were kept under before they had a table (or collection) of their own. */
export const BUDGET_DOCUMENT_KIND = 'budget';

/** A budget as both stores keep it: its limit an integer of its own (nano-USD), the rest as JSON. */
export interface StoredBudget {
  limitNanos: bigint;
  body: string;
}

/** The most nano-USD a limit may be: what both stores hold as a signed 64-bit integer. */
export const MAX_LIMIT_NANOS = 2n ** 63n - 1n;

/**
 * Whether a document of the budgets' old kind holds a budget as the versions before wrote it: a limit
 * that is a decimal string of nanos a 64-bit integer holds. Anything else stays where it is.
 */
export function isBudgetDocument(body: Record<string, unknown>): boolean {
  const limit = body.limitNanos;
  return typeof limit === 'string' && /^\d{1,19}$/.test(limit) && BigInt(limit) <= MAX_LIMIT_NANOS;
}

export function storedBudget(budget: Budget): StoredBudget {
  const { limitNanos, ...rest } = budget;
  return { limitNanos: BigInt(limitNanos), body: JSON.stringify(rest) };
}

export function budgetOf(stored: StoredBudget): Budget {
  return { ...(JSON.parse(stored.body) as Omit<Budget, 'limitNanos'>), limitNanos: stored.limitNanos.toString() };
}
