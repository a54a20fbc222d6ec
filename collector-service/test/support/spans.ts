import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Attributes } from '@opentelemetry/api';

/** A gpt-4o chat by alice: $0.02375 (see packages/pricing's hand-computed table). */
export const GPT_4O_CHAT = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.response.model': 'gpt-4o-2024-08-06',
  'gen_ai.usage.input_tokens': 1500,
  'gen_ai.usage.output_tokens': 2000,
  'user.id': 'alice',
};

/** A Claude 3.5 Sonnet chat by bob that read and wrote the prompt cache: $0.03195 (same table). */
export const CLAUDE_CACHED_CHAT = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'anthropic',
  'gen_ai.request.model': 'claude-3-5-sonnet-20241022',
  'gen_ai.usage.input_tokens': 1500, // includes 1,000 cache reads and 200 cache writes
  'gen_ai.usage.cache_read.input_tokens': 1000,
  'gen_ai.usage.cache_creation.input_tokens': 200,
  'gen_ai.usage.output_tokens': 2000,
  'user.id': 'bob',
};

/** A span that is not a GenAI call: the collector must ignore it. */
export const HTTP_SPAN: SpanSpec = { name: 'GET /checkout', attributes: { 'http.request.method': 'GET' } };

export interface SpanSpec {
  name: string;
  attributes: Attributes;
  startMs?: number;
  durationMs?: number;
  error?: boolean;
}

/** Real ReadableSpans from the OpenTelemetry SDK, ended at the given times. */
export async function makeSpans(specs: SpanSpec[], resource: Attributes = { 'service.name': 'checkout' }): Promise<ReadableSpan[]> {
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

/** An OTLP/HTTP protobuf request body carrying those spans, as the SDK's exporter would send it. */
export async function otlpProtobufBody(specs: SpanSpec[], resource?: Attributes): Promise<Uint8Array<ArrayBuffer>> {
  return requestBytes(ProtobufTraceSerializer.serializeRequest(await makeSpans(specs, resource)));
}

/**
 * A serializer's request as a body fetch takes: bytes over an ArrayBuffer, which the serializers'
 * declared Uint8Array (over any buffer, a shared one included) is not.
 */
export function requestBytes(serialized: Uint8Array | undefined): Uint8Array<ArrayBuffer> {
  if (serialized === undefined) throw new Error('the OTLP serializer wrote no request');
  return new Uint8Array(serialized);
}
