import Anthropic from '@anthropic-ai/sdk';
import { type InstrumentedSdk, instrumentedSdk } from '@tokenledger/otel-harness';
import { AnthropicInstrumentation } from '../src';

export interface Harness extends InstrumentedSdk<AnthropicInstrumentation> {
  client: Anthropic;
}

/**
 * The real @anthropic-ai/sdk against the loopback mock server, patched by the instrumentation; the
 * hook path is tested by starting a real Node process (require-hook.test.ts). The client keeps the
 * SDK's own tracing at its default (on, with the global tracer provider, a no-op here); a test that
 * wants the SDK's spans passes `openTelemetry` in `clientOptions`.
 */
export async function harness(
  config: ConstructorParameters<typeof AnthropicInstrumentation>[0] = {},
  clientOptions: ConstructorParameters<typeof Anthropic>[0] = {},
  /** Another installed release of the SDK (an npm alias), to run the same calls against it. */
  sdkModule = '@anthropic-ai/sdk',
): Promise<Harness> {
  // The SDK's module with its own types, as patch() takes it; an
  // older release is read with the current one's types: the calls the tests make are in both.
  const sdk = require(sdkModule) as typeof import('@anthropic-ai/sdk');
  const h = await instrumentedSdk(new AnthropicInstrumentation({ ...config, enabled: false }), (i) => {
    i.patch(sdk);
    return () => i.unpatch(sdk);
  });
  return { ...h, client: new sdk.Anthropic({ apiKey: 'test-key', baseURL: h.server.url, maxRetries: 0, ...clientOptions }) };
}

/** Finished spans, after the span processor has exported them. */
export const finishedSpans = (h: Harness) => h.telemetry.spans();

/** 10 + 40 / 4 = 20 prompt tokens at the mock; its reply `Hello from <model>!` is 3 output tokens. */
export const PROMPT = [{ role: 'user' as const, content: 'x'.repeat(40) }];
export const MODEL = 'claude-sonnet-4-6';
