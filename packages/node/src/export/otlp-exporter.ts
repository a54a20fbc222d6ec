import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { reportExportFailure } from './export-failures';
import { type OtlpTarget, type SendFailure, sendOtlp } from './otlp-http-send';

export type Signal = 'spans' | 'metrics';
export type OtlpEncoding = 'http/protobuf' | 'http/json';

const gzipped = promisify(gzip);

interface ResolvedTarget extends OtlpTarget {
  serialize(items: unknown): Uint8Array | undefined;
  gzip: boolean;
  concurrencyLimit: number;
}

const SIGNALS = {
  spans: { env: 'TRACES', path: 'v1/traces', protobuf: 'ProtobufTraceSerializer', json: 'JsonTraceSerializer' },
  metrics: { env: 'METRICS', path: 'v1/metrics', protobuf: 'ProtobufMetricsSerializer', json: 'JsonMetricsSerializer' },
} as const;

/**
 * The endpoint, headers, timeout, TLS agent and serializer of one signal, from the standard
 * OTEL_EXPORTER_OTLP_* variables as OpenTelemetry's own exporters read them. Loaded at the first
 * export, not at start: an app that exports nothing never loads the serializers.
 */
async function resolveTarget(signal: Signal, encoding: OtlpEncoding): Promise<ResolvedTarget> {
  const names = SIGNALS[signal];
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { convertLegacyHttpOptions } = require('@opentelemetry/otlp-exporter-base/node-http') as typeof import('@opentelemetry/otlp-exporter-base/node-http');
  const serializers = require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const contentType = encoding === 'http/json' ? 'application/json' : 'application/x-protobuf';
  const config = convertLegacyHttpOptions({}, names.env, names.path, { 'Content-Type': contentType });
  const serializer = serializers[encoding === 'http/json' ? names.json : names.protobuf] as { serializeRequest(items: unknown): Uint8Array | undefined };
  const gzip = config.compression === 'gzip';
  return {
    url: config.url,
    headers: { ...(await config.headers()), ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) },
    gzip,
    agent: await config.agentFactory(new URL(config.url).protocol),
    timeoutMs: config.timeoutMillis,
    concurrencyLimit: config.concurrencyLimit,
    serialize: (items) => serializer.serializeRequest(items),
  };
}

/**
 * An OTLP/HTTP exporter that hands each batch off at once and sends it in the background: the SDK's
 * own export timers end right away, and the request, its retries and its pauses never keep the
 * process alive. `forceFlush()` and `shutdown()` wait for what is still being sent; how long an
 * exiting app waits for them is the hook's shutdown timeout (shutdown.ts). A failed send is reported
 * once per cause on stderr (export-failures.ts), never thrown into the app.
 */
export class OtlpHttpExporter<Items> {
  /** Each send in flight, with why its last attempt failed, if one did. */
  private readonly sending = new Map<Promise<void>, { url?: string; failure?: SendFailure }>();
  private target: Promise<ResolvedTarget> | undefined;
  private stopped = false;

  constructor(
    private readonly signal: Signal,
    private readonly encoding: OtlpEncoding,
  ) {}

  export(items: Items, done: (result: ExportResult) => void): void {
    if (this.stopped) return done({ code: ExportResultCode.FAILED, error: new Error('the exporter is shut down') });
    done({ code: ExportResultCode.SUCCESS });
    const state: { url?: string; failure?: SendFailure } = {};
    const sent = this.send(items, state).finally(() => this.sending.delete(sent));
    this.sending.set(sent, state);
  }

  private async send(items: Items, state: { url?: string; failure?: SendFailure }): Promise<void> {
    let target: ResolvedTarget;
    try {
      target = await (this.target ??= resolveTarget(this.signal, this.encoding));
    } catch (err) {
      return reportExportFailure(this.signal, '(no endpoint)', { kind: 'error', detail: (err as Error).message });
    }
    // This send is itself in the set already, hence `>`.
    if (this.sending.size > target.concurrencyLimit) return reportExportFailure(this.signal, target.url, { kind: 'backlog', limit: target.concurrencyLimit });
    const body = target.serialize(items);
    if (!body) return;
    state.url = target.url;
    const outcome = await sendOtlp(target, target.gzip ? await gzipped(body) : body, (failure) => (state.failure = failure));
    if (!outcome.ok) reportExportFailure(this.signal, target.url, outcome.failure);
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.sending.keys()]);
  }

  /**
   * For an app that ends while sends are still in flight (the shutdown timeout passed): reports each
   * one's cause now, the last failed attempt's, or no answer in the time the app waited.
   */
  reportUnsent(waitedMs: number): void {
    for (const { url, failure } of this.sending.values()) if (url) reportExportFailure(this.signal, url, failure ?? { kind: 'timeout', timeoutMs: waitedMs });
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.forceFlush();
  }
}

export type SpanExporter = OtlpHttpExporter<ReadableSpan[]>;
export type MetricExporter = OtlpHttpExporter<ResourceMetrics>;
