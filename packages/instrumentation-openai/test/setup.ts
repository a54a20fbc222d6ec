import OpenAI from 'openai';
import { type InstrumentedSdk, instrumentedSdk } from '@tokenledger/otel-harness';
import { OpenAIInstrumentation } from '../src';

export interface Harness extends InstrumentedSdk<OpenAIInstrumentation> {
  client: OpenAI;
}

/**
 * The real openai SDK (the current major, or the previous one installed as `openai-v6`) against the
 * loopback mock server, patched by the instrumentation; the hook path is tested by starting a real
 * Node process (require-hook.test.ts).
 */
export async function harness(config: ConstructorParameters<typeof OpenAIInstrumentation>[0] = {}, sdk: 'openai' | 'openai-v6' = 'openai'): Promise<Harness> {
  // The SDK's module with its own types, as patch() takes it; the
  // previous major is read with the current one's types: the calls the tests make are in both.
  const sdkModule = require(sdk) as typeof import('openai');
  const h = await instrumentedSdk(new OpenAIInstrumentation({ ...config, enabled: false }), (i) => {
    i.patch(sdkModule);
    return () => i.unpatch(sdkModule);
  });
  return { ...h, client: new sdkModule.OpenAI({ apiKey: 'test-key', baseURL: `${h.server.url}/v1`, maxRetries: 0 }) };
}

/** Finished spans, after the span processor has exported them. */
export const finishedSpans = (h: Harness) => h.telemetry.spans();
