import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Attributes } from '@opentelemetry/api';

/** Real ReadableSpans from the OpenTelemetry SDK, ended at the given times. */
export async function makeSpans(
  specs: { name: string; attributes: Attributes; startMs?: number; durationMs?: number; error?: boolean }[],
  resource: Attributes = { 'service.name': 'checkout' },
): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes(resource), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('@tokenledger/instrumentation-openai', '0.1.0');
  for (const spec of specs) {
    const start = spec.startMs ?? Date.now() - 1000;
    const span = tracer.startSpan(spec.name, { kind: 2, attributes: spec.attributes, startTime: start });
    if (spec.error) span.setStatus({ code: 2, message: 'rate limited' });
    span.end(start + (spec.durationMs ?? 250));
  }
  await provider.forceFlush();
  return exporter.getFinishedSpans();
}
