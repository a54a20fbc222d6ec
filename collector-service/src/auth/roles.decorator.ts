import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { CollectorConfig } from '../config/config';
import { ApiAccessErrors } from '../http/api-errors';
import type { ApiKeyRole } from '../storage/storage.port';

export const ROLES_KEY = 'tokenledger:roles';
export const PUBLIC_KEY = 'tokenledger:public';
export const PUBLIC_WHEN_KEY = 'tokenledger:public-when';

/**
 * The roles that may call a route. `admin` may call every route; `viewer` reads reports; `ingest`
 * sends telemetry; `metrics` reads /metrics. A route with neither @Roles nor @Public is refused:
 * access is opt-in. The route is documented as taking a bearer key, with the errors a key can meet.
 */
export const Roles = (...roles: ApiKeyRole[]) => applyDecorators(SetMetadata(ROLES_KEY, roles), ApiBearerAuth(), ApiAccessErrors());
/** Health endpoints: no key needed. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
/** No key needed when the configuration says so (an operator's explicit choice); @Roles otherwise. */
export const PublicWhen = (when: (config: CollectorConfig) => boolean) => SetMetadata(PUBLIC_WHEN_KEY, when);
