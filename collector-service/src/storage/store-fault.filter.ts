import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { LogThrottle } from '../ingest/log-throttle';
import { STORE_RETRY_AFTER_SECONDS, StoreFaultError } from './store-faults';

/**
 * A request the store failed is answered 503 with Retry-After and a message, never 500, and is one
 * log line (at most one a minute per route, saying how many more there were).
 */
@Catch(StoreFaultError)
export class StoreFaultFilter implements ExceptionFilter {
  private readonly logger = new Logger('Store');
  private readonly throttle = new LogThrottle();

  catch(err: StoreFaultError, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const route = `${req.method} ${(req.route as { path?: string } | undefined)?.path ?? req.path}`;
    const pass = this.throttle.take(route, Date.now());
    if (pass)
      this.logger.warn(`the store failed ${route}, answered 503: ${err.message}${pass.skipped > 0 ? ` (${pass.skipped} more in the last minute)` : ''}`);
    // A response already streaming (an export) cannot change its status: it is cut short instead.
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res
      .status(503)
      .setHeader('Retry-After', String(STORE_RETRY_AFTER_SECONDS))
      .json({
        statusCode: 503,
        error: 'Service Unavailable',
        message: `the store is unavailable (${err.message}); retry later (GET /readyz says when it is ready)`,
      });
  }
}
