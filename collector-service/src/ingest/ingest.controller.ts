import { ApiTags } from '@nestjs/swagger';
import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../auth/principal.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { CONFIG, type CollectorConfig } from '../config/config';
import { IngestService, type OtlpFormat, STORE_RETRY_AFTER_SECONDS, StoreUnavailableError } from './ingest.service';
import { OtlpDecodeError } from './otlp-decode';
import { ExportMetricsServiceRequest, ExportMetricsServiceResponse, ExportTraceServiceResponse, RpcStatus } from './otlp-schema';
import { partialSuccessOf } from './partial-success';
import { BodyError, readBody } from './read-body';
import type { RefusalLocals } from './rejections.middleware';

/** gRPC status codes carried in OTLP/HTTP error bodies (google.rpc.Status). */
const GRPC = { INVALID_ARGUMENT: 3, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14 } as const;

function formatOf(req: Request): OtlpFormat | null {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return null;
}

/** The OTLP/HTTP receiver (https://opentelemetry.io/docs/specs/otlp/#otlphttp). */
@ApiTags('ingest')
@Controller('v1')
@Roles('ingest')
export class IngestController {
  constructor(
    private readonly ingest: IngestService,
    @Inject(CONFIG) private readonly config: CollectorConfig,
  ) {}

  @Post('traces')
  @HttpCode(200)
  async traces(@Req() req: Request, @Res() res: Response, @CurrentPrincipal() principal: Principal): Promise<void> {
    const format = formatOf(req);
    if (!format) return this.fail(res, 'json', 415, GRPC.INVALID_ARGUMENT, 'Content-Type must be application/x-protobuf or application/json');
    try {
      const body = await readBody(req, this.config.maxBodyBytes);
      const partialSuccess = partialSuccessOf(await this.ingest.exportTraces(body, format, principal));
      this.send(res, format, 200, ExportTraceServiceResponse, partialSuccess ? { partialSuccess } : {});
    } catch (err) {
      if (err instanceof BodyError) return this.fail(res, format, err.status, err.status === 413 ? GRPC.RESOURCE_EXHAUSTED : GRPC.INVALID_ARGUMENT, err.message);
      if (err instanceof OtlpDecodeError) return this.fail(res, format, 400, GRPC.INVALID_ARGUMENT, err.message);
      if (err instanceof StoreUnavailableError) {
        res.setHeader('Retry-After', String(STORE_RETRY_AFTER_SECONDS));
        return this.fail(res, format, 503, GRPC.UNAVAILABLE, 'the store is unavailable; retry later');
      }
      throw err;
    }
  }

  /** Metrics are acknowledged but not counted: cost comes from spans, so token-usage metrics would count calls twice. */
  @Post('metrics')
  @HttpCode(200)
  async metrics(@Req() req: Request, @Res() res: Response): Promise<void> {
    const format = formatOf(req);
    if (!format) return this.fail(res, 'json', 415, GRPC.INVALID_ARGUMENT, 'Content-Type must be application/x-protobuf or application/json');
    try {
      const body = await readBody(req, this.config.maxBodyBytes);
      if (format === 'protobuf') ExportMetricsServiceRequest.decode(body);
      else JSON.parse(body.toString('utf8'));
    } catch (err) {
      if (err instanceof BodyError) return this.fail(res, format, err.status, GRPC.INVALID_ARGUMENT, err.message);
      return this.fail(res, format, 400, GRPC.INVALID_ARGUMENT, `body is not an OTLP ExportMetricsServiceRequest: ${(err as Error).message}`);
    }
    this.send(res, format, 200, ExportMetricsServiceResponse, {});
  }

  private send(res: Response, format: OtlpFormat, status: number, type: typeof RpcStatus, body: Record<string, unknown>): void {
    if (format === 'protobuf') {
      res.status(status).type('application/x-protobuf').send(Buffer.from(type.encode(type.fromObject(body)).finish()));
    } else res.status(status).type('application/json').send(JSON.stringify(body));
  }

  private fail(res: Response, format: OtlpFormat, status: number, code: number, message: string): void {
    (res.locals as RefusalLocals).refusal = message;
    this.send(res, format, status, RpcStatus, { code, message });
  }
}
