import { loadConfig } from '../../src/config/config';
import type { Attributes, SpanInput } from '../../src/ingest/span-input';
import { PricingService } from '../../src/pricing/pricing.service';
import { decodeRecord, encodeRecord } from '../../src/storage/record-codec';
import { UsageService } from '../../src/usage/usage.service';
import { record } from '../support/records';

const usage = new UsageService(new PricingService(loadConfig({ TOKENLEDGER_PRICES_FILE: '' })));
const OURS = '@tokenledger/instrumentation-openai';
let n = 0;

function span(attributes: Attributes, scope = OURS): SpanInput {
  n++;
  const start = BigInt(Date.UTC(2026, 10, 24, 12)) * 1_000_000n;
  return {
    traceId: n.toString(16).padStart(32, 'c'),
    spanId: n.toString(16).padStart(16, 'd'),
    parentSpanId: null,
    name: 'span',
    kind: 3,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 500_000_000n,
    attributes,
    status: { code: 0, message: null },
    resource: { 'service.name': 'voice' },
    scope: { name: scope, version: '1.0.0' },
  };
}

function one(s: SpanInput, tenant = 'acme') {
  const batch = usage.toRecords([s], tenant);
  expect(batch.rejected).toEqual([]);
  expect(batch.records).toHaveLength(1);
  return batch.records[0];
}

const realtimeResponse = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-realtime',
  'gen_ai.response.model': 'gpt-realtime-2025-08-28',
  'gen_ai.usage.input_tokens': 1000,
  'gen_ai.usage.cache_read.input_tokens': 300,
  'tokenledger.usage.audio.input_tokens': 500,
  'tokenledger.usage.audio.cache_read.input_tokens': 200,
  'tokenledger.usage.image.input_tokens': 100,
  'gen_ai.usage.output_tokens': 300,
  'tokenledger.usage.audio.output_tokens': 250,
};

