import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import OpenAI from 'openai';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { OpenAIInstrumentation } from '../src';

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

export interface Harness {
  server: MockLlmServer;
  client: OpenAI;
  spans: InMemorySpanExporter;
  tracerProvider: TracerProvider;
  instrumentation: OpenAIInstrumentation;
  metrics(): Promise<ResourceMetrics>;
  close(): Promise<void>;
}

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CBaggagePropagator());

/**
 * The real openai SDK against the loopback mock server, patched by the instrumentation. Jest's own
 * module loader bypasses require hooks, so the loaded module is patched directly here; the hook path
 * is tested by starting a real Node process (require-hook.test.ts).
 */
export async function harness(config: ConstructorParameters<typeof OpenAIInstrumentation>[0] = {}): Promise<Harness> {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const instrumentation = new OpenAIInstrumentation({ ...config, enabled: false });
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.setMeterProvider(meterProvider);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  instrumentation.patch(require('openai'));
  const server = await startMockLlmServer();
  return {
    server,
    client: new OpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1`, maxRetries: 0 }),
    spans,
    tracerProvider,
    instrumentation,
    metrics: async () => (await reader.collect()).resourceMetrics,
    close: async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      instrumentation.unpatch(require('openai'));
      await server.close();
    },
  };
}

/** Finished spans, after the span processor has exported them. */
export async function finishedSpans(h: Harness) {
  await h.tracerProvider.forceFlush();
  return h.spans.getFinishedSpans();
}
