import { setCallGate } from '@tokenledger/instrumentation-common';
import { attributionEntries, currentAttribution } from '../attribution';
import { BudgetGuard } from './budget-guard';
import type { BudgetDecision } from './decision';
import type { ResolvedGuardOptions } from './options';

let active: BudgetGuard | null = null;

/** Installs the guard as the process-wide call gate every instrumentation consults (replacing any earlier one). */
export function installBudgetGuard(options: ResolvedGuardOptions): BudgetGuard {
  const guard = new BudgetGuard(options);
  active = guard;
  setCallGate((call) => guard.gate(call));
  return guard;
}

/** Removes the guard: calls are no longer checked. */
export function uninstallBudgetGuard(): void {
  active = null;
  setCallGate(null);
}

export interface CheckBudgetOptions {
  userId?: string;
  agentId?: string;
  feature?: string;
  tags?: Record<string, string>;
  provider?: string;
  model?: string;
}

/**
 * The budget guard's decision for an attribution (by default the current one, as a call made here
 * would be checked), for code that wants to ask before doing expensive work. Uses the guard's cache;
 * when the collector cannot be reached the failure policy answers and `unavailable` is true.
 */
export async function checkBudget(options: CheckBudgetOptions = {}): Promise<BudgetDecision> {
  if (!active)
    throw new Error(
      'checkBudget: the budget guard is not enabled; set TOKENLEDGER_BUDGET_GUARD=on with TOKENLEDGER_URL (and TOKENLEDGER_API_KEY), or pass budgetGuard to registerTokenledger()',
    );
  if (options === null || typeof options !== 'object') throw new TypeError('checkBudget: expected an options object like { userId, model }');
  const { provider, model, ...attribution } = options;
  const merged = { ...currentAttribution(), ...Object.fromEntries(Object.entries(attribution).filter(([, v]) => v !== undefined)) };
  return active.check(active.requestFor(attributionEntries(merged), provider, model));
}
