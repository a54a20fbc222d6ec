import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { keyFromHeaders } from '../auth/api-keys';
import { IngestRejections, type RejectionReason } from './ingest-rejections';

/** What the sender was told, when the receiver says it (res.locals.refusal); guards' refusals are known by status alone. */
export interface RefusalLocals {
  refusal?: string;
  /** The reason, when the status alone does not say it (a 503 for bytes in flight, not the store). */
  reason?: RejectionReason;
}

const REASON_BY_STATUS: Record<number, [RejectionReason, string]> = {
  401: ['unauthenticated', 'no valid API key'],
  403: ['forbidden', 'the key may not ingest'],
  413: ['too_large', 'the body is over the size limit'],
  400: ['undecodable', 'the body is not an OTLP request'],
  415: ['undecodable', 'the Content-Type or Content-Encoding is not OTLP/HTTP'],
  503: ['store_unavailable', 'the store is unavailable'],
};

/**
 * Reports every OTLP/HTTP request the service refused, whoever refused it (the auth guard, the body
 * reader, the decoder, the store), by the status the sender got.
 */
@Injectable()
export class RejectionsMiddleware implements NestMiddleware {
  constructor(private readonly rejections: IngestRejections) {}

  use(req: Request, res: Response, next: NextFunction): void {
    res.once('close', () => {
      const known = REASON_BY_STATUS[res.statusCode];
      if (!known) return;
      const [byStatus, fallback] = known;
      const reason = (res.locals as RefusalLocals).reason ?? byStatus;
      this.rejections.refused(reason, keyFromHeaders(req.headers), (res.locals as RefusalLocals).refusal ?? fallback);
    });
    next();
  }
}
