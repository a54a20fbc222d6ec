import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Metadata, Server, ServerCredentials, type ServerUnaryCall, type ServiceDefinition, type sendUnaryData, setLogger, status } from '@grpc/grpc-js';
import { keyFromHeaders } from '../auth/api-keys';
import { AuthService, KeysUnavailableError } from '../auth/auth.service';
import type { Principal } from '../auth/principal';
import type { RequestOrigin } from '../auth/request-origin';
import { CONFIG, type CollectorConfig } from '../config/config';
import { StartupError } from '../startup/startup-error';
import { IngestRejections, type RejectionReason } from './ingest-rejections';
import { BUSY_RETRY_AFTER_SECONDS, InflightBytes } from './inflight-bytes';
import { IngestService, retryLater, STORE_RETRY_AFTER_SECONDS } from './ingest.service';
import { OtlpDecodeError } from './otlp-decode';
import { ExportMetricsServiceRequest, ExportMetricsServiceResponse, ExportTraceServiceResponse, RetryInfo, RpcStatus } from './otlp-schema';
import { partialSuccessOf } from './partial-success';

/** A request refused with a gRPC status; `retryAfterSeconds` makes it one the client retries. */
class GrpcRefusal extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly retryAfterSeconds?: number,
    /** The reason it is counted under, when its code alone does not say it. */
    readonly reason?: RejectionReason,
  ) {
    super(message);
  }
}

type Call = ServerUnaryCall<Buffer, Uint8Array>;
type Reply = sendUnaryData<Uint8Array>;

/** A unary OTLP method whose messages stay bytes: the handler decodes with the same schema as OTLP/HTTP. */
const rawUnary = (path: string) => ({
  path,
  requestStream: false,
  responseStream: false,
  requestSerialize: (bytes: Buffer) => bytes,
  requestDeserialize: (bytes: Buffer) => bytes,
  responseSerialize: (bytes: Uint8Array) => Buffer.from(bytes),
  responseDeserialize: (bytes: Buffer) => bytes,
});
const TRACE_SERVICE: ServiceDefinition = { Export: rawUnary('/opentelemetry.proto.collector.trace.v1.TraceService/Export') };
const METRICS_SERVICE: ServiceDefinition = { Export: rawUnary('/opentelemetry.proto.collector.metrics.v1.MetricsService/Export') };

/** The reason an OTLP request refused with this status is counted under (INTERNAL is a fault of ours, not a refusal). */
const REJECTION_BY_STATUS: Partial<Record<status, RejectionReason>> = {
  [status.UNAUTHENTICATED]: 'unauthenticated',
  [status.PERMISSION_DENIED]: 'forbidden',
  [status.RESOURCE_EXHAUSTED]: 'too_large',
  [status.INVALID_ARGUMENT]: 'undecodable',
  [status.UNAVAILABLE]: 'store_unavailable',
};

const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';
const SHUTDOWN_GRACE_MS = 5_000;
/** How long the close waits for grpc-js to confirm, once the connections are cut. */
const FORCED_CLOSE_MS = 1_000;

