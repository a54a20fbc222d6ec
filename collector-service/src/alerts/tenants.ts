import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_TENANT } from '../auth/principal';
import { ChannelsService } from '../channels/channels.service';
import type { ApiKeysRepository, DocumentStore } from '../storage/storage.port';
import { API_KEYS, DOCUMENTS } from '../storage/storage.tokens';
import { AlertRulesService } from './alert-rules.service';

const SEEN_KIND = 'alert-tenant';

/**
 * The tenants alert rules run for: `default`, every tenant with a key, rules or channels, and every
 * tenant whose own ingest key has sent data (remembered in the store, so every instance knows them).
 */
@Injectable()
export class AlertTenants {
  private readonly remembered = new Set<string>();

  constructor(
    @Inject(API_KEYS) private readonly keys: ApiKeysRepository,
    @Inject(DOCUMENTS) private readonly documents: DocumentStore,
    private readonly rules: AlertRulesService,
    private readonly channels: ChannelsService,
  ) {}

  async remember(tenant: string): Promise<void> {
    if (this.remembered.has(tenant)) return;
    await this.documents.insertOnce(SEEN_KIND, tenant, 'seen', { atMs: Date.now() });
    this.remembered.add(tenant);
  }

  async all(): Promise<string[]> {
    const [keys, ruleTenants, channelTenants, seen] = await Promise.all([
      this.keys.listApiKeys(null),
      this.rules.tenants(),
      this.channels.tenants(),
      this.documents.listDocuments(SEEN_KIND, null),
    ]);
    const tenants = new Set<string>([DEFAULT_TENANT, ...ruleTenants, ...channelTenants]);
    for (const k of keys) if (k.tenant !== null && k.revokedAtMs === null) tenants.add(k.tenant);
    for (const e of seen) tenants.add(e.tenant);
    return [...tenants].sort();
  }
}
