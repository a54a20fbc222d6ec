import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_TENANT } from '../auth/principal';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import { CHANNEL_KIND } from '../channels/channels.service';
import { RULE_KIND } from './alert-rules.service';

const SEEN_KIND = 'alert-tenant';

/**
 * The tenants alert rules run for: `default`, every tenant with a key, rules or channels, and every
 * tenant whose own ingest key has sent data (remembered in the store, so every instance knows them).
 */
@Injectable()
export class AlertTenants {
  private readonly remembered = new Set<string>();

  constructor(@Inject(STORAGE) private readonly storage: StoragePort) {}

  async remember(tenant: string): Promise<void> {
    if (this.remembered.has(tenant)) return;
    await this.storage.insertOnce(SEEN_KIND, tenant, 'seen', { atMs: Date.now() });
    this.remembered.add(tenant);
  }

  async all(): Promise<string[]> {
    const [keys, rules, channels, seen] = await Promise.all([
      this.storage.listApiKeys(null),
      this.storage.listDocuments(RULE_KIND, null),
      this.storage.listDocuments(CHANNEL_KIND, null),
      this.storage.listDocuments(SEEN_KIND, null),
    ]);
    const tenants = new Set<string>([DEFAULT_TENANT]);
    for (const k of keys) if (k.tenant !== null && k.revokedAtMs === null) tenants.add(k.tenant);
    for (const e of [...rules, ...channels, ...seen]) tenants.add(e.tenant);
    return [...tenants].sort();
  }
}
