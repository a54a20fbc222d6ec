import { type OwnStore, type RunningCollector, startCollector, storeEnvironments } from '../support/app';
import { jsonSpan, jsonTraces } from '../support/otlp-json';
import { GPT_4O_CHAT } from '../support/spans';

/**
 * Every kind of poison span, each sent beside a valid span, on each store: the valid span is stored,
 * the poison is rejected in partialSuccess by name, the totals stay exact, and the service starts
 * again on what it stored. (Malformed bodies, answered 400 before any store is touched, are in
 * malformed-otlp.e2e.test.ts.)
 */

const GPT_4O_NANOS = 23_750_000n;
type AnyValue = Record<string, unknown>;

/** A gpt-4o chat whose attribute `key` carries `value` as written (any AnyValue, NaN and all). */
function chatWith(key: string, value: AnyValue, base: Record<string, string | number> = GPT_4O_CHAT): Record<string, unknown> {
  const span = jsonSpan({ attributes: base }) as { attributes: { key: string; value: unknown }[] };
  span.attributes = span.attributes.filter((a) => a.key !== key).concat({ key, value });
  return span;
}

const PAYMENT = { 'gen_ai.operation.name': 'payment', 'tokenledger.payment.gateway': 'stripe', 'tokenledger.payment.amount': '12.50' };
const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
const withTags = (count: number) => {
  const span = jsonSpan({ attributes: GPT_4O_CHAT }) as { attributes: unknown[] };
  for (let i = 0; i < count; i++) span.attributes.push({ key: `tokenledger.tag.k${i}`, value: { stringValue: 'v' } });
  return span;
};

/** [poison, the span, what the rejection must name]. */
const POISONS: [string, Record<string, unknown>, RegExp][] = [
  [
    '3,000,000,000,000,000 input tokens',
    chatWith('gen_ai.usage.input_tokens', { intValue: '3000000000000000' }),
    /gen_ai\.usage\.input_tokens .*at most 1,000,000,000/,
  ],
  [
    '2^53-1 input tokens',
    chatWith('gen_ai.usage.input_tokens', { intValue: String(Number.MAX_SAFE_INTEGER) }),
    /gen_ai\.usage\.input_tokens .*at most 1,000,000,000/,
  ],
  ['a 401-digit token count', chatWith('gen_ai.usage.output_tokens', { intValue: '9'.repeat(401) }), /gen_ai\.usage\.output_tokens/],
  ['NaN input tokens', chatWith('gen_ai.usage.input_tokens', { doubleValue: 'NaN' }), /gen_ai\.usage\.input_tokens must be a non-negative integer, got NaN/],
  [
    'Infinity input tokens',
    chatWith('gen_ai.usage.input_tokens', { doubleValue: 'Infinity' }),
    /gen_ai\.usage\.input_tokens must be a non-negative integer, got Infinity/,
  ],
  [
    '-Infinity output tokens',
    chatWith('gen_ai.usage.output_tokens', { doubleValue: '-Infinity' }),
    /gen_ai\.usage\.output_tokens must be a non-negative integer, got -Infinity/,
  ],
  ['negative input tokens', chatWith('gen_ai.usage.input_tokens', { intValue: '-5' }), /gen_ai\.usage\.input_tokens must be a non-negative integer, got -5/],
  [
    'a fraction of a token',
    chatWith('gen_ai.usage.output_tokens', { doubleValue: 1.5 }),
    /gen_ai\.usage\.output_tokens must be a non-negative integer, got 1\.5/,
  ],
  [
    'a payment of thirty nines',
    chatWith('tokenledger.payment.amount', { stringValue: '9'.repeat(30) }, PAYMENT),
    /tokenledger\.payment\.amount .*at most \$10,000,000/,
  ],
  ['a start time of 31 digits', jsonSpan({ attributes: GPT_4O_CHAT, startTimeUnixNano: '9'.repeat(31), endTimeUnixNano: '9'.repeat(31) }), /startTimeUnixNano/],
  [
    'an end time of 401 digits',
    jsonSpan({ attributes: GPT_4O_CHAT, startTimeUnixNano: ns(Date.now()), endTimeUnixNano: '9'.repeat(401) }),
    /endTimeUnixNano .*within 7 days after startTimeUnixNano/,
  ],
  [
    'a call in 1970',
    jsonSpan({ attributes: GPT_4O_CHAT, startTimeUnixNano: ns(0), endTimeUnixNano: ns(250) }),
    /startTimeUnixNano .*1970-01-01.* must be from 2000-01-01/,
  ],
  [
    'a call in 3000',
    jsonSpan({ attributes: GPT_4O_CHAT, startTimeUnixNano: ns(Date.UTC(3000, 0, 1)), endTimeUnixNano: ns(Date.UTC(3000, 0, 1) + 250) }),
    /startTimeUnixNano .*3000-01-01/,
  ],
  [
    'a model name of a million characters',
    chatWith('gen_ai.request.model', { stringValue: 'm'.repeat(1_000_000) }),
    /gen_ai\.request\.model is 1000000 characters long; at most 256/,
  ],
  ['a user id of a million characters', chatWith('user.id', { stringValue: 'u'.repeat(1_000_000) }), /user\.id is 1000000 characters long/],
  ['10,000 tags', withTags(10_000), /10000 tags; at most 50/],
];

