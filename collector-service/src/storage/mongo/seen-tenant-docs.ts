import type { Collection } from 'mongodb';
import { checkAddress } from '../documents';
import type { SeenTenants } from '../repositories/seen-tenants.repository';
import { insertOnce } from './inserts';

/** A tenant seen: its name is the `_id`, so two instances remembering it at once store it once. */
export interface SeenTenantDoc {
  _id: string;
  atMs: number;
}

/** The tenants seen, in a collection of their own. */
export class MongoSeenTenants implements SeenTenants {
  constructor(private readonly seen: Collection<SeenTenantDoc>) {}

  async remember(tenant: string, atMs: number): Promise<void> {
    checkAddress('seen tenant', tenant, 'seen');
    await insertOnce(this.seen, { _id: tenant, atMs });
  }

  async all(): Promise<string[]> {
    return (await this.seen.find().sort({ _id: 1 }).toArray()).map((d) => d._id);
  }
}
