import type { BudgetsRepository } from '../storage/repositories/repositories';
import type { Budget } from './budget';

/**
 * Every tenant's budgets in memory, so a check matches them without a store round trip. This
 * process's writes update it at once; other instances' writes arrive with `reload` on every sync.
 */
export class BudgetIndex {
  private tenants = new Map<string, Map<string, Budget>>();
  /** Reloads whose listing is under way. */
  private listing = 0;
  /** This process's writes made while a listing was under way (null: deleted), in order: see `reload`. */
  private readonly writes = new Map<string, { seq: number; tenant: string; id: string; budget: Budget | null }>();
  private seq = 0;

  constructor(private readonly repository: BudgetsRepository) {}

  /**
   * Replaces the index with the store's budgets; returns the budgets that changed or disappeared. A
   * budget that did not change stays the object it was: what is kept per budget object (its current
   * period, worked out in its time zone) lasts across syncs instead of being worked out again by the
   * first check after each one.
   *
   * The listing may have been read before a write this process made while it was under way (a budget
   * created here during a sync): those writes are applied over it, else the index would lose them
   * until the next sync and a check in between would not match a budget this process just created.
   */
  async reload(): Promise<Array<{ tenant: string; id: string }>> {
    const from = this.seq;
    this.listing++;
    let listed: Array<{ tenant: string; entity: Budget }>;
    try {
      listed = await this.repository.listAll();
    } finally {
      this.listing--;
    }
    const next = new Map<string, Map<string, Budget>>();
    for (const { tenant, entity: budget } of listed) {
      let budgets = next.get(tenant);
      if (!budgets) next.set(tenant, (budgets = new Map<string, Budget>()));
      const held = this.tenants.get(tenant)?.get(budget.id);
      budgets.set(budget.id, held && held.revision === budget.revision && held.updatedAtMs === budget.updatedAtMs ? held : budget);
    }
    for (const { seq, tenant, id, budget } of this.writes.values()) {
      if (seq <= from) continue; // before this listing began: in it
      const listedOne = next.get(tenant)?.get(id);
      if (budget === null) next.get(tenant)?.delete(id);
      // A revision listed newer than this process's write is another instance's later one.
      else if (!listedOne || listedOne.revision < budget.revision) {
        if (!next.has(tenant)) next.set(tenant, new Map<string, Budget>());
        next.get(tenant)!.set(id, budget);
      }
    }
    if (this.listing === 0) this.writes.clear();
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
    this.wrote(tenant, budget.id, budget);
  }

  delete(tenant: string, id: string): void {
    this.tenants.get(tenant)?.delete(id);
    this.wrote(tenant, id, null);
  }

  private wrote(tenant: string, id: string, budget: Budget | null): void {
    if (this.listing === 0) return; // the next listing is read after it
    const key = `${tenant}\u0000${id}`;
    this.writes.delete(key); // kept in the order made
    this.writes.set(key, { seq: ++this.seq, tenant, id, budget });
  }
}