async function send(c: RunningCollector, spans: Record<string, unknown>[]) {
  const res = await fetch(`${c.url}/v1/traces`, { method: 'POST', body: jsonTraces(spans), headers: { 'content-type': 'application/json' } });
  return { status: res.status, body: (await res.json()) as { partialSuccess?: { rejectedSpans: number | string; errorMessage: string } } };
}

async function totals(c: RunningCollector): Promise<{ calls: number; totalCostNanos: string }> {
  const res = await fetch(`${c.url}/v1/reports/summary?period=all`);
  expect(res.status).toBe(200);
  const { calls, totalCostNanos } = (await res.json()) as { calls: number; totalCostNanos: string };
  return { calls, totalCostNanos };
}

describe.each(storeEnvironments('tokenledger_poison'))('poison spans (%s)', (_store, storeEnv) => {
  jest.setTimeout(120_000);
  let store: OwnStore;
  let c: RunningCollector;
  /** The valid spans stored so far. */
  let stored = 0n;
  beforeAll(async () => {
    store = storeEnv.own();
    c = await startCollector(store.env);
  });
  afterAll(async () => {
    await c?.close();
    await store?.drop();
  });

  it.each(POISONS)('rejects %s by name and stores the valid span sent with it', async (_name, poison, reason) => {
    const res = await send(c, [jsonSpan({ attributes: GPT_4O_CHAT }), poison]);
    expect(res.status).toBe(200);
    expect(Number(res.body.partialSuccess?.rejectedSpans)).toBe(1);
    expect(res.body.partialSuccess?.errorMessage).toMatch(reason);
    stored++;
    expect(await totals(c)).toEqual({ calls: Number(stored), totalCostNanos: (stored * GPT_4O_NANOS).toString() });
  });

  it('stores a span of 10,000 attributes it does not read, once', async () => {
    const span = jsonSpan({ attributes: GPT_4O_CHAT }) as { attributes: unknown[] };
    for (let i = 0; i < 10_000; i++) span.attributes.push({ key: `app.attribute.${i}`, value: { stringValue: 'x'.repeat(20) } });
    expect((await send(c, [span])).body).toEqual({});
    stored++;
    expect(await totals(c)).toEqual({ calls: Number(stored), totalCostNanos: (stored * GPT_4O_NANOS).toString() });
  });

  it('counts a span id sent again in later batches once', async () => {
    const twice = jsonSpan({ attributes: GPT_4O_CHAT });
    expect((await send(c, [twice, jsonSpan({ attributes: GPT_4O_CHAT })])).status).toBe(200);
    expect((await send(c, [twice])).status).toBe(200);
    expect((await send(c, [jsonSpan({ attributes: GPT_4O_CHAT }), twice])).status).toBe(200);
    stored += 3n;
    expect(await totals(c)).toEqual({ calls: Number(stored), totalCostNanos: (stored * GPT_4O_NANOS).toString() });
  });

  it('starts again on what it stored, with the same totals, and takes more', async () => {
    await c.close();
    c = await startCollector(store.env);
    expect(await totals(c)).toEqual({ calls: Number(stored), totalCostNanos: (stored * GPT_4O_NANOS).toString() });
    expect((await send(c, [jsonSpan({ attributes: GPT_4O_CHAT })])).body).toEqual({});
    expect((await totals(c)).calls).toBe(Number(stored) + 1);
  });
});
