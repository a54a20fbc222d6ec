import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { TestTelemetry } from './telemetry';

/**
 * Records the HTTP client spans an app with the @tokenledger/node hook also gets: the hook registers
 * Node's `http` and `fetch` (undici) instrumentations with their default settings, and so does this.
 * The SDKs send with `fetch`, which reports to the undici instrumentation through diagnostics
 * channels, in jest too (the `http` one patches `require`, which jest's module loader bypasses).
 * They stop when the telemetry is closed.
 */
export function recordHttpClientSpans(telemetry: TestTelemetry): void {
  for (const instrumentation of [new HttpInstrumentation(), new UndiciInstrumentation()]) {
    telemetry.instrument(instrumentation).enable();
    telemetry.onClose(() => instrumentation.disable());
  }
}

const HTTP_CLIENT_SCOPES = ['@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-undici'];

/** The HTTP client spans among `spans` whose parent is `parent`, in the same trace. */
export function httpSpansUnder(spans: readonly ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  const { traceId, spanId } = parent.spanContext();
  return spans.filter(
    (s) => HTTP_CLIENT_SCOPES.includes(s.instrumentationScope.name) && s.spanContext().traceId === traceId && s.parentSpanContext?.spanId === spanId,
  );
}

/** Every HTTP client span among `spans`. */
export const httpSpans = (spans: readonly ReadableSpan[]): ReadableSpan[] => spans.filter((s) => HTTP_CLIENT_SCOPES.includes(s.instrumentationScope.name));
