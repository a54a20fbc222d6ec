import type { DocumentBody, DocumentStore } from '../storage.port';

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

/** An entity repository on the store's documents: one kind per entity, the body as written. */
export class DocumentRepository<T extends Entity> implements EntityRepository<T> {
  constructor(
    private readonly documents: DocumentStore,
    private readonly kind: string,
  ) {}

  save(tenant: string, entity: T): Promise<void> {
    return this.documents.putDocument(this.kind, tenant, entity.id, body(entity));
  }

  add(tenant: string, entity: T): Promise<boolean> {
    return this.documents.insertOnce(this.kind, tenant, entity.id, body(entity));
  }

  get(tenant: string, id: string): Promise<T | null> {
    return this.documents.getDocument<T & DocumentBody>(this.kind, tenant, id);
  }

  async list(tenant: string): Promise<T[]> {
    return (await this.documents.listDocuments<T & DocumentBody>(this.kind, tenant)).map((e) => e.doc);
  }

  async listAll(): Promise<Array<{ tenant: string; entity: T }>> {
    return (await this.documents.listDocuments<T & DocumentBody>(this.kind, null)).map((e) => ({ tenant: e.tenant, entity: e.doc }));
  }

  remove(tenant: string, id: string): Promise<boolean> {
    return this.documents.deleteDocument(this.kind, tenant, id);
  }
}

const body = <T extends Entity>(entity: T): DocumentBody => ({ ...entity }) as DocumentBody;
