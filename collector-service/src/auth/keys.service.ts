import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { ApiKeyRecord, ApiKeyRole, ApiKeysRepository } from '../storage/storage.port';
import { API_KEYS } from '../storage/storage.tokens';
import { generateApiKey, ROLES } from './api-keys';

export interface CreatedKey {
  id: string;
  /** Shown once; only its hash is stored. */
  key: string;
  role: ApiKeyRole;
  tenant: string | null;
  name: string | null;
}

export type KeyView = Omit<ApiKeyRecord, 'hash'>;

@Injectable()
export class KeysService {
  constructor(@Inject(API_KEYS) private readonly keys: ApiKeysRepository) {}

  async create(input: { role?: unknown; tenant?: unknown; name?: unknown }, callerTenant: string | null): Promise<CreatedKey> {
    const role = input.role;
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) throw new BadRequestException(`role must be one of ${ROLES.join(', ')}`);
    if (input.tenant !== undefined && input.tenant !== null && (typeof input.tenant !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(input.tenant))) {
      throw new BadRequestException('tenant must be 1-64 letters, digits, dots, dashes or underscores');
    }
    if (input.name !== undefined && input.name !== null && (typeof input.name !== 'string' || input.name.length > 200))
      throw new BadRequestException('name must be a string of at most 200 characters');
    const requested = (input.tenant as string | undefined) ?? null;
    // An admin of one tenant can only make keys for that tenant.
    if (callerTenant !== null && requested !== null && requested !== callerTenant)
      throw new BadRequestException(`tenant must be "${callerTenant}" (your key's tenant)`);
    const tenant = callerTenant ?? requested;
    const { id, key, hash } = generateApiKey(role as ApiKeyRole);
    const name = (input.name as string | undefined) ?? null;
    await this.keys.createApiKey({ id, hash, role: role as ApiKeyRole, tenant, name, createdAtMs: Date.now(), revokedAtMs: null });
    return { id, key, role: role as ApiKeyRole, tenant, name };
  }

  async list(callerTenant: string | null): Promise<KeyView[]> {
    return (await this.keys.listApiKeys(callerTenant)).map(({ hash: _hash, ...rest }) => rest);
  }

  async revoke(id: string, callerTenant: string | null): Promise<void> {
    if (!(await this.keys.revokeApiKey(id, callerTenant, Date.now()))) throw new NotFoundException(`no active API key with id "${id}"`);
  }
}
