import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoragePort } from '../../src/storage/storage.port';
import { STORAGE } from '../../src/storage/storage.tokens';
import { alertStores } from '../alerts/harness';
import { type RunningCollector, startCollector } from '../support/app';
import { record } from '../support/records';
import { CLAUDE_CACHED_CHAT, GPT_4O_CHAT, otlpProtobufBody, type SpanSpec } from '../support/spans';
import { nanosOf, validateFocus } from './focus-rules';

const DAY = 86_400_000;
const NOV_10 = Date.UTC(2026, 10, 10);
const at = (day: number, hour: number, minute = 0) => NOV_10 + day * DAY + hour * 3_600_000 + minute * 60_000;

/** Negotiated prices: gpt-4o at $2 / $8 instead of the list $2.50 / $10, 15 % off every Anthropic call, and a model below a nano per token. */
const OPERATOR_FILE = `models:
  - provider: openai
    match: { regex: '^gpt-4o(-\\d{4}-\\d{2}-\\d{2})?$' }
    effective_from: 2026-01-01
    prices: { input_mtok: "2.00", output_mtok: "8.00" }
  - provider: acme
    model: tiny-model
    effective_from: 2026-01-01
    prices: { input_mtok: "0.0006", output_mtok: "0.0006" }
discounts:
  - provider: anthropic
    multiplier: "0.85"
    effective_from: 2026-01-01
`;

const REASONING = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'o3-mini',
  'gen_ai.usage.input_tokens': 1000,
  'gen_ai.usage.output_tokens': 2000,
  'gen_ai.usage.reasoning.output_tokens': 1500,
  'user.id': 'bob',
};
const BATCH = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.usage.input_tokens': 10_000,
  'gen_ai.usage.output_tokens': 1000,
  'tokenledger.batch': true,
  'tokenledger.batch.id': 'batch_abc',
  'tokenledger.batch.request_id': 'req-1',
};
const IMAGES = {
  'gen_ai.operation.name': 'image_generation',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'dall-e-3',
  'tokenledger.image.count': 2,
  'tokenledger.image.size': '1024x1024',
  'tokenledger.image.quality': 'standard',
  'tokenledger.feature': 'avatars',
};
const TRANSCRIPTION = {
  'gen_ai.operation.name': 'audio_transcription',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'whisper-1',
  'tokenledger.audio.seconds': 12.5,
};
const SPEECH = {
  'gen_ai.operation.name': 'speech',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'tts-1-hd',
  'tokenledger.speech.characters': 1234,
};
/** 1 in + 1 out at the operator's $0.0006 per 1M: 0.6 + 0.6 nano, priced once at 1 nano (rounding each SKU would make it 2). */
const SUB_NANO = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'acme',
  'gen_ai.request.model': 'tiny-model',
  'gen_ai.usage.input_tokens': 1,
  'gen_ai.usage.output_tokens': 1,
};
const UNPRICED = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'acme-unknown-model',
  'gen_ai.usage.input_tokens': 10,
  'gen_ai.usage.output_tokens': 10,
};

const SPANS: SpanSpec[] = [
  { name: 'before the range', attributes: GPT_4O_CHAT, startMs: at(-1, 12) },
  { name: 'gpt-4o', attributes: { ...GPT_4O_CHAT, 'tokenledger.tag.team': 'search', 'tokenledger.feature': 'search' }, startMs: at(0, 9) },
  { name: 'gpt-4o again', attributes: { ...GPT_4O_CHAT, 'tokenledger.tag.team': 'search', 'tokenledger.feature': 'search' }, startMs: at(0, 15) },
  { name: 'claude', attributes: { ...CLAUDE_CACHED_CHAT, 'gen_ai.agent.id': 'support-bot' }, startMs: at(0, 10) },
  { name: 'reasoning', attributes: REASONING, startMs: at(1, 8) },
  { name: 'batch', attributes: BATCH, startMs: at(1, 9) },
  { name: 'images', attributes: IMAGES, startMs: at(1, 10) },
  { name: 'transcription', attributes: TRANSCRIPTION, startMs: at(1, 11) },
  { name: 'speech', attributes: SPEECH, startMs: at(2, 23, 59) },
  ...[0, 1, 2].map((i) => ({ name: `sub-nano ${i}`, attributes: SUB_NANO, startMs: at(1, 16, i) })),
  { name: 'unpriced', attributes: UNPRICED, startMs: at(2, 12) },
  { name: 'after the range', attributes: GPT_4O_CHAT, startMs: at(3, 0) },
];

