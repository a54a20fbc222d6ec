import { OpenAIInstrumentation } from '@tokenledger/instrumentation-openai';
import type { MockLlmServer } from '@tokenledger/mock-llm-server';
import { type TestTelemetry, instrumentedSdk } from '@tokenledger/otel-harness';
import OpenAI from 'openai';

export interface InProcess {
  llm: MockLlmServer;
  client: OpenAI;
  spans: TestTelemetry['spans'];
  metrics: TestTelemetry['metrics'];
  close: () => Promise<void>;
}

/**
 * Global OpenTelemetry providers with in-memory exporters, as the hook would register them, and the
 * real openai SDK against the loopback mock server, patched by tokenledger's instrumentation; the
 * hooks themselves are tested in real processes (register-hook.test.ts).
 */
export async function inProcess(): Promise<InProcess> {
  // The SDK's module with its own types, as patch() takes it.
  const sdk = require('openai') as typeof import('openai');
  const h = await instrumentedSdk(
    new OpenAIInstrumentation({ enabled: false }),
    (i) => {
      i.patch(sdk);
      return () => i.unpatch(sdk);
    },
    { global: true },
  );
  return {
    llm: h.server,
    client: new OpenAI({ apiKey: 'test-key', baseURL: `${h.server.url}/v1`, maxRetries: 0 }),
    spans: h.telemetry.spans,
    metrics: h.metrics,
    close: h.close,
  };
}
