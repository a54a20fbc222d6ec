import { canonicalProvider } from '@tokenledger/semconv';
import { tagsInclude } from '../storage/tag-sets';
import { type Budget, SCOPE_DIMENSIONS, type ScopeDimension } from './budget';
import type { CheckBudgetDto } from './budget.dto';

/** The attribution of the call an app is about to make. */
export type CheckSubject = Partial<Record<ScopeDimension, string>> & { tags?: Record<string, string> };

/** The call a check request describes: null and "" count as not given, providers by canonical name. */
export function checkSubjectOf(input: CheckBudgetDto): CheckSubject {
  const subject: CheckSubject = {};
  for (const dimension of SCOPE_DIMENSIONS) {
    const value = input[dimension];
    if (typeof value === 'string' && value !== '') subject[dimension] = dimension === 'provider' ? canonicalProvider(value) : value;
  }
  // fromEntries, not assignment: a tag named __proto__ stays a tag.
  if (input.tags) subject.tags = Object.fromEntries(Object.entries(input.tags));
  return subject;
}

/**
 * Whether a budget governs a call: every dimension its scope names must be the call's (a call that
 * does not say its model is not under a model's budget), the call's tags must include every tag of
 * the scope, and a perUser budget needs the call's user.
 */
export function budgetApplies(budget: Budget, subject: CheckSubject): boolean {
  for (const d of SCOPE_DIMENSIONS) {
    const wanted = budget.scope[d];
    if (wanted !== undefined && subject[d] !== wanted) return false;
  }
  if (!tagsInclude(subject.tags, budget.scope.tags)) return false;
  return !budget.scope.perUser || subject.user !== undefined;
}