describe.each(alertStores())('the FOCUS export (%s)', (_name, storeEnv) => {
  let c: RunningCollector;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenledger-focus-'));
    writeFileSync(join(dir, 'prices.yaml'), OPERATOR_FILE);
    c = await startCollector({ ...storeEnv(), TOKENLEDGER_PRICES_FILE: join(dir, 'prices.yaml') });
    const res = await fetch(`${c.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: await otlpProtobufBody(SPANS, { 'service.name': 'support-app' }),
    });
    expect(res.status).toBe(200);
    // Two records as an earlier version stored them, without their priced quantities: one the price
    // book prices the same today (itemised again), one it does not (kept whole as one call).
    const storage = c.app.get<StoragePort>(STORAGE);
    await storage.ingest([
      record({
        timeMs: at(1, 13),
        model: 'gpt-4o-mini',
        costNanos: 1_425_000n,
        unitPrices: { input_tokens: '0.00000015', output_tokens: '0.0000006' },
        service: 'legacy',
        user: 'carol',
      }),
      record({
        timeMs: at(1, 14),
        model: 'gpt-4o-mini',
        costNanos: 1_234_567n,
        unitPrices: { input_tokens: '0.0000001', output_tokens: '0.0000001' },
        service: 'legacy',
        user: 'carol',
      }),
    ]);
  });
  afterAll(async () => {
    await c?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const focus = async (query: string) => {
    const res = await fetch(`${c.url}/v1/reports/export?format=focus&${query}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    return validateFocus(await res.text());
  };
  const summary = async (query: string) =>
    (await (await fetch(`${c.url}/v1/reports/summary?tz=UTC&${query}`)).json()) as { totalCostNanos: string; unpricedCalls: number };

  it('meets every FOCUS 1.2 column rule on every row, and sums to the cost report to the nano', async () => {
    const { problems, rows } = await focus('from=2026-11-10&to=2026-11-13');
    expect(problems).toEqual([]);
    const report = await summary('from=2026-11-10&to=2026-11-13');
    expect(report.unpricedCalls).toBe(1);
    expect(rows.reduce((sum, r) => sum + nanosOf(r.BilledCost!), 0n).toString()).toBe(report.totalCostNanos);
    expect(rows.reduce((sum, r) => sum + nanosOf(r.EffectiveCost!), 0n).toString()).toBe(report.totalCostNanos);
    expect(new Set(rows.map((r) => r.ChargePeriodStart))).toEqual(new Set(['2026-11-10T00:00:00Z', '2026-11-11T00:00:00Z', '2026-11-12T00:00:00Z']));
    expect(rows.some((r) => r.x_Model === 'acme-unknown-model')).toBe(false);
  });

  it('writes one row per day, SKU, price and attribution: negotiated against list prices, per 1M tokens', async () => {
    const { rows } = await focus('from=2026-11-10&to=2026-11-11');
    const input = rows.find((r) => r.x_Model === 'gpt-4o-2024-08-06' && r.x_TokenType === 'input')!;
    // Two calls of 1,500 input tokens at the operator's $2 per 1M (list: $2.50).
    expect(input).toMatchObject({
      ChargePeriodStart: '2026-11-10T00:00:00Z',
      ChargePeriodEnd: '2026-11-11T00:00:00Z',
      BillingPeriodStart: '2026-11-01T00:00:00Z',
      BillingPeriodEnd: '2026-12-01T00:00:00Z',
      ConsumedQuantity: '3000',
      ConsumedUnit: 'Tokens',
      PricingQuantity: '0.003',
      PricingUnit: '1000000 Tokens',
      ContractedUnitPrice: '2',
      ContractedCost: '0.006000000',
      ListUnitPrice: '2.5',
      ListCost: '0.007500000',
      BilledCost: '0.006000000',
      EffectiveCost: '0.006000000',
      ProviderName: 'OpenAI',
      x_ServiceProviderName: 'OpenAI',
      ServiceCategory: 'AI and Machine Learning',
      ServiceSubcategory: 'Generative AI',
      ChargeCategory: 'Usage',
      SkuId: 'openai/gpt-4o-2024-08-06/input',
      SkuMeter: 'Input Tokens',
      SubAccountId: 'support-app',
      Tags: '{"team":"search"}',
      x_User: 'alice',
      x_Feature: 'search',
      x_Calls: '2',
    });
    // Claude at 85 %: each SKU's contracted price is the list price × 0.85, and the call's cost is shared among them exactly.
    const claude = rows.filter((r) => r.x_Model === 'claude-3-5-sonnet-20241022');
    expect(claude.map((r) => [r.x_TokenType, r.ListUnitPrice, r.ContractedUnitPrice, r.ConsumedQuantity, r.BilledCost]).sort()).toEqual(
      [
        ['cached_input', '0.3', '0.255', '1000', '0.000255000'],
        ['cache_write', '3.75', '3.1875', '200', '0.000637500'],
        ['input', '3', '2.55', '300', '0.000765000'],
        ['output', '15', '12.75', '2000', '0.025500000'],
      ].sort(),
    );
    expect(claude.reduce((s, r) => s + nanosOf(r.BilledCost!), 0n)).toBe(27_157_500n);
  });

  it('shows reasoning, batch, images, audio seconds and characters as SKUs of their own', async () => {
    const { rows } = await focus('from=2026-11-11&to=2026-11-13');
    const of = (model: string) => rows.filter((r) => r.x_Model === model).map((r) => [r.x_TokenType, r.ConsumedQuantity, r.ConsumedUnit, r.PricingUnit]);
    expect(of('o3-mini').sort()).toEqual([
      ['input', '1000', 'Tokens', '1000000 Tokens'],
      ['output', '500', 'Tokens', '1000000 Tokens'],
      ['reasoning', '1500', 'Tokens', '1000000 Tokens'],
    ]);
    const o3 = rows.filter((r) => r.x_Model === 'o3-mini');
    expect(o3.find((r) => r.x_TokenType === 'reasoning')!.ContractedUnitPrice).toBe(o3.find((r) => r.x_TokenType === 'output')!.ContractedUnitPrice);
    const batch = rows.find((r) => r.x_Model === 'gpt-4o-mini' && r.x_TokenType === 'input' && r.SubAccountId === 'support-app')!;
    expect(batch).toMatchObject({
      ListUnitPrice: '0.075',
      ContractedUnitPrice: '0.075',
      SkuPriceId: 'openai/gpt-4o-mini/input@0.075/batch',
      SkuPriceDetails: '{"x_TokenType":"input","x_Batch":true}',
    });
    expect(of('dall-e-3')).toEqual([['images', '2', 'Images', 'Images']]);
    expect(rows.find((r) => r.x_Model === 'dall-e-3')).toMatchObject({ ListUnitPrice: '0.04', BilledCost: '0.080000000', x_Feature: 'avatars' });
    expect(of('whisper-1')).toEqual([['audio_seconds', '12.5', 'Seconds', 'Seconds']]);
    expect(of('tts-1-hd')).toEqual([['characters', '1234', 'Characters', '1000000 Characters']]);
    expect(rows.find((r) => r.x_Model === 'tts-1-hd')).toMatchObject({
      ChargePeriodStart: '2026-11-12T00:00:00Z',
      ListUnitPrice: '30',
      PricingQuantity: '0.001234',
    });
  });

  it('itemises records stored without their quantities, or keeps one whole when today\u2019s prices would differ', async () => {
    const { rows } = await focus('from=2026-11-11&to=2026-11-12&service=legacy');
    expect(rows.map((r) => [r.x_TokenType, r.ConsumedQuantity, r.BilledCost]).sort()).toEqual([
      ['calls', '1', '0.001234567'],
      ['input', '1500', '0.000225000'],
      ['output', '2000', '0.001200000'],
    ]);
    expect((await summary('from=2026-11-11&to=2026-11-12&service=legacy')).totalCostNanos).toBe('2659567');
  });

  it("shares each call's cost, rounded once, among its SKUs: never rounded again per SKU", async () => {
    const { rows } = await focus('from=2026-11-11&to=2026-11-12&provider=acme');
    expect(rows.map((r) => [r.x_TokenType, r.ConsumedQuantity, r.BilledCost, r.ContractedCost])).toEqual([
      ['input', '3', '0.000000003', '0.000000002'],
      ['output', '3', '0.000000000', '0.000000002'],
    ]);
    expect((await summary('from=2026-11-11&to=2026-11-12&provider=acme')).totalCostNanos).toBe('3');
  });

  it('takes the report filters, and still sums to the report', async () => {
    const { problems, rows } = await focus('from=2026-11-10&to=2026-11-13&user=alice');
    expect(problems).toEqual([]);
    expect(new Set(rows.map((r) => r.x_User))).toEqual(new Set(['alice']));
    expect(rows.reduce((sum, r) => sum + nanosOf(r.BilledCost!), 0n).toString()).toBe(
      (await summary('from=2026-11-10&to=2026-11-13&user=alice')).totalCostNanos,
    );
  });
});
