import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type CollectorConfig } from '../config/config';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import { hashApiKey, sameHash } from './api-keys';
import type { Principal } from './principal';

const OPEN: Principal = { role: 'admin', tenant: null, keyId: null, openMode: true };

@Injectable()
export class AuthService {
  private readonly adminKeyHash: string | null;

  constructor(
    @Inject(STORAGE) private readonly storage: StoragePort,
    @Inject(CONFIG) config: CollectorConfig,
  ) {
    this.adminKeyHash = config.adminKey ? hashApiKey(config.adminKey) : null;
  }

  /** Whether the service runs without keys (then it only listens on loopback). */
  async openMode(): Promise<boolean> {
    return this.adminKeyHash === null && !(await this.storage.hasApiKeys());
  }

  /** The principal for a presented key; null when the key is missing or unknown while keys exist. */
  async authenticate(key: string | null): Promise<Principal | null> {
    if (key === null) return (await this.openMode()) ? OPEN : null;
    const hash = hashApiKey(key);
    if (this.adminKeyHash !== null && sameHash(hash, this.adminKeyHash)) return { role: 'admin', tenant: null, keyId: 'TOKENLEDGER_ADMIN_KEY', openMode: false };
    const stored = await this.storage.findApiKey(hash);
    if (stored) return { role: stored.role, tenant: stored.tenant, keyId: stored.id, openMode: false };
    return (await this.openMode()) ? OPEN : null;
  }
}
