/** An entity of one tenant, addressed by its id. */
export interface Entity {
  id: string;
}

/** A configuration entity's storage (budgets, alert rules, channels): written whole, read by tenant and id. */
export interface EntityRepository<T extends Entity> {
  /** Creates or replaces it. */
  save(tenant: string, entity: T): Promise<void>;
  /** Stores it only if the tenant has none of that id; false when one was there (here or in another instance). */
  add(tenant: string, entity: T): Promise<boolean>;
  get(tenant: string, id: string): Promise<T | null>;
  /** The tenant's, ordered by id. */
  list(tenant: string): Promise<T[]>;
  /** Every tenant's, ordered by tenant, then id. */
  listAll(): Promise<Array<{ tenant: string; entity: T }>>;
  /** False when the tenant had none of that id. */
  remove(tenant: string, id: string): Promise<boolean>;
}
