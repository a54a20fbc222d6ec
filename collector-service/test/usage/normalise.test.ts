import type { Attributes, SpanInput } from '../../src/ingest/span-input';
import { loadConfig } from '../../src/config/config';
import { PricingService } from '../../src/pricing/pricing.service';
import { UsageService } from '../../src/usage/usage.service';

const usage = new UsageService(new PricingService(loadConfig({ TOKENLEDGER_PRICES_FILE: '' })));
let n = 0;

function span(attributes: Attributes, scope = 'unknown-instrumentation', resource: Attributes = { 'service.name': 'checkout' }): SpanInput {
  n++;
  const start = BigInt(Date.UTC(2026, 10, 24, 12)) * 1_000_000n;
  return {
    traceId: n.toString(16).padStart(32, 'a'),
    spanId: n.toString(16).padStart(16, 'b'),
    parentSpanId: null,
    name: 'span',
    kind: 3,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 1_250_000_000n,
    attributes,
    status: { code: 0, message: null },
    resource,
    scope: { name: scope, version: '1.0.0' },
  };
}

function one(s: SpanInput) {
  const batch = usage.toRecords([s], 'acme');
  expect(batch.rejected).toEqual([]);
  expect(batch.records).toHaveLength(1);
  return batch.records[0];
}

describe('normalising GenAI spans from every instrumentation into one priced record', () => {
  it("reads tokenledger's own spans, cache tokens included in input as the GenAI convention says", () => {
    const r = one(
      span(
        {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': 'claude-3-5-sonnet-latest',
          'gen_ai.response.model': 'claude-3-5-sonnet-20241022',
          'gen_ai.usage.input_tokens': 1500,
          'gen_ai.usage.cache_read.input_tokens': 1000,
          'gen_ai.usage.cache_creation.input_tokens': 200,
          'gen_ai.usage.output_tokens': 2000,
          'user.id': 'alice',
          'gen_ai.agent.id': 'support-bot',
          'gen_ai.conversation.id': 'conv-1',
          'tokenledger.feature': 'refunds',
          'tokenledger.tag.team': 'payments',
        },
        '@tokenledger/instrumentation-anthropic',
        { 'service.name': 'helpdesk', 'deployment.environment.name': 'production' },
      ),
    );
    expect(r).toMatchObject({
      tenant: 'acme',
      source: 'tokenledger',
      provider: 'anthropic',
      model: 'claude-3-5-sonnet-20241022',
      requestModel: 'claude-3-5-sonnet-latest',
      costType: 'llm',
      tokens: { input: 1500, output: 2000, cacheRead: 1000, cacheWrite: 200, reasoning: 0 },
      user: 'alice',
      agent: 'support-bot',
      conversation: 'conv-1',
      feature: 'refunds',
      tags: { team: 'payments' },
      service: 'helpdesk',
      environment: 'production',
      status: 'ok',
      durationMs: 1250,
      timeMs: Date.UTC(2026, 10, 24, 12),
      costNanos: 31_950_000n, // $3 in, $3.75 cache write, $0.30 cache read, $15 out per 1M
      unpricedReason: null,
    });
    expect(r.priceSource).toBe('catalog:@pydantic/genai-prices@0.1.8');
  });

  it('reads image, speech and payment spans of the manual tracking API', () => {
    const image = one(
      span(
        {
          'gen_ai.operation.name': 'image_generation',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'dall-e-3',
          'tokenledger.image.count': 2,
          'tokenledger.image.size': '1024x1792',
          'tokenledger.image.quality': 'hd',
        },
        '@tokenledger/node',
      ),
    );
    expect(image).toMatchObject({ costType: 'image', imageCount: 2, costNanos: 240_000_000n });
    const speech = one(
      span(
        { 'gen_ai.operation.name': 'speech', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'tts-1-hd', 'tokenledger.speech.characters': 1000 },
        '@tokenledger/node',
      ),
    );
    expect(speech).toMatchObject({ costType: 'speech', characters: 1000, costNanos: 30_000_000n });
    const fee = one(
      span(
        { 'gen_ai.operation.name': 'payment', 'tokenledger.payment.gateway': 'stripe', 'tokenledger.payment.amount': '10.00', 'user.id': 'alice' },
        '@tokenledger/node',
      ),
    );
    expect(fee).toMatchObject({ costType: 'payment', provider: 'stripe', model: 'stripe', costNanos: 590_000_000n });
    const local = one(
      span(
        {
          'gen_ai.operation.name': 'embeddings',
          'gen_ai.provider.name': 'qwen-local',
          'gen_ai.request.model': 'qwen3-embedding-0.6b-q8',
          'gen_ai.usage.input_tokens': 800,
          'tokenledger.cost.provided_usd': '0',
        },
        '@tokenledger/node',
      ),
    );
    expect(local).toMatchObject({ costType: 'embedding', costNanos: 0n, providedCostNanos: 0n });
  });

  it('prices audio tokens at their own rate: gpt-4o-transcribe audio in at $6, not the $2.50 text rate', () => {
    const r = one(
      span(
        {
          'gen_ai.operation.name': 'audio_transcription',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-transcribe',
          'gen_ai.usage.input_tokens': 1100,
          'tokenledger.usage.audio.input_tokens': 1000,
          'gen_ai.usage.output_tokens': 500,
        },
        '@tokenledger/instrumentation-openai',
      ),
    );
    // https://openai.com/api/pricing/ gpt-4o-transcribe per 1M: text in $2.50, audio in $6, out $10:
    // 100 × $2.50 + 1,000 × $6 + 500 × $10 = $0.00025 + $0.006 + $0.005 = $0.01125
    expect(r).toMatchObject({ costType: 'audio', tokens: { input: 1100, output: 500 }, audioTokens: { input: 1000, output: 0 }, costNanos: 11_250_000n });
    expect(r.unitPrices).toEqual({ input_tokens: '0.0000025', input_audio_tokens: '0.000006', output_tokens: '0.00001' });
  });

  it('prices audio chat tokens in and out at the audio rates (gpt-4o-audio-preview)', () => {
    const r = one(
      span(
        {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-audio-preview',
          'gen_ai.response.model': 'gpt-4o-audio-preview-2025-06-03',
          'gen_ai.usage.input_tokens': 1100,
          'tokenledger.usage.audio.input_tokens': 1000,
          'gen_ai.usage.output_tokens': 2300,
          'tokenledger.usage.audio.output_tokens': 2000,
        },
        '@tokenledger/instrumentation-openai',
      ),
    );
    // https://developers.openai.com/api/docs/models/gpt-4o-audio-preview per 1M: text $2.50/$10, audio $40/$80:
    // 100 × $2.50 + 1,000 × $40 + 300 × $10 + 2,000 × $80 = $0.00025 + $0.04 + $0.003 + $0.16 = $0.20325
    expect(r).toMatchObject({ audioTokens: { input: 1000, output: 2000 }, costNanos: 203_250_000n, priceSource: 'supplemental:2026-11-30' });
    expect(r.unitPrices).toMatchObject({ input_audio_tokens: '0.00004', output_audio_tokens: '0.00008' });
  });

  it('reads OpenInference audio token counts and prices them at the audio rate', () => {
    const r = one(
      span({
        'openinference.span.kind': 'LLM',
        'llm.provider': 'openai',
        'llm.model_name': 'gpt-4o-mini-transcribe',
        'llm.token_count.prompt': 1100,
        'llm.token_count.prompt_details.audio': 1000,
        'llm.token_count.completion': 500,
      }),
    );
    // https://openai.com/api/pricing/ gpt-4o-mini-transcribe per 1M: text in $1.25, audio in $3, out $5:
    // 100 × $1.25 + 1,000 × $3 + 500 × $5 = $0.000125 + $0.003 + $0.0025 = $0.005625
    expect(r).toMatchObject({ source: 'openinference', audioTokens: { input: 1000, output: 0 }, costNanos: 5_625_000n });
  });

  it('keeps audioTokens null for a call without audio, and rejects audio tokens that exceed the total they are part of', () => {
    const text = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.output_tokens': 10,
    };
    expect(one(span(text, '@tokenledger/instrumentation-openai')).audioTokens).toBeNull();
    const batch = usage.toRecords(
      [
        span({ ...text, 'tokenledger.usage.audio.input_tokens': 101 }, '@tokenledger/instrumentation-openai'),
        span({ ...text, 'tokenledger.usage.audio.output_tokens': 11 }),
        span({ 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o', 'llm.token_count.prompt': 5, 'llm.token_count.prompt_details.audio': 6 }),
      ],
      'acme',
    );
    expect(batch.records).toEqual([]);
    expect(batch.rejected.map((r) => r.reason)).toEqual([
      'tokenledger.usage.audio.input_tokens (101) must not exceed gen_ai.usage.input_tokens (100), which includes it',
      'tokenledger.usage.audio.output_tokens (11) must not exceed gen_ai.usage.output_tokens (10), which includes it',
      'llm.token_count.prompt_details.audio (6) must not exceed llm.token_count.prompt (5), which includes it',
    ]);
  });

  it('reads the official @opentelemetry/instrumentation-openai spans (provider in the deprecated gen_ai.system)', () => {
    // Attributes per its src/semconv.ts: gen_ai.system, gen_ai.operation.name, gen_ai.request.model, gen_ai.usage.*
    const r = one(
      span(
        {
          'gen_ai.system': 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.response.model': 'gpt-4o-2024-08-06',
          'gen_ai.usage.input_tokens': 1500,
          'gen_ai.usage.output_tokens': 2000,
        },
        '@opentelemetry/instrumentation-openai',
      ),
    );
    expect(r).toMatchObject({ source: 'genai-semconv', provider: 'openai', model: 'gpt-4o-2024-08-06', costNanos: 23_750_000n });
  });

  it('reads OpenLLMetry spans, folding Anthropic cache tokens it reports apart from input', () => {
    // traceloop/openllmetry-js: gen_ai.system "Anthropic", llm.request.type, gen_ai.usage.prompt_tokens, cache_*_input_tokens.
    const r = one(
      span(
        {
          'gen_ai.system': 'Anthropic',
          'llm.request.type': 'chat',
          'gen_ai.request.model': 'claude-3-5-sonnet-20241022',
          'gen_ai.usage.prompt_tokens': 300,
          'gen_ai.usage.cache_read_input_tokens': 1000,
          'gen_ai.usage.cache_creation_input_tokens': 200,
          'gen_ai.usage.completion_tokens': 2000,
          'llm.usage.total_tokens': 3500,
          'traceloop.association.properties.user_id': 'bob',
        },
        '@traceloop/instrumentation-anthropic',
      ),
    );
    expect(r).toMatchObject({
      source: 'openllmetry',
      provider: 'anthropic',
      user: 'bob',
      tokens: { input: 1500, cacheRead: 1000, cacheWrite: 200, output: 2000 },
      costNanos: 31_950_000n,
    });
  });

  it('reads OpenInference LLM and embedding spans and ignores its chain spans', () => {
    // https://github.com/Arize-ai/openinference/blob/main/spec/semantic_conventions.md
    const llm = one(
      span({
        'openinference.span.kind': 'LLM',
        'llm.provider': 'openai',
        'llm.model_name': 'gpt-4o-2024-08-06',
        'llm.token_count.prompt': 1500,
        'llm.token_count.prompt_details.cache_read': 1000,
        'llm.token_count.completion': 2000,
        'user.id': 'carol',
        'session.id': 's-9',
      }),
    );
    expect(llm).toMatchObject({ source: 'openinference', provider: 'openai', user: 'carol', conversation: 's-9', costNanos: 22_500_000n });
    const embedding = one(
      span({
        'openinference.span.kind': 'EMBEDDING',
        'llm.provider': 'openai',
        'embedding.model_name': 'text-embedding-3-small',
        'llm.token_count.prompt': 1_000_000,
      }),
    );
    expect(embedding).toMatchObject({ costType: 'embedding', costNanos: 20_000_000n });
    expect(usage.toRecords([span({ 'openinference.span.kind': 'CHAIN', 'llm.model_name': 'gpt-4o' })], 'acme')).toMatchObject({ records: [], ignored: 1 });
  });

  it('counts only the Vercel AI SDK provider-call spans, not their parents', () => {
    // https://ai-sdk.dev/docs/ai-sdk-core/telemetry: ai.generateText wraps ai.generateText.doGenerate, both carrying usage.
    const attrs = {
      'ai.model.id': 'gpt-4o',
      'ai.model.provider': 'openai.chat',
      'ai.usage.promptTokens': 1500,
      'ai.usage.completionTokens': 2000,
      'ai.telemetry.metadata.userId': 'dave',
    };
    const batch = usage.toRecords(
      [span({ ...attrs, 'ai.operationId': 'ai.generateText' }), span({ ...attrs, 'ai.operationId': 'ai.generateText.doGenerate' })],
      'acme',
    );
    expect(batch.ignored).toBe(1);
    expect(batch.records).toHaveLength(1);
    expect(batch.records[0]).toMatchObject({ source: 'vercel-ai', provider: 'openai', user: 'dave', costNanos: 23_750_000n });
    const v5 = one(
      span({
        'ai.operationId': 'ai.streamText.doStream',
        'ai.model.id': 'gpt-4o',
        'ai.model.provider': 'openai.responses',
        'ai.usage.inputTokens': 1500,
        'ai.usage.cachedInputTokens': 1000,
        'ai.usage.outputTokens': 2000,
      }),
    );
    expect(v5).toMatchObject({ tokens: { input: 1500, cacheRead: 1000 }, costNanos: 22_500_000n });
  });

  it('keeps the cost OpenLIT computed beside ours', () => {
    // https://docs.openlit.io: gen_ai.usage.cost is OpenLIT's own estimate in USD.
    const r = one(
      span(
        {
          'gen_ai.system': 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 1500,
          'gen_ai.usage.output_tokens': 2000,
          'gen_ai.usage.cost': 0.0237,
        },
        'openlit.otel.tracing',
      ),
    );
    expect(r).toMatchObject({ source: 'openlit', costNanos: 23_750_000n, providedCostNanos: 23_700_000n });
  });

  it('stores an unknown model as unpriced with its reason, never $0', () => {
    const r = one(span({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-99', 'gen_ai.usage.input_tokens': 10 }));
    expect(r).toMatchObject({ costNanos: null, unpricedReason: 'unknown_model' });
  });

  it('marks failed calls from the span status or error.type', () => {
    const failed = span({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'error.type': '429' });
    expect(one(failed)).toMatchObject({ status: 'error', errorType: '429', costNanos: 0n });
    const status = span({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' });
    status.status = { code: 2, message: 'connection reset' };
    expect(one(status)).toMatchObject({ status: 'error', errorType: 'connection reset' });
  });

  it("does not count the Anthropic SDK's own HTTP-call spans (no input tokens; the instrumentation's span is the call)", () => {
    // Attributes as @anthropic-ai/sdk 1.x sets them (internal/tracing.js SPAN_ATTRIBUTES).
    const sdkSpan = span(
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.usage.output_tokens': 40,
        'gen_ai.usage.cache_read.input_tokens': 10,
      },
      'com.anthropic.sdk.typescript',
    );
    const batch = usage.toRecords([sdkSpan], 'acme');
    expect(batch).toMatchObject({ records: [], rejected: [], ignored: 1 });
  });

  it('counts model calls, not agent or tool spans that sum them (AI SDK 7 invoke_agent)', () => {
    const agent = span(
      {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 15,
        'gen_ai.usage.output_tokens': 3,
      },
      'ai',
    );
    const tool = span({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' }, 'ai');
    const call = span(
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 15,
        'gen_ai.usage.output_tokens': 3,
      },
      'ai',
    );
    const batch = usage.toRecords([agent, tool, call], 'acme');
    expect(batch.records.map((r) => r.operation)).toEqual(['chat']);
    expect(batch.ignored).toBe(2);
  });

  it('stores a successful call that reported no usage as unpriced (missing_usage), a failed one as $0', () => {
    const silent = one(span({ 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o' }));
    expect(silent).toMatchObject({ costNanos: null, unpricedReason: 'missing_usage' });
    const failed = one(span({ 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'error.type': '429' }));
    expect(failed).toMatchObject({ status: 'error', costNanos: 0n, unpricedReason: null });
  });

  it('ignores non-GenAI spans and rejects broken GenAI spans with the attribute named, keeping the rest', () => {
    const batch = usage.toRecords(
      [
        span({ 'http.request.method': 'GET' }),
        span({ 'gen_ai.provider.name': 'openai', 'gen_ai.usage.input_tokens': 5 }),
        span({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.output_tokens': 'many' }),
        span({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.output_tokens': 10 }),
      ],
      'acme',
    );
    expect(batch.ignored).toBe(1);
    expect(batch.records).toHaveLength(1);
    expect(batch.rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(/names no model/),
      'gen_ai.usage.output_tokens must be a non-negative integer, got "many"',
    ]);
  });
});
