import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_TENANT } from '../auth/principal';
import { ChannelsService } from '../channels/channels.service';
import type { SeenTenants } from '../storage/repositories/repositories';
import type { ApiKeysRepository } from '../storage/storage.port';
import { API_KEYS, SEEN_TENANTS } from '../storage/storage.tokens';
import { AlertRulesService } from './alert-rules.service';

/**
 * The tenants alert rules run for: `default`, every tenant with a key, rules or channels, and every
 * tenant whose own ingest key has sent data (remembered in the store, so every instance knows them).
 */
@Injectable()
export class AlertTenants {
  private readonly remembered = new Set<string>();

  constructor(
    @Inject(API_KEYS) private readonly keys: ApiKeysRepository,
    @Inject(SEEN_TENANTS) private readonly seen: SeenTenants,
    private readonly rules: AlertRulesService,
    private readonly channels: ChannelsService,
  ) {}

  async remember(tenant: string): Promise<void> {
    if (this.remembered.has(tenant)) return;
    await this.seen.remember(tenant, Date.now());
    this.remembered.add(tenant);
  }

  async all(): Promise<string[]> {
    const [keys, ruleTenants, channelTenants, seen] = await Promise.all([
      this.keys.listApiKeys(null),
      this.rules.tenants(),
      this.channels.tenants(),
      this.seen.all(),
    ]);
    const tenants = new Set<string>([DEFAULT_TENANT, ...ruleTenants, ...channelTenants]);
    for (const k of keys) if (k.tenant !== null && k.revokedAtMs === null) tenants.add(k.tenant);
    for (const tenant of seen) tenants.add(tenant);
    return [...tenants].sort();
  }
}
