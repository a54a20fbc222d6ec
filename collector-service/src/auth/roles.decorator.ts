import { SetMetadata } from '@nestjs/common';
import type { CollectorConfig } from '../config/config';
import type { ApiKeyRole } from '../storage/storage.port';

export const ROLES_KEY = 'tokenledger:roles';
export const PUBLIC_KEY = 'tokenledger:public';
export const PUBLIC_WHEN_KEY = 'tokenledger:public-when';

/**
 * The roles that may call a route. `admin` may call every route; `viewer` reads reports; `ingest`
 * sends telemetry; `metrics` reads /metrics. A route with neither @Roles nor @Public is refused:
 * access is opt-in.
 */
export const Roles = (...roles: ApiKeyRole[]) => SetMetadata(ROLES_KEY, roles);
/** Health endpoints: no key needed. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
/** No key needed when the configuration says so (an operator's explicit choice); @Roles otherwise. */
export const PublicWhen = (when: (config: CollectorConfig) => boolean) => SetMetadata(PUBLIC_WHEN_KEY, when);
