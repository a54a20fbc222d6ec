import type { Instrumentation } from '@opentelemetry/instrumentation';
import { type MockLlmServer, type MockLlmServerOptions, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { type TestTelemetry, testTelemetry } from './telemetry';

export interface InstrumentedSdk<I extends Instrumentation> {
  /** The loopback mock LLM server the SDK's clients are pointed at. */
  server: MockLlmServer;
  telemetry: TestTelemetry;
  instrumentation: I;
  metrics: TestTelemetry['metrics'];
  /** Unpatches the SDK and stops the server. */
  close: () => Promise<void>;
}

/**
 * An instrumentation under test (made with `enabled: false`) recording into test telemetry, the SDK
 * patched by `patch` — jest's module loader bypasses require hooks, so the loaded module is patched
 * directly; the hooks are tested in real processes — and the loopback mock LLM server started.
 * `patch` returns what unpatches. `server`: the mock server's options (TLS for the Realtime API).
 */
export async function instrumentedSdk<I extends Instrumentation>(
  instrumentation: I,
  patch: (instrumentation: I) => () => void,
  options: { global?: boolean; server?: MockLlmServerOptions } = {},
): Promise<InstrumentedSdk<I>> {
  const telemetry = testTelemetry(options);
  telemetry.instrument(instrumentation);
  const unpatch = patch(instrumentation);
  const server = await startMockLlmServer(options.server);
  return {
    server,
    telemetry,
    instrumentation,
    metrics: telemetry.metrics,
    close: async () => {
      unpatch();
      await server.close();
      telemetry.close();
    },
  };
}
