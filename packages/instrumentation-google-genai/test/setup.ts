import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { GoogleGenAI } from '@google/genai';
import { type GenerativeModel, GoogleGenerativeAI } from '@google/generative-ai';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { GoogleGenAIInstrumentation } from '../src';

// @google/genai sends through Node's global undici dispatcher, which Node keeps on the main realm's
// globalThis; jest runs tests in a separate realm, so lend it the main realm's dispatcher.
const DISPATCHER = Symbol.for('undici.globalDispatcher.1');
(globalThis as Record<symbol, unknown>)[DISPATCHER] ??= require('node:vm').runInThisContext(`new Headers(); globalThis[Symbol.for('undici.globalDispatcher.1')]`);

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

export interface Harness {
  server: MockLlmServer;
  /** A Gemini API client. */
  ai: GoogleGenAI;
  /** A Vertex AI client (express mode: an API key instead of a project). */
  vertex: GoogleGenAI;
  /** A legacy @google/generative-ai model. */
  legacy(model: string): GenerativeModel;
  spans: InMemorySpanExporter;
  tracerProvider: TracerProvider;
  metrics(): Promise<ResourceMetrics>;
  close(): Promise<void>;
}

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CBaggagePropagator());

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The real Google SDKs against the loopback mock server, patched by the instrumentation. Jest's own
 * module loader bypasses require hooks, so the loaded modules are patched directly here; the hook
 * path is tested by starting a real Node process (require-hook.test.ts).
 */
export async function harness(config: ConstructorParameters<typeof GoogleGenAIInstrumentation>[0] = {}): Promise<Harness> {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const instrumentation = new GoogleGenAIInstrumentation({ ...config, enabled: false });
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.setMeterProvider(meterProvider);
  instrumentation.patchGenAI(require('@google/genai'));
  instrumentation.patchLegacy(require('@google/generative-ai'));
  const server = await startMockLlmServer();
  const httpOptions = { baseUrl: server.url };
  return {
    server,
    ai: new GoogleGenAI({ apiKey: 'test-key', httpOptions }),
    vertex: new GoogleGenAI({ vertexai: true, apiKey: 'test-key', httpOptions }),
    legacy: (model) => new GoogleGenerativeAI('test-key').getGenerativeModel({ model }, { baseUrl: server.url }),
    spans,
    tracerProvider,
    metrics: async () => (await reader.collect()).resourceMetrics,
    close: async () => {
      instrumentation.unpatchGenAI(require('@google/genai'));
      instrumentation.unpatchLegacy(require('@google/generative-ai'));
      await server.close();
    },
  };
}

/** Finished spans, after the span processor has exported them. */
export async function finishedSpans(h: Harness) {
  await h.tracerProvider.forceFlush();
  return h.spans.getFinishedSpans();
}

/** Request headers the mock server reads (usage, scenarios), as @google/genai's per-call config sets them. */
export const headers = (h: Record<string, string>) => ({ httpOptions: { headers: h } });
