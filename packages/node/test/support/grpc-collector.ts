import { Metadata, Server, ServerCredentials, type ServerUnaryCall, type ServiceDefinition, type sendUnaryData, status } from '@grpc/grpc-js';

/** `hang` takes every call and never answers; `slow` answers OK a minute later; a status answers at once with it. */
export type GrpcBehaviour = 'ok' | 'hang' | 'slow' | status;

export const TRACES_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const METRICS_EXPORT = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

export interface GrpcCall {
  method: string;
  metadata: Record<string, unknown>;
  /** The protobuf request as received (after gRPC decompression). */
  body: Buffer;
}

export interface GrpcCollector {
  /** http://127.0.0.1:<port> as OTEL_EXPORTER_OTLP_ENDPOINT names a plaintext gRPC endpoint; https://localhost:<port> with TLS. */
  url: string;
  /** host:port, as the hook names the endpoint in what it reports. */
  address: string;
  /** Every call in the order it arrived (retries included). */
  calls: GrpcCall[];
  /** Method paths of the calls, in order. */
  methods(): string[];
  /** How many calls got an answer so far. */
  answered(): number;
  close(): Promise<void>;
}

export interface GrpcCollectorOptions {
  /** With an error status: the google.rpc.Status details trailer (e.g. a RetryInfo) to send with it. */
  statusDetails?: Uint8Array;
  /** Serve TLS with this key and certificate (PEM) instead of plaintext. */
  tls?: { key: Buffer; cert: Buffer };
}

type Call = ServerUnaryCall<Buffer, Buffer>;

const rawUnary = (path: string) => ({
  path,
  requestStream: false,
  responseStream: false,
  requestSerialize: (bytes: Buffer) => bytes,
  requestDeserialize: (bytes: Buffer) => bytes,
  responseSerialize: (bytes: Buffer) => bytes,
  responseDeserialize: (bytes: Buffer) => bytes,
});

/**
 * A real OTLP/gRPC server on loopback (grpc-js, the trace and metrics Export methods, messages kept as
 * bytes) that answers the way `behaviour` says: an empty Export response (OK), never, a minute late,
 * or an error status.
 */
export async function startGrpcCollector(behaviour: GrpcBehaviour, options: GrpcCollectorOptions = {}): Promise<GrpcCollector> {
  const calls: GrpcCall[] = [];
  const held: Call[] = [];
  let answered = 0;
  /** The status an answer carries; null for an OK answer (hang never answers). */
  const errorStatus = typeof behaviour === 'number' ? behaviour : null;
  const server = new Server();
  const handle = (method: string) => (call: Call, reply: sendUnaryData<Buffer>) => {
    calls.push({ method, metadata: call.metadata.getMap(), body: call.request });
    const answer = () => {
      if (call.cancelled) return;
      answered++;
      if (errorStatus === null) return reply(null, Buffer.alloc(0));
      const trailer = new Metadata();
      if (options.statusDetails) trailer.set('grpc-status-details-bin', Buffer.from(options.statusDetails));
      reply({ code: errorStatus, details: `answered ${status[errorStatus]} by the test collector`, metadata: trailer });
    };
    if (behaviour === 'hang') held.push(call);
    else if (behaviour === 'slow') setTimeout(answer, 60_000).unref();
    else answer();
  };
  const service = (path: string): ServiceDefinition => ({ Export: rawUnary(path) });
  server.addService(service(TRACES_EXPORT), { Export: handle(TRACES_EXPORT) });
  server.addService(service(METRICS_EXPORT), { Export: handle(METRICS_EXPORT) });
  const credentials = options.tls
    ? ServerCredentials.createSsl(null, [{ private_key: options.tls.key, cert_chain: options.tls.cert }])
    : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    url: options.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    address: options.tls ? `localhost:${port}` : `127.0.0.1:${port}`,
    calls,
    methods: () => calls.map((c) => c.method),
    answered: () => answered,
    close: () => {
      held.length = 0;
      server.forceShutdown();
      return Promise.resolve();
    },
  };
}
