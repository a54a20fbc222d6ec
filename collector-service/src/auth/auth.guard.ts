import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { CONFIG, type CollectorConfig } from '../config/config';
import type { ApiKeyRole } from '../storage/storage.port';
import { keyFromHeaders } from './api-keys';
import { AuthService, KeysUnavailableError } from './auth.service';
import type { Principal } from './principal';
import { originOf } from './request-origin';
import { PUBLIC_KEY, PUBLIC_WHEN_KEY, ROLES_KEY } from './roles.decorator';

export type AuthenticatedRequest = Request & { principal?: Principal };

/** Every route needs a key with one of its @Roles (admin passes everywhere), unless it is @Public; open mode is decided per request. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @Inject(CONFIG) private readonly config: CollectorConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    if (this.reflector.getAllAndOverride<((config: CollectorConfig) => boolean) | undefined>(PUBLIC_WHEN_KEY, targets)?.(this.config)) return true;
    const roles = this.reflector.getAllAndOverride<ApiKeyRole[]>(ROLES_KEY, targets) ?? [];
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = keyFromHeaders(request.headers);
    const origin = originOf(request);
    let admission;
    try {
      admission = await this.auth.admit(key, origin, roles);
    } catch (err) {
      if (!(err instanceof KeysUnavailableError)) throw err;
      context.switchToHttp().getResponse<{ setHeader(name: string, value: string): void }>().setHeader('Retry-After', '5');
      throw new ServiceUnavailableException(err.message);
    }
    if ('refused' in admission)
      throw admission.refused === 'forbidden' ? new ForbiddenException(admission.message) : new UnauthorizedException(admission.message);
    request.principal = admission.principal;
    return true;
  }
}
