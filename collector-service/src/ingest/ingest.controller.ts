import { ApiTags } from '@nestjs/swagger';
import { Controller, HttpCode, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../auth/principal.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { CONFIG, type CollectorConfig } from '../config/config';
import { BUSY_RETRY_AFTER_SECONDS, InflightBytes } from './inflight-bytes';
import { IngestService, type OtlpFormat, retryLater, STORE_RETRY_AFTER_SECONDS } from './ingest.service';
import { OtlpDecodeError } from './otlp-decode';
import { ApiOtlpExport } from './otlp-docs';
import { OtlpMetricsRequestDto, OtlpMetricsResponseDto, OtlpTraceRequestDto, OtlpTraceResponseDto } from './otlp-json.dto';
import { ExportMetricsServiceRequest, ExportMetricsServiceResponse, ExportTraceServiceResponse, RpcStatus } from './otlp-schema';
import { partialSuccessOf } from './partial-success';
import { BodyError, ClientGoneError, readBody, refuseUnread } from './read-body';
import type { RefusalLocals } from './rejections.middleware';

/** gRPC status codes carried in OTLP/HTTP error bodies (google.rpc.Status). */
const GRPC = { INVALID_ARGUMENT: 3, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14 } as const;

function formatOf(req: Request): OtlpFormat | null {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return null;
}

/** The OTLP/HTTP receiver (https://opentelemetry.io/docs/specs/otlp/#otlphttp). */
@ApiTags('ingest')
@Controller('v1')
@Roles('ingest')
export class IngestController {
  private readonly logger = new Logger('Ingest');

  constructor(
    private readonly ingest: IngestService,
    private readonly inflight: InflightBytes,
    @Inject(CONFIG) private readonly config: CollectorConfig,
  ) {}

  @Post('traces')
  @HttpCode(200)
  @ApiOtlpExport(
    'GenAI spans',
    { json: OtlpTraceRequestDto, protobuf: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest' },
    { json: OtlpTraceResponseDto, protobuf: 'ExportTraceServiceResponse' },
  )
  async traces(@Req() req: Request, @Res() res: Response, @CurrentPrincipal() principal: Principal): Promise<void> {
    const format = formatOf(req);
    if (!format) return this.fail(res, 'json', 415, GRPC.INVALID_ARGUMENT, 'Content-Type must be application/x-protobuf or application/json');
    const lease = this.inflight.acquire()!;
    try {
      const body = await readBody(req, { maxBytes: this.config.maxBodyBytes, lease });
      const partialSuccess = partialSuccessOf(await this.ingest.exportTraces(body, format, principal));
      this.send(res, format, 200, ExportTraceServiceResponse, partialSuccess ? { partialSuccess } : {});
    } catch (err) {
      if (err instanceof ClientGoneError || err instanceof BodyError) return this.refuseBody(req, res, format, err);
      if (err instanceof OtlpDecodeError) return this.fail(res, format, 400, GRPC.INVALID_ARGUMENT, err.message);
      const retry = retryLater(err);
      if (retry) {
        res.setHeader('Retry-After', String(STORE_RETRY_AFTER_SECONDS));
        (res.locals as RefusalLocals).reason = retry.reason;
        return this.fail(res, format, 503, GRPC.UNAVAILABLE, retry.message);
      }
      throw err;
    } finally {
      lease.release();
    }
  }

  /** Metrics are acknowledged but not counted: cost comes from spans, so token-usage metrics would count calls twice. */
  @Post('metrics')
  @HttpCode(200)
  @ApiOtlpExport(
    'metrics (acknowledged, not counted)',
    { json: OtlpMetricsRequestDto, protobuf: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest' },
    { json: OtlpMetricsResponseDto, protobuf: 'ExportMetricsServiceResponse' },
  )
  async metrics(@Req() req: Request, @Res() res: Response): Promise<void> {
    const format = formatOf(req);
    if (!format) return this.fail(res, 'json', 415, GRPC.INVALID_ARGUMENT, 'Content-Type must be application/x-protobuf or application/json');
    const lease = this.inflight.acquire()!;
    try {
      const body = await readBody(req, { maxBytes: this.config.maxBodyBytes, lease });
      if (format === 'protobuf') ExportMetricsServiceRequest.decode(body);
      else JSON.parse(body.toString('utf8'));
    } catch (err) {
      if (err instanceof ClientGoneError || err instanceof BodyError) return this.refuseBody(req, res, format, err);
      return this.fail(res, format, 400, GRPC.INVALID_ARGUMENT, `body is not an OTLP ExportMetricsServiceRequest: ${(err as Error).message}`);
    } finally {
      lease.release();
    }
    this.send(res, format, 200, ExportMetricsServiceResponse, {});
  }

  /**
   * A body that could not be read: gone (one log line, nobody to answer), too large, or more than the
   * bytes in flight allow (503: the sender retries). A body left unread closes its connection.
   */
  private refuseBody(req: Request, res: Response, format: OtlpFormat, err: BodyError | ClientGoneError): void {
    if (err instanceof ClientGoneError) {
      this.logger.warn(`an OTLP request was aborted by its client: ${err.message}`);
      return;
    }
    if (err.unread) refuseUnread(req, (name, value) => res.setHeader(name, value), this.config.maxBodyBytes);
    if (err.status === 503) {
      res.setHeader('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
      (res.locals as RefusalLocals).reason = 'busy';
    }
    const code = err.status === 413 ? GRPC.RESOURCE_EXHAUSTED : err.status === 503 ? GRPC.UNAVAILABLE : GRPC.INVALID_ARGUMENT;
    this.fail(res, format, err.status, code, err.message);
  }

  private send(res: Response, format: OtlpFormat, status: number, type: typeof RpcStatus, body: Record<string, unknown>): void {
    if (format === 'protobuf') {
      res
        .status(status)
        .type('application/x-protobuf')
        .send(Buffer.from(type.encode(type.fromObject(body)).finish()));
    } else res.status(status).type('application/json').send(JSON.stringify(body));
  }

  private fail(res: Response, format: OtlpFormat, status: number, code: number, message: string): void {
    (res.locals as RefusalLocals).refusal = message;
    this.send(res, format, status, RpcStatus, { code, message });
  }
}
