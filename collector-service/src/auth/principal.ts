import { ForbiddenException } from '@nestjs/common';
import type { ApiKeyRole } from '../storage/storage.port';

/** Who is calling: the role and tenant of their key (tenant null = every tenant). */
export interface Principal {
  role: ApiKeyRole;
  tenant: string | null;
  keyId: string | null;
  /** No keys exist: one tenant, "default", reachable only on loopback. */
  openMode: boolean;
}

export const DEFAULT_TENANT = 'default';

/**
 * The tenant a request acts on: the key's own tenant (asking for another is refused), or for an
 * all-tenant key the one asked for (default "default").
 */
export function tenantOf(principal: Principal, requested: unknown): string {
  const asked = typeof requested === 'string' && requested !== '' ? requested : null;
  if (principal.tenant !== null) {
    if (asked !== null && asked !== principal.tenant)
      throw new ForbiddenException(`this API key belongs to tenant "${principal.tenant}" and cannot see tenant "${asked}"`);
    return principal.tenant;
  }
  return asked ?? DEFAULT_TENANT;
}
