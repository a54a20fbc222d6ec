import type { Budget } from '../budgets/budget';
import { isEntityDocument, MAX_STORED_NANOS, type MoneyEntityKind } from './money-entities';

/** The document kind budgets were kept under before they had a table (or collection) of their own. */
export const BUDGET_DOCUMENT_KIND = 'budget';

/** Budgets as both stores keep them (schema migration 11): the limit an integer of nano-USD, the rest JSON. */
export const STORED_BUDGETS: MoneyEntityKind<Budget> = {
  documentKind: BUDGET_DOCUMENT_KIND,
  table: 'budgets',
  column: 'limit_nanos',
  field: 'limitNanos',
  nullable: false,
};

/** The most nano-USD a limit may be: what both stores hold as a signed 64-bit integer. */
export const MAX_LIMIT_NANOS = MAX_STORED_NANOS;

/**
 * Whether a document of the budgets' old kind holds a budget as the versions before wrote it: a limit
 * that is a decimal string of nanos a 64-bit integer holds. Anything else stays where it is.
 */
export const isBudgetDocument = (body: Record<string, unknown>): boolean => isEntityDocument(STORED_BUDGETS, body);
