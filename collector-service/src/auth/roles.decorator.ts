import { SetMetadata } from '@nestjs/common';
import type { ApiKeyRole } from '../storage/storage.port';

export const ROLES_KEY = 'tokenledger:roles';
export const PUBLIC_KEY = 'tokenledger:public';

/**
 * The roles that may call a route. `admin` may call every route; `viewer` reads reports; `ingest`
 * sends telemetry. A route with neither @Roles nor @Public is refused: access is opt-in.
 */
export const Roles = (...roles: ApiKeyRole[]) => SetMetadata(ROLES_KEY, roles);
/** Health endpoints: no key needed. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
