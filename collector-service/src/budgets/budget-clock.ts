/**
 * The budgets' notion of now (which period is current). One object per app, so a test can move it
 * (`app.get(BudgetClock).now = () => ...`) to reach the next period without waiting for it.
 */
export class BudgetClock {
  now: () => number = () => Date.now();
}
