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
 * The real openai SDK (the current major, or the previous one installed as `openai-v6`) against the
 * loopback mock server, patched by the instrumentation. Jest's own
 * module loader bypasses require hooks, so the loaded module is patched directly here; the hook path
 * is tested by starting a real Node process (require-hook.test.ts).
 */
export async function harness(config: ConstructorParameters<typeof OpenAIInstrumentation>[0] = {}, sdk: 'openai' | 'openai-v6' = 'openai'): Promise<Harness> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdkModule = require(sdk);
  const spans = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const instrumentation = new OpenAIInstrumentation({ ...config, enabled: false });
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.setMeterProvider(meterProvider);
  instrumentation.patch(sdkModule);
  const server = await startMockLlmServer();
  return {
    server,
    client: new sdkModule.OpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1`, maxRetries: 0 }) as OpenAI,
    spans,
    tracerProvider,
    instrumentation,
    metrics: async () => (await reader.collect()).resourceMetrics,
    close: async () => {
      instrumentation.unpatch(sdkModule);
      await server.close();
    },
  };
}

/** Finished spans, after the span processor has exported them. */
export async function finishedSpans(h: Harness) {
  await h.tracerProvider.forceFlush();
  return h.spans.getFinishedSpans();
}