describe('every way an app spends, normalised and priced once', () => {
  it('prices a Realtime response with cached text and audio, image input and audio output at gpt-realtime’s rates', () => {
    const r = one(span(realtimeResponse));
    // https://openai.com/api/pricing/ gpt-realtime per 1M: text $4 / cached $0.40 / out $16, audio $32 / cached $0.40 / out $64, image $5:
    // 300 × 4 + 100 × 0.40 + 300 × 32 + 200 × 0.40 + 100 × 5 + 50 × 16 + 250 × 64 = 28,220 µ$
    expect(r).toMatchObject({ costType: 'llm', model: 'gpt-realtime-2025-08-28', costNanos: 28_220_000n, audioTokens: { input: 500, output: 250 } });
    expect(r.tokenDetails).toEqual({ audioCacheRead: 200, imageInput: 100, imageCacheRead: 0, videoInput: 0, imageOutput: 0, cacheWrite1h: 0 });
    expect(r.unitPrices).toMatchObject({ cache_audio_read_tokens: '0.0000004', input_image_tokens: '0.000005' });
  });

  it('never counts a Realtime or Live session, nor a batch job, even one that carried usage: their calls are the records', () => {
    const batch = usage.toRecords(
      [
        span({ ...realtimeResponse, 'gen_ai.operation.name': 'session' }),
        span(
          { 'gen_ai.operation.name': 'session', 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.request.model': 'gemini-live-2.5-flash-preview' },
          '@tokenledger/instrumentation-google-genai',
        ),
        span(
          {
            'gen_ai.operation.name': 'batch',
            'gen_ai.provider.name': 'anthropic',
            'gen_ai.request.model': 'claude-sonnet-4-5',
            'tokenledger.batch.id': 'msgbatch_1',
          },
          '@tokenledger/instrumentation-anthropic',
        ),
        span(realtimeResponse),
      ],
      'acme',
    );
    expect(batch).toMatchObject({ ignored: 3, rejected: [] });
    expect(batch.records).toHaveLength(1);
  });

  it('prices Anthropic 1-hour cache writes apart from 5-minute ones', () => {
    const r = one(
      span(
        {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': 'claude-sonnet-4-5',
          'gen_ai.usage.input_tokens': 10000,
          'gen_ai.usage.cache_read.input_tokens': 1000,
          'gen_ai.usage.cache_creation.input_tokens': 6000,
          'tokenledger.usage.cache_creation_1h.input_tokens': 4000,
          'gen_ai.usage.output_tokens': 500,
        },
        '@tokenledger/instrumentation-anthropic',
      ),
    );
    // https://www.anthropic.com/pricing#api Sonnet 4.5 per 1M: $3 in, $0.30 cache hits, $3.75 5-minute writes, $6 1-hour writes, $15 out:
    // 3,000 × 3 + 1,000 × 0.30 + 2,000 × 3.75 + 4,000 × 6 + 500 × 15 = 48,300 µ$
    expect(r).toMatchObject({ costNanos: 48_300_000n, tokenDetails: expect.objectContaining({ cacheWrite1h: 4000 }) });
    expect(r.unitPrices).toMatchObject({ cache_write_tokens: '0.00000375', cache_write_1h_tokens: '0.000006' });
  });

  it('prices a Gemini Live turn per modality, video at the rate the supplemental data cites', () => {
    const r = one(
      span(
        {
          'gen_ai.operation.name': 'generate_content',
          'gen_ai.provider.name': 'gcp.gemini',
          'gen_ai.request.model': 'gemini-live-2.5-flash-preview',
          'gen_ai.usage.input_tokens': 1000,
          'tokenledger.usage.audio.input_tokens': 600,
          'tokenledger.usage.video.input_tokens': 100,
          'gen_ai.usage.output_tokens': 500,
          'tokenledger.usage.audio.output_tokens': 400,
        },
        '@tokenledger/instrumentation-google-genai',
      ),
    );
    // https://ai.google.dev/gemini-api/docs/pricing Gemini 2.5 Flash Native Audio per 1M: in $0.50 text, $3 audio / video; out $2 text, $12 audio:
    // 300 × 0.50 + 600 × 3 + 100 × 3 + 100 × 2 + 400 × 12 = 7,250 µ$
    expect(r).toMatchObject({ costNanos: 7_250_000n, priceSource: 'supplemental:2026-11-30' });
  });

  it('keeps one record per batch result however often its results are read, per tenant', () => {
    const result = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 1000,
      'tokenledger.batch': true,
      'tokenledger.batch.id': 'batch_abc',
      'tokenledger.batch.request_id': 'request-1',
    };
    const first = one(span(result));
    const again = one(span(result));
    expect(again.traceId + again.spanId).not.toBe(first.traceId + first.spanId);
    expect(again.id).toBe(first.id);
    expect(first.id).toMatch(/^[0-9a-f]{48}$/);
    expect(one(span(result), 'globex').id).not.toBe(first.id);
    expect(one(span({ ...result, 'tokenledger.batch.request_id': 'request-2' })).id).not.toBe(first.id);
    // https://platform.openai.com/docs/guides/batch: half of gpt-4o-mini's $0.15 / $0.60 → 1,000 × 0.075 + 1,000 × 0.30 = 375 n$ × 1,000
    expect(first).toMatchObject({ batch: true, batchId: 'batch_abc', costNanos: 375_000n });
  });

  it('keeps one record per result of a batch its reader did not know, by its request id', () => {
    const result = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 10,
      'tokenledger.batch': true,
      'tokenledger.batch.request_id': 'file-out1/request-1',
    };
    const first = one(span(result));
    expect(one(span(result)).id).toBe(first.id);
    expect(one(span({ ...result, 'tokenledger.batch.request_id': 'file-out2/request-1' })).id).not.toBe(first.id);
    expect(first).toMatchObject({ batch: true, batchId: null });
  });

  it('rejects token details larger than the counts they are part of, naming the attribute', () => {
    const batch = usage.toRecords(
      [
        span({ ...realtimeResponse, 'tokenledger.usage.audio.cache_read.input_tokens': 501 }),
        span({ ...realtimeResponse, 'tokenledger.usage.image.input_tokens': 1001 }),
        span({ ...realtimeResponse, 'tokenledger.usage.image.cache_read.input_tokens': 101 }),
        span({ ...realtimeResponse, 'tokenledger.usage.image.cache_read.input_tokens': 100, 'tokenledger.usage.audio.cache_read.input_tokens': 201 }),
        span({ ...realtimeResponse, 'tokenledger.usage.image.output_tokens': 301 }),
        span({ ...realtimeResponse, 'tokenledger.usage.cache_creation_1h.input_tokens': 1 }),
      ],
      'acme',
    );
    expect(batch.records).toEqual([]);
    expect(batch.rejected.map((r) => r.reason)).toEqual([
      'tokenledger.usage.audio.cache_read.input_tokens (501) must not exceed tokenledger.usage.audio.input_tokens (500), which includes it',
      'tokenledger.usage.image.input_tokens (1001) must not exceed gen_ai.usage.input_tokens (1000), which includes it',
      'tokenledger.usage.image.cache_read.input_tokens (101) must not exceed tokenledger.usage.image.input_tokens (100), which includes it',
      'tokenledger.usage.audio.cache_read.input_tokens + tokenledger.usage.image.cache_read.input_tokens (301) must not exceed gen_ai.usage.cache_read.input_tokens (300), which includes them',
      'tokenledger.usage.image.output_tokens (301) must not exceed gen_ai.usage.output_tokens (300), which includes it',
      'tokenledger.usage.cache_creation_1h.input_tokens (1) must not exceed gen_ai.usage.cache_creation.input_tokens (0), which includes it',
    ]);
  });

  it('stores a fine-tuned model without published rates as fine_tuned_unpriced', () => {
    const r = one(
      span({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'ft:gpt-4.1-2025-04-14:acme::abc',
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.output_tokens': 10,
      }),
    );
    expect(r).toMatchObject({ costNanos: null, unpricedReason: 'fine_tuned_unpriced' });
  });

  it('keeps token details and batch ids through the store, and decodes older records as having none', () => {
    const r = record({
      tokenDetails: { audioCacheRead: 1, imageInput: 2, imageCacheRead: 1, videoInput: 3, imageOutput: 4, cacheWrite1h: 5 },
      batch: true,
      batchId: 'batch_abc',
    });
    expect(decodeRecord(encodeRecord(r))).toEqual(r);
    const { tokenDetails: _details, batchId: _batch, ...older } = JSON.parse(encodeRecord(record())) as Record<string, unknown>;
    expect(decodeRecord(JSON.stringify(older))).toMatchObject({ tokenDetails: null, batchId: null });
  });
});
