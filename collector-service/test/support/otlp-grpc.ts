import { createConnection, createServer, type Server } from 'node:net';
import { Client, credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { ExportTraceServiceResponse, RetryInfo, RpcStatus } from '../../src/ingest/otlp-schema';

export const TRACE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const METRICS_EXPORT = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

export interface GrpcAnswer {
  code: status;
  details: string;
  /** The decoded ExportTraceServiceResponse of a successful trace export. */
  response?: { partialSuccess?: { rejectedSpans?: number; errorMessage?: string } };
  /** The RetryInfo delay in seconds the status carried in grpc-status-details-bin, if any. */
  retryAfterSeconds?: number;
}

export interface GrpcCallOptions {
  metadata?: Record<string, string>;
  /** Compress the message with gzip, as the OpenTelemetry Collector's exporter does by default. */
  gzip?: boolean;
  /** The :authority the client sends (the Host of gRPC). */
  authority?: string;
  path?: string;
}

/** One unary OTLP export over a fresh gRPC channel (grpc-js, the client Node's OTLP exporters use); never rejects. */
export function grpcExport(address: string, message: Uint8Array, options: GrpcCallOptions = {}): Promise<GrpcAnswer> {
  const client = new Client(address, credentials.createInsecure(), {
    ...(options.gzip ? { 'grpc.default_compression_algorithm': 2 } : {}),
    ...(options.authority ? { 'grpc.default_authority': options.authority } : {}),
  });
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
  const path = options.path ?? TRACE_EXPORT;
  return new Promise<GrpcAnswer>((resolve) => {
    client.makeUnaryRequest(
      path,
      (bytes: Uint8Array) => Buffer.from(bytes),
      (bytes: Buffer) => bytes,
      message,
      metadata,
      { deadline: Date.now() + 20_000 },
      (err: ServiceError | null, reply?: Buffer) => {
        client.close();
        if (err) return resolve({ code: err.code, details: err.details, retryAfterSeconds: retryAfter(err.metadata) });
        const response = path === TRACE_EXPORT ? ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(reply!), { longs: Number }) : {};
        resolve({ code: status.OK, details: '', response });
      },
    );
  });
}

function retryAfter(trailers: Metadata | undefined): number | undefined {
  const [bytes] = trailers?.get('grpc-status-details-bin') ?? [];
  if (!Buffer.isBuffer(bytes)) return undefined;
  const rpcStatus = RpcStatus.toObject(RpcStatus.decode(bytes), { longs: Number }) as { details?: { typeUrl: string; value: Uint8Array }[] };
  const detail = rpcStatus.details?.find((d) => d.typeUrl === 'type.googleapis.com/google.rpc.RetryInfo');
  if (!detail) return undefined;
  const info = RetryInfo.toObject(RetryInfo.decode(detail.value), { longs: Number }) as { retryDelay?: { seconds?: number } };
  return info.retryDelay?.seconds ?? 0;
}

/**
 * A TCP relay on 127.0.0.1 (on `listenPort`, or any free port) that connects onward from
 * `localAddress` (e.g. 127.0.0.2, "another address" on this machine): grpc-js cannot choose its
 * source address, so the relay does. Also a server that comes up late, in front of a real one.
 */
export async function relayFrom(localAddress: string, target: string, listenPort = 0): Promise<{ address: string; close(): Promise<void> }> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<{ destroy(): void }>();
  const server: Server = createServer((inbound) => {
    const outbound = createConnection({ host, port, localAddress });
    sockets.add(inbound).add(outbound);
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const { port: relayPort } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${relayPort}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
