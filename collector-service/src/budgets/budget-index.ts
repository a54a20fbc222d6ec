import type { BudgetsRepository } from '../storage/repositories/repositories';
import type { Budget } from './budget';

/**
 * Every tenant's budgets in memory, so a check matches them without a store round trip. This
 * process's writes update it at once; other instances' writes arrive with `reload` on every sync.
 */
export class BudgetIndex {
  private tenants = new Map<string, Map<string, Budget>>();

  constructor(private readonly repository: BudgetsRepository) {}

  /**
   * Replaces the index with the store's budgets; returns the budgets that changed or disappeared. A
   * budget that did not change stays the object it was: what is kept per budget object (its current
   * period, worked out in its time zone) lasts across syncs instead of being worked out again by the
   * first check after each one.
   */
  async reload(): Promise<Array<{ tenant: string; id: string }>> {
    const next = new Map<string, Map<string, Budget>>();
    for (const { tenant, entity: budget } of await this.repository.listAll()) {
      let budgets = next.get(tenant);
      if (!budgets) next.set(tenant, (budgets = new Map<string, Budget>()));
      const held = this.tenants.get(tenant)?.get(budget.id);
      budgets.set(budget.id, held && held.revision === budget.revision && held.updatedAtMs === budget.updatedAtMs ? held : budget);
    }
    const changed: Array<{ tenant: string; id: string }> = [];
    for (const [tenant, budgets] of this.tenants) {
      for (const [id, b] of budgets) if (next.get(tenant)?.get(id)?.revision !== b.revision) changed.push({ tenant, id });
    }
    this.tenants = next;
    return changed;
  }

  /** Tenants with budgets. */
  tenantsWithBudgets(): Iterable<string> {
    return this.tenants.keys();
  }

  of(tenant: string): Iterable<Budget> {
    return this.tenants.get(tenant)?.values() ?? [];
  }

  set(tenant: string, budget: Budget): void {
    let budgets = this.tenants.get(tenant);
    if (!budgets) this.tenants.set(tenant, (budgets = new Map<string, Budget>()));
    budgets.set(budget.id, budget);
  }

  delete(tenant: string, id: string): void {
    this.tenants.get(tenant)?.delete(id);
  }
}
