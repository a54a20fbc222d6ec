import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import Anthropic from '@anthropic-ai/sdk';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { AnthropicInstrumentation } from '../src';

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

export interface Harness {
  server: MockLlmServer;
  client: Anthropic;
  spans: InMemorySpanExporter;
  tracerProvider: TracerProvider;
  instrumentation: AnthropicInstrumentation;
  metrics(): Promise<ResourceMetrics>;
  close(): Promise<void>;
}

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CBaggagePropagator());

/**
 * The real @anthropic-ai/sdk against the loopback mock server, patched by the instrumentation. Jest's
 * own module loader bypasses require hooks, so the loaded module is patched directly here; the hook
 * path is tested by starting a real Node process (require-hook.test.ts). The client keeps the SDK's
 * own tracing at its default (on, with the global tracer provider, a no-op here); a test that wants
 * the SDK's spans passes `openTelemetry` in `clientOptions`.
 */
export async function harness(
  config: ConstructorParameters<typeof AnthropicInstrumentation>[0] = {},
  clientOptions: ConstructorParameters<typeof Anthropic>[0] = {},
  /** Another installed release of the SDK (an npm alias), to run the same calls against it. */
  sdkModule = '@anthropic-ai/sdk',
): Promise<Harness> {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const instrumentation = new AnthropicInstrumentation({ ...config, enabled: false });
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.setMeterProvider(meterProvider);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require(sdkModule);
  instrumentation.patch(sdk);
  const SdkClient: typeof Anthropic = sdk.Anthropic;
  const server = await startMockLlmServer();
  return {
    server,
    client: new SdkClient({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0, ...clientOptions }),
    spans,
    tracerProvider,
    instrumentation,
    metrics: async () => (await reader.collect()).resourceMetrics,
    close: async () => {
      instrumentation.unpatch(sdk);
      await server.close();
    },
  };
}

/** Finished spans, after the span processor has exported them. */
export async function finishedSpans(h: Harness) {
  await h.tracerProvider.forceFlush();
  return h.spans.getFinishedSpans();
}

/** 10 + 40 / 4 = 20 prompt tokens at the mock; its reply `Hello from <model>!` is 3 output tokens. */
export const PROMPT = [{ role: 'user' as const, content: 'x'.repeat(40) }];
export const MODEL = 'claude-sonnet-4-6';
