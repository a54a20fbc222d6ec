import type { Collection } from 'mongodb';
import type { Budget } from '../../budgets/budget';
import type { EntityRepository } from '../repositories/entity-repository';
import { checkAddress } from '../documents';
import { budgetOf, storedBudget } from '../stored-budget';
import type { DocumentListings } from './document-listings';
import { insertOnce, upsert } from './inserts';

/** A budget in its collection: the limit an Int64 of nano-USD (never Decimal128), the rest JSON. */
export interface BudgetDoc {
  /** tenant + id */
  _id: string;
  tenant: string;
  id: string;
  limitNanos: bigint;
  body: string;
}

/** The listings' key for budgets: every instance lists them each second, so they are kept while none changed. */
const LISTING_KIND = 'budget';

const budgetId = (tenant: string, id: string) => {
  checkAddress('budget', tenant, id);
  return JSON.stringify([tenant, id]);
};

const budgetFrom = (doc: BudgetDoc) => budgetOf({ limitNanos: BigInt(doc.limitNanos), body: doc.body });

/** Budgets in a collection of their own. */
export class MongoBudgets implements EntityRepository<Budget> {
  constructor(
    private readonly budgets: Collection<BudgetDoc>,
    private readonly listings: DocumentListings,
  ) {}

  async save(tenant: string, budget: Budget): Promise<void> {
    await upsert(this.budgets, budgetId(tenant, budget.id), { tenant, id: budget.id, ...storedBudget(budget) });
    await this.listings.changed(LISTING_KIND);
  }

  async add(tenant: string, budget: Budget): Promise<boolean> {
    // A duplicate _id fails on MongoDB and FerretDB alike, without transactions: one insert wins.
    const added = await insertOnce(this.budgets, { _id: budgetId(tenant, budget.id), tenant, id: budget.id, ...storedBudget(budget) });
    if (added) await this.listings.changed(LISTING_KIND);
    return added;
  }

  async get(tenant: string, id: string): Promise<Budget | null> {
    const found = await this.budgets.findOne({ _id: budgetId(tenant, id) });
    return found ? budgetFrom(found) : null;
  }

  async list(tenant: string): Promise<Budget[]> {
    return (await this.listed(tenant)).map(budgetFrom);
  }

  async listAll(): Promise<Array<{ tenant: string; entity: Budget }>> {
    return (await this.listed(null)).map((doc) => ({ tenant: doc.tenant, entity: budgetFrom(doc) }));
  }

  async remove(tenant: string, id: string): Promise<boolean> {
    const removed = (await this.budgets.deleteOne({ _id: budgetId(tenant, id) })).deletedCount === 1;
    if (removed) await this.listings.changed(LISTING_KIND);
    return removed;
  }

  private listed(tenant: string | null): Promise<BudgetDoc[]> {
    return this.listings.list(LISTING_KIND, tenant, () =>
      this.budgets
        .find(tenant === null ? {} : { tenant })
        .sort({ tenant: 1, id: 1 })
        .toArray(),
    );
  }
}
