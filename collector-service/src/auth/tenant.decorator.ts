import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { Request } from 'express';
import type { AuthenticatedRequest } from './auth.guard';
import { tenantOf } from './principal';

/**
 * The tenant a request acts on (see tenantOf): the caller key's own, or for a key of every tenant the
 * `tenant` query parameter (`@Tenant('body')`: the body's `tenant` field first). Asking for a tenant
 * the key does not belong to is answered 403.
 */
export const Tenant = createParamDecorator(
  (from: 'query' | 'body' | undefined, context: ExecutionContext): string => {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest & Request>();
    if (!req.principal) throw new Error('Tenant used on a route without @Roles');
    const fromBody = from === 'body' && typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>).tenant : undefined;
    return tenantOf(req.principal, typeof fromBody === 'string' ? fromBody : req.query.tenant);
  },
  [documentTenantQuery],
);

/** Documents the `tenant` query parameter on every route that takes @Tenant(). */
function documentTenantQuery(target: object, method: string | symbol | undefined): void {
  if (method === undefined) return;
  const description = 'For a key of every tenant: the tenant to act on (default "default"); a tenant key may only name its own';
  ApiQuery({ name: 'tenant', required: false, type: String, description })(target, method, Object.getOwnPropertyDescriptor(target, method)!);
}
