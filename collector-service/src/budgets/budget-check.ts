import { canonicalProvider } from '@tokenledger/semconv';
import { tagsInclude } from '../storage/tag-sets';
import { type Budget, BudgetFieldError, SCOPE_DIMENSIONS, type ScopeDimension } from './budget';

/** The attribution of the call an app is about to make. */
export type CheckSubject = Partial<Record<ScopeDimension, string>> & { tags?: Record<string, string> };

const CHECK_FIELDS = [...SCOPE_DIMENSIONS, 'tags', 'tenant'];

/** A check body: who is about to call; every field optional. `tenant` is for all-tenant keys. */
export function checkSubjectFromBody(body: unknown): { subject: CheckSubject; tenant: string | undefined } {
  if (body === undefined || body === null) body = {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new BudgetFieldError('body', 'must be a JSON object');
  const input = body as Record<string, unknown>;
  const subject: CheckSubject = {};
  for (const [key, value] of Object.entries(input)) {
    if (!CHECK_FIELDS.includes(key)) throw new BudgetFieldError(key, `is not a check field (fields: ${CHECK_FIELDS.join(', ')})`);
    if (value === undefined || value === null) continue;
    if (key === 'tags') {
      subject.tags = subjectTagsOf(value);
    } else if (key !== 'tenant') {
      if (typeof value !== 'string' || value.length > 200) throw new BudgetFieldError(key, 'must be a string of at most 200 characters');
      if (value !== '') subject[key as ScopeDimension] = key === 'provider' ? canonicalProvider(value) : value;
    } else if (typeof value !== 'string') {
      throw new BudgetFieldError('tenant', 'must be a string');
    }
  }
  return { subject, tenant: input.tenant as string | undefined };
}

/**
 * A call's tags: string values, as the SDK's attribution allows them (empty ones too; they match no
 * budget, whose tag values are never empty).
 */
function subjectTagsOf(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BudgetFieldError('tags', 'must be an object of string values, like { "team": "search" }');
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [key, v] of entries) if (typeof v !== 'string') throw new BudgetFieldError(`tags.${key}`, `must be a string, got ${JSON.stringify(v)}`);
  return Object.fromEntries(entries) as Record<string, string>;
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
