import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/** A reader the test collects from when it asks, never on a timer. */
class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

export interface TestTelemetry {
  tracerProvider: TracerProvider;
  meterProvider: MeterProvider;
  /** Points an instrumentation (made with `enabled: false`, patched by hand) at these providers. */
  instrument<I extends Instrumentation>(instrumentation: I): I;
  /** The finished spans, after the span processor has exported them. */
  spans: () => Promise<ReadableSpan[]>;
  metrics: () => Promise<ResourceMetrics>;
  /** Runs `stop` on close (for what records into these providers). */
  onClose(stop: () => void): void;
  /** Stops what was added with `onClose`, and unregisters what `global` registered. */
  close(): void;
}

/**
 * In-memory OpenTelemetry for a test: spans to an in-memory exporter, metrics to a reader collected
 * on demand, and the context an app's hook sets up (an AsyncLocalStorage context manager and W3C
 * baggage, so attribution and span parents flow). With `global`, the providers are also the global
 * ones, as the hook registers them, until `close()`.
 */
export function testTelemetry({ global = false }: { global?: boolean } = {}): TestTelemetry {
  // The API refuses a second registration: the first one of a test file (a module registry) stays.
  const contextManager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(contextManager)) contextManager.disable();
  propagation.setGlobalPropagator(new W3CBaggagePropagator());
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  if (global) {
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
  }
  const stops: (() => void)[] = [];
  return {
    tracerProvider,
    meterProvider,
    instrument(instrumentation) {
      instrumentation.setTracerProvider(tracerProvider);
      instrumentation.setMeterProvider(meterProvider);
      return instrumentation;
    },
    spans: async () => {
      await tracerProvider.forceFlush();
      return exporter.getFinishedSpans();
    },
    metrics: async () => (await reader.collect()).resourceMetrics,
    onClose: (stop) => void stops.push(stop),
    close: () => {
      for (const stop of stops.splice(0)) stop();
      if (!global) return;
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
    },
  };
}
