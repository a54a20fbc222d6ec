import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { ApiKeyRecord, ApiKeyRole, ApiKeysRepository } from '../storage/storage.port';
import { API_KEYS } from '../storage/storage.tokens';
import { generateApiKey } from './api-keys';
import type { CreateKeyDto } from './key.dto';

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

  /** Makes a key of a checked request (see CreateKeyDto); an admin of one tenant makes keys of that tenant only. */
  async create(input: CreateKeyDto, callerTenant: string | null): Promise<CreatedKey> {
    const requested = input.tenant ?? null;
    if (callerTenant !== null && requested !== null && requested !== callerTenant)
      throw new BadRequestException(`tenant must be "${callerTenant}" (your key's tenant)`);
    const tenant = callerTenant ?? requested;
    const { id, key, hash } = generateApiKey(input.role);
    const name = input.name ?? null;
    await this.keys.createApiKey({ id, hash, role: input.role, tenant, name, createdAtMs: Date.now(), revokedAtMs: null });
    return { id, key, role: input.role, tenant, name };
  }

  async list(callerTenant: string | null): Promise<KeyView[]> {
    return (await this.keys.listApiKeys(callerTenant)).map(({ hash: _hash, ...rest }) => rest);
  }

  async revoke(id: string, callerTenant: string | null): Promise<void> {
    if (!(await this.keys.revokeApiKey(id, callerTenant, Date.now()))) throw new NotFoundException(`no active API key with id "${id}"`);
  }
}
