import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { OpenAIInstrumentation } from '@tokenledger/instrumentation-openai';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import OpenAI from 'openai';

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

export interface InProcess {
  llm: MockLlmServer;
  client: OpenAI;
  spans(): Promise<ReadableSpan[]>;
  metrics(): Promise<ResourceMetrics>;
  close(): Promise<void>;
}

/**
 * Global OpenTelemetry providers with in-memory exporters, as the hook would register them, and the
 * real openai SDK against the loopback mock server, patched by tokenledger's instrumentation. Jest's
 * module loader bypasses require hooks, so the loaded SDK is patched directly; the hooks themselves
 * are tested in real processes (register-hook.test.ts).
 */
export async function inProcess(): Promise<InProcess> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CBaggagePropagator());
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  trace.setGlobalTracerProvider(tracerProvider);
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);
  const instrumentation = new OpenAIInstrumentation({ enabled: false });
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.setMeterProvider(meterProvider);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  instrumentation.patch(require('openai'));
  const llm = await startMockLlmServer();
  return {
    llm,
    client: new OpenAI({ apiKey: 'test-key', baseURL: `${llm.url}/v1`, maxRetries: 0 }),
    spans: async () => {
      await tracerProvider.forceFlush();
      return exporter.getFinishedSpans();
    },
    metrics: async () => (await reader.collect()).resourceMetrics,
    close: async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      instrumentation.unpatch(require('openai'));
      await llm.close();
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
    },
  };
}
