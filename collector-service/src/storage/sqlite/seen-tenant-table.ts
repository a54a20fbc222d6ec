import type { DatabaseSync } from 'node:sqlite';
import { checkAddress } from '../documents';
import type { SeenTenants } from '../repositories/seen-tenants.repository';

/** The tenants seen, in their table (schema migration 13). */
export class SqliteSeenTenants implements SeenTenants {
  constructor(
    private readonly db: DatabaseSync,
    /** Resolves when what was committed survives a power loss. */
    private readonly durable: () => Promise<void>,
  ) {}

  async remember(tenant: string, atMs: number): Promise<void> {
    checkAddress('seen tenant', tenant, 'seen');
    this.db.prepare('INSERT INTO seen_tenants (tenant, seen_at_ms) VALUES (?, ?) ON CONFLICT DO NOTHING').run(tenant, atMs);
    await this.durable();
  }

  async all(): Promise<string[]> {
    return (this.db.prepare('SELECT tenant FROM seen_tenants ORDER BY tenant').all() as Array<{ tenant: string }>).map((r) => r.tenant);
  }
}
