import type { BudgetDecision, BudgetState } from './decision';

/**
 * Thrown (as the rejection of the SDK call) when a budget with `action: "block"` is exceeded for the
 * call's user, agent, feature, model or service, before any request leaves the process. Apps map it
 * to their own HTTP 402. `reason` is `"unavailable"` only when the collector could not be asked and
 * TOKENLEDGER_BUDGET_FAIL=closed.
 */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
  readonly code = 'budget_exceeded';
  readonly status = 402;
  /** The exceeded budget, or null when the guard could not reach the collector (fail closed). */
  readonly budgetId: string | null;
  /** When that budget's period ends (ISO 8601), if the collector said. */
  readonly resetsAt: string | null;
  readonly reason: 'exceeded' | 'unavailable';
  readonly budgets: BudgetState[];

  constructor(message: string, details: { budgetId: string | null; resetsAt: string | null; reason: 'exceeded' | 'unavailable'; budgets?: BudgetState[] }) {
    super(message);
    this.budgetId = details.budgetId;
    this.resetsAt = details.resetsAt;
    this.reason = details.reason;
    this.budgets = details.budgets ?? [];
  }

  /** The error for a blocking decision: names the budget that blocks and when it resets. */
  static fromDecision(decision: BudgetDecision): BudgetExceededError {
    const exceeded = decision.budgets.filter((b) => b.state === 'exceeded');
    const budget = exceeded.find((b) => b.action === 'block') ?? exceeded[0] ?? decision.budgets[0] ?? null;
    const amounts = budget?.spentUsd !== undefined && budget.limitUsd !== undefined ? ` ($${budget.spentUsd} spent of $${budget.limitUsd})` : '';
    const what = budget ? `budget "${budget.name}" is exceeded${amounts}` : 'a budget is exceeded';
    const until = decision.resetsAt ? `; calls are allowed again from ${decision.resetsAt}` : '';
    return new BudgetExceededError(`AI call blocked: ${what}${until}. Raise the limit or wait for the period to reset.`, {
      budgetId: budget?.id ?? null,
      resetsAt: decision.resetsAt,
      reason: 'exceeded',
      budgets: decision.budgets,
    });
  }
}