/** Whether `work` resolved within `ms`. */
function within(work: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/**
 * The OTLP/gRPC receiver (https://opentelemetry.io/docs/specs/otlp/#otlpgrpc), beside OTLP/HTTP on its
 * own port: the same API keys (as `authorization: Bearer <key>` or `x-api-key` metadata), the same
 * open-mode rule, the same size limit (TOKENLEDGER_MAX_BODY_BYTES, compressed or not) and the same
 * ingest. Status codes are the ones OTLP clients act on: UNAVAILABLE with RetryInfo while the store is
 * down (retried), INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED and RESOURCE_EXHAUSTED (not).
 */
@Injectable()
export class OtlpGrpcReceiver implements OnApplicationShutdown {
  private readonly logger = new Logger('OtlpGrpc');
  private server: Server | null = null;

  constructor(
    private readonly ingest: IngestService,
    private readonly auth: AuthService,
    private readonly rejections: IngestRejections,
    private readonly inflight: InflightBytes,
    @Inject(CONFIG) private readonly config: CollectorConfig,
  ) {}

  /** Listens on host:port (port 0: any free one) and resolves with the port bound. */
  async listen(port: number, host: string): Promise<number> {
    // grpc-js writes its own diagnostics to stderr (a second line for a port in use, which the error
    // below already says): they go to the service's log, in its format, at debug.
    setLogger({ error: (...args: unknown[]) => this.logger.debug(args.join(' ')) });
    const server = new Server({ 'grpc.max_receive_message_length': this.config.maxBodyBytes });
    server.addService(TRACE_SERVICE, { Export: (call: Call, reply: Reply) => void this.exportTraces(call, reply) });
    server.addService(METRICS_SERVICE, { Export: (call: Call, reply: Reply) => void this.exportMetrics(call, reply) });
    const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, ServerCredentials.createInsecure(), (err, boundPort) =>
        err
          ? reject(
              new StartupError(
                `cannot listen for OTLP/gRPC on ${address} (TOKENLEDGER_GRPC_PORT): ${err.message}; choose a free port, or set TOKENLEDGER_GRPC_PORT=off`,
              ),
            )
          : resolve(boundPort),
      ),
    );
    this.server = server;
    return bound;
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /**
   * Stops listening and lets the requests in flight finish (their spans are acknowledged once
   * stored) for up to `graceMs`; then every connection still open is cut. grpc-js's tryShutdown
   * calls back only once every client's session has closed, and a session a client keeps open (a
   * stream it never ends) may never close, nor is the callback certain to come after
   * forceShutdown (grpc/grpc-node#1458): so the close never waits for it past the grace and a
   * moment more.
   */
  async close(graceMs = SHUTDOWN_GRACE_MS): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<boolean>((resolve) => server.tryShutdown(() => resolve(true)));
    if (await within(closed, graceMs)) return;
    this.logger.warn(`OTLP/gRPC clients still connected ${graceMs} ms after the shutdown began: their connections are cut`);
    server.forceShutdown();
    if (!(await within(closed, FORCED_CLOSE_MS)))
      this.logger.debug(`OTLP/gRPC: no word from the server ${FORCED_CLOSE_MS} ms after cutting its connections; not waiting longer`);
  }

  private async exportTraces(call: Call, reply: Reply): Promise<void> {
    // The message is in memory already; what it grows into while it is decoded and priced is not yet.
    const lease = this.inflight.acquire(call.request.length);
    try {
      if (!lease)
        throw new GrpcRefusal(
          status.UNAVAILABLE,
          'the collector holds as many request bytes as it may at once (TOKENLEDGER_MAX_INFLIGHT_BYTES); retry later',
          BUSY_RETRY_AFTER_SECONDS,
          'busy',
        );
      const principal = await this.admit(call);
      const partialSuccess = partialSuccessOf(await this.ingest.exportTraces(call.request, 'protobuf', principal));
      reply(null, encode(ExportTraceServiceResponse, partialSuccess ? { partialSuccess } : {}));
    } catch (err) {
      reply(this.refuse(call, err));
    } finally {
      lease?.release();
    }
  }

  /** Metrics are acknowledged but not counted, as on OTLP/HTTP: cost comes from spans. */
  private async exportMetrics(call: Call, reply: Reply): Promise<void> {
    try {
      await this.admit(call);
      try {
        ExportMetricsServiceRequest.decode(call.request);
      } catch (err) {
        throw new GrpcRefusal(status.INVALID_ARGUMENT, `message is not an OTLP ExportMetricsServiceRequest: ${(err as Error).message}`);
      }
      reply(null, encode(ExportMetricsServiceResponse, {}));
    } catch (err) {
      reply(this.refuse(call, err));
    }
  }

  /** The caller's principal, if its key (or open mode) lets it ingest. */
  private async admit(call: Call): Promise<Principal> {
    const key = keyOf(call);
    const origin: RequestOrigin = { peer: peerAddress(call.getPeer()), host: call.getHost() || undefined };
    const admission = await this.auth.admit(key, origin, ['ingest']);
    if ('refused' in admission) throw new GrpcRefusal(admission.refused === 'forbidden' ? status.PERMISSION_DENIED : status.UNAUTHENTICATED, admission.message);
    return admission.principal;
  }

  /** The status for a failed call, reported to IngestRejections as the OTLP/HTTP receiver's refusals are. */
  private refuse(call: Call, err: unknown): { code: status; details: string; metadata?: Metadata } {
    const refusal = this.refusalOf(err);
    const reason = refusal.reason ?? REJECTION_BY_STATUS[refusal.code];
    if (reason) this.rejections.refused(reason, keyOf(call), refusal.message);
    if (refusal.retryAfterSeconds === undefined) return { code: refusal.code, details: refusal.message };
    return { code: refusal.code, details: refusal.message, metadata: retryInfoTrailer(refusal) };
  }

  private refusalOf(err: unknown): GrpcRefusal {
    if (err instanceof GrpcRefusal) return err;
    if (err instanceof OtlpDecodeError) return new GrpcRefusal(status.INVALID_ARGUMENT, err.message);
    if (err instanceof KeysUnavailableError) return new GrpcRefusal(status.UNAVAILABLE, err.message, STORE_RETRY_AFTER_SECONDS);
    const retry = retryLater(err);
    if (retry) return new GrpcRefusal(status.UNAVAILABLE, retry.message, STORE_RETRY_AFTER_SECONDS, retry.reason);
    this.logger.error(`OTLP/gRPC export failed: ${(err as Error).stack ?? String(err)}`);
    return new GrpcRefusal(status.INTERNAL, 'the collector failed to process the request');
  }
}

/**
 * `grpc-status-details-bin`: the google.rpc.Status with a RetryInfo, which OTLP clients (the
 * Collector's exporter among them) read to wait before retrying. Its code and message repeat the status.
 */
function retryInfoTrailer(refusal: GrpcRefusal): Metadata {
  const retryInfo = encode(RetryInfo, { retryDelay: { seconds: refusal.retryAfterSeconds } });
  const details = encode(RpcStatus, { code: refusal.code, message: refusal.message, details: [{ typeUrl: RETRY_INFO_TYPE, value: retryInfo }] });
  const metadata = new Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(details));
  return metadata;
}

function encode(type: typeof RpcStatus, body: Record<string, unknown>): Uint8Array {
  return type.encode(type.fromObject(body)).finish();
}

function keyOf(call: Call): string | null {
  return keyFromHeaders({ authorization: text(call.metadata, 'authorization'), 'x-api-key': text(call.metadata, 'x-api-key') });
}

function text(metadata: Metadata, key: string): string | undefined {
  const [value] = metadata.get(key);
  return typeof value === 'string' ? value : undefined;
}

/** The address of a grpc-js peer, "127.0.0.1:51234" or "::1:51234" (no brackets): the port is dropped. */
function peerAddress(peer: string): string | undefined {
  const m = /^(.+):\d+$/.exec(peer);
  return m ? m[1] : undefined;
}
