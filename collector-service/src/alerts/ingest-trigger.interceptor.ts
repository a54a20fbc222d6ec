import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { type Observable, tap } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { AlertSchedule } from './alert-schedule.service';

/** After an acknowledged OTLP trace request, budget thresholds are evaluated for the tenant that sent it. */
@Injectable()
export class IngestTriggerInterceptor implements NestInterceptor {
  constructor(private readonly schedule: AlertSchedule) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { method: string; path: string }>();
    if (request.method !== 'POST' || request.path !== '/v1/traces') return next.handle();
    const response = context.switchToHttp().getResponse<{ statusCode: number }>();
    return next.handle().pipe(
      tap(() => {
        const principal = request.principal;
        // The controller writes the response itself: only a 200 means records were stored.
        if (principal && response.statusCode === 200) this.schedule.ingested(principal.openMode ? 'default' : principal.tenant);
      }),
    );
  }
}
