import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { type ExportFailure, reportExportFailure } from './export-failures';
import { openHttpTransport } from './http-transport';
import type { SendFailure } from './retries';
import type { OtlpProtocol, OtlpTransport, Signal } from './transport';

/**
 * The transport OTEL_EXPORTER_OTLP_[signal_]PROTOCOL chose, its settings read from the environment
 * now (at the first export). The gRPC one is loaded only when chosen: an app that sends OTLP/HTTP
 * never loads gRPC code.
 */
function openTransport(signal: Signal, protocol: OtlpProtocol): Promise<OtlpTransport> {
  if (protocol !== 'grpc') return openHttpTransport(signal, protocol);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openGrpcTransport } = require('./grpc-transport') as typeof import('./grpc-transport');
  return openGrpcTransport(signal);
}

/**
 * An OTLP exporter (over HTTP or gRPC) that hands each batch off at once and sends it in the
 * background: the SDK's own export timers end right away, and the request, its retries and its pauses
 * never keep the process alive. `forceFlush()` and `shutdown()` wait for what is still being sent; how
 * long an exiting app waits for them is the hook's shutdown timeout (shutdown.ts). A failed send is
 * reported once per cause on stderr (export-failures.ts), never thrown into the app.
 */
export class OtlpExporter<Items> {
  /** Each send in flight, with why its last attempt failed, if one did. */
  private readonly sending = new Map<Promise<void>, { endpoint?: string; failure?: SendFailure }>();
  private transport: Promise<OtlpTransport> | undefined;
  private stopped = false;

  constructor(
    private readonly signal: Signal,
    readonly protocol: OtlpProtocol,
  ) {}

  export(items: Items, done: (result: ExportResult) => void): void {
    if (this.stopped) return done({ code: ExportResultCode.FAILED, error: new Error('the exporter is shut down') });
    done({ code: ExportResultCode.SUCCESS });
    const state: { endpoint?: string; failure?: SendFailure } = {};
    const sent = this.send(items, state).finally(() => this.sending.delete(sent));
    this.sending.set(sent, state);
  }

  /**
   * Opens the gRPC transport ahead of the first export, so that its thread has started and loaded
   * grpc-js by then (an app's only export may be the one at its exit, which waits 2 s at most).
   * OTLP/HTTP needs no head start: it opens within the export itself.
   */
  warmUp(): void {
    if (this.protocol === 'grpc') (this.transport ??= openTransport(this.signal, this.protocol)).catch(() => undefined);
  }

  private async send(items: Items, state: { endpoint?: string; failure?: SendFailure }): Promise<void> {
    let transport: OtlpTransport;
    try {
      transport = await (this.transport ??= openTransport(this.signal, this.protocol));
    } catch (err) {
      return this.report('(no endpoint)', { kind: 'error', detail: (err as Error).message });
    }
    // This send is itself in the set already, hence `>`.
    if (this.sending.size > transport.concurrencyLimit) return this.report(transport.endpoint, { kind: 'backlog', limit: transport.concurrencyLimit });
    const body = transport.serialize(items);
    if (!body) return;
    state.endpoint = transport.endpoint;
    const outcome = await transport.send(body, (failure) => (state.failure = failure));
    if (!outcome.ok) this.report(transport.endpoint, outcome.failure);
  }

  private report(endpoint: string, failure: ExportFailure): void {
    reportExportFailure(this.signal, this.protocol, endpoint, failure);
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.sending.keys()]);
  }

  /**
   * For an app that ends while sends are still in flight (the shutdown timeout passed): reports each
   * one's cause now, the last failed attempt's, or no answer in the time the app waited.
   */
  reportUnsent(waitedMs: number): void {
    for (const { endpoint, failure } of this.sending.values()) if (endpoint) this.report(endpoint, failure ?? { kind: 'timeout', timeoutMs: waitedMs });
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.forceFlush();
    (await this.transport?.catch(() => undefined))?.close();
  }
}
