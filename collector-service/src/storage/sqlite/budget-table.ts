import type { DatabaseSync } from 'node:sqlite';
import type { Budget } from '../../budgets/budget';
import type { EntityRepository } from '../repositories/entity-repository';
import { checkAddress } from '../documents';
import { budgetOf, storedBudget } from '../stored-budget';

interface BudgetRow {
  tenant: string;
  id: string;
  limit_nanos: bigint;
  body: string;
}

/** Budgets in their table (schema migration 11): the limit an INTEGER column of nano-USD, the rest JSON. */
export class SqliteBudgets implements EntityRepository<Budget> {
  constructor(
    private readonly db: DatabaseSync,
    /** Resolves when what was committed survives a power loss. */
    private readonly durable: () => Promise<void>,
  ) {}

  async save(tenant: string, budget: Budget): Promise<void> {
    this.write(
      'INSERT INTO budgets (tenant, id, limit_nanos, body) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, id) DO UPDATE SET limit_nanos = excluded.limit_nanos, body = excluded.body',
      tenant,
      budget,
    );
    await this.durable();
  }

  async add(tenant: string, budget: Budget): Promise<boolean> {
    // The primary key decides: of any number of writers on this file, exactly one inserts.
    const added = this.write('INSERT INTO budgets (tenant, id, limit_nanos, body) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', tenant, budget);
    await this.durable();
    return added;
  }

  async get(tenant: string, id: string): Promise<Budget | null> {
    checkAddress('budget', tenant, id);
    const row = this.read('SELECT tenant, id, limit_nanos, body FROM budgets WHERE tenant = ? AND id = ?').get(tenant, id) as BudgetRow | undefined;
    return row ? budgetFrom(row) : null;
  }

  async list(tenant: string): Promise<Budget[]> {
    return (this.read('SELECT tenant, id, limit_nanos, body FROM budgets WHERE tenant = ? ORDER BY id').all(tenant) as unknown as BudgetRow[]).map(budgetFrom);
  }

  async listAll(): Promise<Array<{ tenant: string; entity: Budget }>> {
    const rows = this.read('SELECT tenant, id, limit_nanos, body FROM budgets ORDER BY tenant, id').all() as unknown as BudgetRow[];
    return rows.map((row) => ({ tenant: row.tenant, entity: budgetFrom(row) }));
  }

  async remove(tenant: string, id: string): Promise<boolean> {
    checkAddress('budget', tenant, id);
    const removed = Number(this.db.prepare('DELETE FROM budgets WHERE tenant = ? AND id = ?').run(tenant, id).changes) === 1;
    await this.durable();
    return removed;
  }

  /** Runs an insert of the budget; true when it wrote a row. */
  private write(sql: string, tenant: string, budget: Budget): boolean {
    checkAddress('budget', tenant, budget.id);
    const { limitNanos, body } = storedBudget(budget);
    return Number(this.db.prepare(sql).run(tenant, budget.id, limitNanos, body).changes) === 1;
  }

  /** A read whose integers come back as bigint: a limit may pass what a double holds exactly. */
  private read(sql: string) {
    const statement = this.db.prepare(sql);
    statement.setReadBigInts(true);
    return statement;
  }
}

const budgetFrom = (row: BudgetRow) => budgetOf({ limitNanos: row.limit_nanos, body: row.body });
