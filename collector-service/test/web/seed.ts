import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { Attributes } from '@opentelemetry/api';
import { makeSpans, requestBytes } from '../support/spans';

const HOUR = 3_600_000;
export const USERS = ['alice', 'bob', 'carol', 'dave'];
export const UNPRICED_MODEL = 'acme-unknown-model';

function attributes(i: number): Attributes {
  const base: Attributes = { 'user.id': USERS[i % USERS.length] };
  if (i % 3 === 0) base['gen_ai.agent.id'] = 'support-bot';
  else if (i % 3 === 1) base['gen_ai.agent.id'] = 'research-agent';
  if (i % 10 === 0)
    return {
      ...base,
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'text-embedding-3-small',
      'gen_ai.usage.input_tokens': 800 + i,
    };
  if (i % 20 === 5)
    return {
      ...base,
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': UNPRICED_MODEL,
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.output_tokens': 50,
    };
  if (i % 4 === 0)
    return {
      ...base,
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-3-5-sonnet-20241022',
      'gen_ai.usage.input_tokens': 1200 + 7 * i,
      'gen_ai.usage.output_tokens': 300 + 3 * i,
    };
  return {
    ...base,
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 1500 + 11 * i,
    'gen_ai.usage.output_tokens': 400 + 5 * i,
  };
}

/**
 * Sends `count` GenAI spans, one every 4 hours back from `nowMs` (120 spans cover 20 days), as one
 * real OTLP protobuf request: chat on two providers, embeddings, an unpriced model, failures and agents.
 * `resource` replaces the default resource (an all-tenant ingest key takes `tokenledger.tenant` from it).
 */
export async function ingestKnownSpans(
  collectorUrl: string,
  nowMs: number,
  count = 120,
  headers: Record<string, string> = {},
  resource?: Attributes,
): Promise<void> {
  const spans = await makeSpans(
    Array.from({ length: count }, (_, i) => ({
      name: `call ${i}`,
      attributes: attributes(i),
      startMs: nowMs - i * 4 * HOUR - 7 * 60_000,
      durationMs: 200 + ((i * 37) % 900),
      error: i % 13 === 0,
    })),
    resource,
  );
  const res = await fetch(`${collectorUrl}/v1/traces`, {
    method: 'POST',
    body: requestBytes(ProtobufTraceSerializer.serializeRequest(spans)),
    headers: { 'content-type': 'application/x-protobuf', ...headers },
  });
  if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
}
