import type { DatabaseSync } from 'node:sqlite';
import type { Entity, EntityRepository } from '../repositories/entity-repository';
import { checkAddress } from '../documents';
import { entityOf, type MoneyEntityKind, storedEntity } from '../money-entities';

interface EntityRow {
  tenant: string;
  id: string;
  nanos: bigint | null;
  body: string;
}

/** Entities of one kind in their table: the money (if the kind has any) an INTEGER column of nano-USD, the rest JSON. */
export class SqliteMoneyEntities<T extends Entity> implements EntityRepository<T> {
  private readonly columns: string;
  /** The insert of one entity, up to its conflict clause. */
  private readonly insert: string;
  /** What a save replaces of an entity there already. */
  private readonly replace: string;

  constructor(
    private readonly db: DatabaseSync,
    /** Resolves when what was committed survives a power loss. */
    private readonly durable: () => Promise<void>,
    private readonly kind: MoneyEntityKind<T>,
  ) {
    const { table, column } = kind;
    this.columns = `tenant, id, ${column ?? 'NULL'} AS nanos, body`;
    this.insert =
      column === null ? `INSERT INTO ${table} (tenant, id, body) VALUES (?, ?, ?)` : `INSERT INTO ${table} (tenant, id, ${column}, body) VALUES (?, ?, ?, ?)`;
    this.replace = column === null ? 'body = excluded.body' : `${column} = excluded.${column}, body = excluded.body`;
  }

  async save(tenant: string, entity: T): Promise<void> {
    this.write(`${this.insert} ON CONFLICT (tenant, id) DO UPDATE SET ${this.replace}`, tenant, entity);
    await this.durable();
  }

  async add(tenant: string, entity: T): Promise<boolean> {
    // The primary key decides: of any number of writers on this file, exactly one inserts.
    const added = this.write(`${this.insert} ON CONFLICT DO NOTHING`, tenant, entity);
    await this.durable();
    return added;
  }

  async get(tenant: string, id: string): Promise<T | null> {
    checkAddress(this.kind.documentKind, tenant, id);
    const row = this.read(`SELECT ${this.columns} FROM ${this.kind.table} WHERE tenant = ? AND id = ?`).get(tenant, id) as EntityRow | undefined;
    return row ? this.entityFrom(row) : null;
  }

  async list(tenant: string): Promise<T[]> {
    const rows = this.read(`SELECT ${this.columns} FROM ${this.kind.table} WHERE tenant = ? ORDER BY id`).all(tenant) as unknown as EntityRow[];
    return rows.map((row) => this.entityFrom(row));
  }

  async listAll(): Promise<Array<{ tenant: string; entity: T }>> {
    const rows = this.read(`SELECT ${this.columns} FROM ${this.kind.table} ORDER BY tenant, id`).all() as unknown as EntityRow[];
    return rows.map((row) => ({ tenant: row.tenant, entity: this.entityFrom(row) }));
  }

  async remove(tenant: string, id: string): Promise<boolean> {
    checkAddress(this.kind.documentKind, tenant, id);
    const removed = Number(this.db.prepare(`DELETE FROM ${this.kind.table} WHERE tenant = ? AND id = ?`).run(tenant, id).changes) === 1;
    await this.durable();
    return removed;
  }

  /** Runs an insert of the entity; true when it wrote a row. */
  private write(sql: string, tenant: string, entity: T): boolean {
    checkAddress(this.kind.documentKind, tenant, entity.id);
    const { nanos, body } = storedEntity(this.kind, entity);
    const values = this.kind.column === null ? [tenant, entity.id, body] : [tenant, entity.id, nanos, body];
    return Number(this.db.prepare(sql).run(...values).changes) === 1;
  }

  /** A read whose integers come back as bigint: an amount may pass what a double holds exactly. */
  private read(sql: string) {
    const statement = this.db.prepare(sql);
    statement.setReadBigInts(true);
    return statement;
  }

  private entityFrom(row: EntityRow): T {
    return entityOf(this.kind, { nanos: row.nanos, body: row.body });
  }
}
