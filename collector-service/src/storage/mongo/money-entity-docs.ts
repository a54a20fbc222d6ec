import type { Collection } from 'mongodb';
import type { Entity, EntityRepository } from '../repositories/entity-repository';
import { checkAddress } from '../documents';
import { entityOf, type MoneyEntityKind, type StoredEntity, storedEntity } from '../money-entities';
import type { DocumentListings } from './document-listings';
import { insertOnce, upsert } from './inserts';

/** An entity in its kind's collection: the money (if the kind has any) an Int64 of nano-USD (never Decimal128) under the kind's field, the rest JSON. */
export interface MoneyEntityDoc extends MoneyEntityFields {
  /** tenant + id */
  _id: string;
}

interface MoneyEntityFields {
  tenant: string;
  id: string;
  body: string;
  [field: string]: unknown;
}

/**
 * Entities of one kind in a collection of their own. Every instance lists them each second, so the
 * listings are kept while none changed (keyed by the collection, apart from the generic documents' kinds).
 */
export class MongoMoneyEntities<T extends Entity> implements EntityRepository<T> {
  constructor(
    private readonly collection: Collection<MoneyEntityDoc>,
    private readonly listings: DocumentListings,
    private readonly kind: MoneyEntityKind<T>,
  ) {}

  async save(tenant: string, entity: T): Promise<void> {
    await upsert(this.collection, this.idOf(tenant, entity.id), this.docOf(tenant, entity));
    await this.listings.changed(this.kind.table);
  }

  async add(tenant: string, entity: T): Promise<boolean> {
    // A duplicate _id fails on MongoDB and FerretDB alike, without transactions: one insert wins.
    const added = await insertOnce(this.collection, { _id: this.idOf(tenant, entity.id), ...this.docOf(tenant, entity) });
    if (added) await this.listings.changed(this.kind.table);
    return added;
  }

  async get(tenant: string, id: string): Promise<T | null> {
    const found = await this.collection.findOne({ _id: this.idOf(tenant, id) });
    return found ? this.entityFrom(found) : null;
  }

  async list(tenant: string): Promise<T[]> {
    return (await this.listed(tenant)).map((doc) => this.entityFrom(doc));
  }

  async listAll(): Promise<Array<{ tenant: string; entity: T }>> {
    return (await this.listed(null)).map((doc) => ({ tenant: doc.tenant, entity: this.entityFrom(doc) }));
  }

  async remove(tenant: string, id: string): Promise<boolean> {
    const removed = (await this.collection.deleteOne({ _id: this.idOf(tenant, id) })).deletedCount === 1;
    if (removed) await this.listings.changed(this.kind.table);
    return removed;
  }

  private idOf(tenant: string, id: string): string {
    checkAddress(this.kind.documentKind, tenant, id);
    return JSON.stringify([tenant, id]);
  }

  private docOf(tenant: string, entity: T): MoneyEntityFields {
    const { nanos, body } = storedEntity(this.kind, entity);
    return this.kind.field === null ? { tenant, id: entity.id, body } : { tenant, id: entity.id, [this.kind.field]: nanos, body };
  }

  private entityFrom(doc: MoneyEntityDoc): T {
    if (this.kind.field === null) return entityOf(this.kind, { nanos: null, body: doc.body });
    const amount = doc[this.kind.field] as StoredEntity['nanos'] | number | undefined;
    return entityOf(this.kind, { nanos: amount === null || amount === undefined ? null : BigInt(amount), body: doc.body });
  }

  private listed(tenant: string | null): Promise<MoneyEntityDoc[]> {
    return this.listings.list(this.kind.table, tenant, () =>
      this.collection
        .find(tenant === null ? {} : { tenant })
        .sort({ tenant: 1, id: 1 })
        .toArray(),
    );
  }
}
