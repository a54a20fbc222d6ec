/**
 * The subject of a budget alert: `budget:<id>@<threshold>`, or `budget:<id>:user:<user>@<threshold>`
 * for one user of a perUser budget; a projected exhaustion has `exhaustion` in place of the threshold.
 * Part of the alert's identity (its id hashes it), so it names the budget by id; lists add the
 * budget's name for people.
 */
export const budgetSubject = (budgetId: string, user: string | null, threshold: number | typeof EXHAUSTION) =>
  `budget:${budgetId}${user === null ? '' : `:user:${user}`}@${threshold}`;

export const EXHAUSTION = 'exhaustion';

export interface BudgetSubject {
  budgetId: string;
  user: string | null;
  /** The fraction of the limit reached (0.8, 1); null for a projected exhaustion. */
  threshold: number | null;
}

const PREFIX = 'budget:';
const USER = ':user:';

/** The parts of a budget alert's subject; null for any other subject. */
export function parseBudgetSubject(subject: string): BudgetSubject | null {
  const at = subject.lastIndexOf('@');
  if (!subject.startsWith(PREFIX) || at < 0) return null;
  const after = subject.slice(at + 1);
  const threshold = after === EXHAUSTION ? null : Number(after);
  const middle = subject.slice(PREFIX.length, at);
  // Budget ids hold no colon; a user id may hold anything.
  const userAt = middle.indexOf(USER);
  const budgetId = userAt < 0 ? middle : middle.slice(0, userAt);
  if (!budgetId || (threshold !== null && !Number.isFinite(threshold))) return null;
  return { budgetId, user: userAt < 0 ? null : middle.slice(userAt + USER.length), threshold };
}
