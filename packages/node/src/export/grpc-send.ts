import { Client, compressionAlgorithms, type Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { convertLegacyOtlpGrpcOptions } from '@opentelemetry/otlp-grpc-exporter-base';
import { retryDelayMs } from './grpc-retry-info';
import { type AttemptResult, type SendOutcome, sendWithRetries, type SendFailure } from './retries';
import { SIGNALS, type Signal } from './transport';

/** Where and how one signal's OTLP/gRPC calls go. */
export interface GrpcTarget {
  /** host:port (or the unix: address) the channel connects to. */
  address: string;
  concurrencyLimit: number;
  timeoutMs: number;
  send(body: Uint8Array, onFailedAttempt?: (failure: SendFailure) => void): Promise<SendOutcome>;
  close(): void;
}

/** Codes the OTLP specification has a client retry (RESOURCE_EXHAUSTED only when the server says when). */
const RETRYABLE = new Set([status.CANCELLED, status.DEADLINE_EXCEEDED, status.ABORTED, status.OUT_OF_RANGE, status.UNAVAILABLE, status.DATA_LOSS]);
const CONNECT_ERROR = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|ETIMEDOUT)\b/;

const identity = (bytes: Buffer) => bytes;

function unaryCall(client: Client, method: string, body: Buffer, metadata: Metadata, timeoutMs: number): Promise<ServiceError | null> {
  return new Promise((resolve) =>
    client.makeUnaryRequest(method, identity, identity, body, metadata, { deadline: Date.now() + Math.max(1, timeoutMs) }, (err) => resolve(err ?? null)),
  );
}

/**
 * Why a call never reached a gRPC server, from how grpc-js words it in an UNAVAILABLE status: the
 * name does not resolve, nothing listens (an errno), TLS failed, or the peer does not speak HTTP/2
 * (an OTLP/HTTP port, say); null for an UNAVAILABLE the server itself answered.
 */
function connectionFailure(details: string): { failure: SendFailure; transient: boolean } | null {
  if (details.startsWith('Name resolution failed')) return { failure: { kind: 'unreachable', detail: 'the name does not resolve' }, transient: true };
  if (!details.startsWith('No connection established')) return null;
  const errno = CONNECT_ERROR.exec(details)?.[1];
  if (errno) return { failure: { kind: 'unreachable', detail: errno }, transient: true };
  if (details.includes('Protocol error')) return { failure: { kind: 'rejected', status: 'not gRPC', detail: 'no HTTP/2 there' }, transient: false };
  if (/SSL|TLS|certificate/i.test(details)) {
    const reason = /SSL routines:[^:]*:([^:]+)/.exec(details)?.[1] ?? /Last error: (?:Error: )?([^.(]+)/.exec(details)?.[1]?.trim();
    return {
      failure: {
        kind: 'error',
        detail: `no TLS connection (${reason}): an http:// endpoint is plaintext, an https:// one needs a server certificate the system or OTEL_EXPORTER_OTLP_CERTIFICATE trusts`,
      },
      transient: true,
    };
  }
  return { failure: { kind: 'unreachable', detail: 'no connection' }, transient: true };
}

/** A failed call as the OTLP specification has a client act on it, named for the person running the app. */
function judge(err: ServiceError | null, attempts: number, timeoutMs: number): AttemptResult {
  if (!err) return { ok: true };
  const code = `gRPC ${status[err.code] ?? err.code}`;
  if (err.code === status.DEADLINE_EXCEEDED) return { ok: false, failure: { kind: 'timeout', timeoutMs }, retry: 'backoff' };
  if (err.code === status.UNAUTHENTICATED || err.code === status.PERMISSION_DENIED)
    return { ok: false, failure: { kind: 'unauthorized', status: code }, retry: false };
  const notConnected = err.code === status.UNAVAILABLE ? connectionFailure(err.details) : null;
  if (notConnected) return { ok: false, failure: notConnected.failure, retry: notConnected.transient ? 'backoff' : false };
  const delay = retryDelayMs(err.metadata?.get('grpc-status-details-bin')[0] as Buffer | undefined);
  // RESOURCE_EXHAUSTED may be a limit no retry passes (a batch over the size limit) unless the server says when to retry.
  if (RETRYABLE.has(err.code) || (err.code === status.RESOURCE_EXHAUSTED && delay !== null))
    return { ok: false, failure: { kind: 'server-error', status: code, attempts }, retry: delay ?? 'backoff' };
  return { ok: false, failure: { kind: 'rejected', status: code, detail: err.details.slice(0, 200) }, retry: false };
}

/**
 * OTLP/gRPC for one signal: the address, metadata (headers), TLS credentials, compression and timeout
 * from the standard OTEL_EXPORTER_OTLP_* variables, read by the official exporters' own configuration
 * code (`@opentelemetry/otlp-grpc-exporter-base`), and a raw-bytes unary client for the OTLP Export
 * method: the body is the protobuf request the app's thread serialized.
 */
export function openGrpcTarget(signal: Signal): GrpcTarget {
  const names = SIGNALS[signal];
  const config = convertLegacyOtlpGrpcOptions({}, names.env);
  const client = new Client(config.url, config.credentials(), {
    'grpc.default_compression_algorithm': config.compression === 'gzip' ? compressionAlgorithms.gzip : compressionAlgorithms.identity,
    // A connection of its own per signal: a connection shared with the other signal's channel tells
    // this one it failed without saying why, and the report must say why.
    'grpc.use_local_subchannel_pool': 1,
  });
  const metadata = config.metadata();
  const timeoutMs = config.timeoutMillis;
  return {
    address: config.url,
    concurrencyLimit: config.concurrencyLimit,
    timeoutMs,
    send: (body, onFailedAttempt) => {
      const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      return sendWithRetries(
        timeoutMs,
        async (remainingMs, attempts) => judge(await unaryCall(client, names.grpcMethod, bytes, metadata, remainingMs), attempts, timeoutMs),
        onFailedAttempt,
      );
    },
    close: () => client.close(),
  };
}
