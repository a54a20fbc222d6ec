import type { SendFailure, SendOutcome } from './retries';

export type Signal = 'spans' | 'metrics';
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

/** What each signal is called in the OTEL_EXPORTER_OTLP_* variables, on the wire and by the serializers. */
export const SIGNALS = {
  spans: {
    env: 'TRACES',
    path: 'v1/traces',
    grpcMethod: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    protobuf: 'ProtobufTraceSerializer',
    json: 'JsonTraceSerializer',
  },
  metrics: {
    env: 'METRICS',
    path: 'v1/metrics',
    grpcMethod: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
    protobuf: 'ProtobufMetricsSerializer',
    json: 'JsonMetricsSerializer',
  },
} as const;

/** How one signal's batches reach the collector, over OTLP/HTTP or OTLP/gRPC. */
export interface OtlpTransport {
  /** Where the batches go, as the person running the app will recognise it in a report. */
  readonly endpoint: string;
  /** Sends beyond this many at once are dropped instead of queued (the exporters' concurrency limit). */
  readonly concurrencyLimit: number;
  serialize(items: unknown): Uint8Array | undefined;
  /** Sends one batch with the OTLP retries, never throwing; `onFailedAttempt` hears each failed attempt. */
  send(body: Uint8Array, onFailedAttempt: (failure: SendFailure) => void): Promise<SendOutcome>;
  close(): void;
}
