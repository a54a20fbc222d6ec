import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningCollector, startCollector } from '../support/app';
import { jsonSpan, jsonTraces } from '../support/otlp-json';
import { startService } from '../support/service-process';
import { GPT_4O_CHAT } from '../support/spans';

const GPT_4O_NANOS = 23_750_000n;

async function send(c: RunningCollector, spans: Record<string, unknown>[]) {
  const res = await fetch(`${c.url}/v1/traces`, { method: 'POST', body: jsonTraces(spans), headers: { 'content-type': 'application/json' } });
  return { status: res.status, body: (await res.json()) as { partialSuccess?: { rejectedSpans: number | string; errorMessage: string } } };
}

async function summary(c: RunningCollector) {
  const res = await fetch(`${c.url}/v1/reports/summary?period=all`);
  expect(res.status).toBe(200);
  return (await res.json()) as { totalCostNanos: string; calls: number };
}

describe('what one call can bill', () => {
  let c: RunningCollector;
  beforeEach(async () => {
    c = await startCollector();
  });
  afterEach(() => c.close());

  it.each([
    ['gen_ai.usage.input_tokens', 3_000_000_000_000_000],
    ['gen_ai.usage.input_tokens', Number.MAX_SAFE_INTEGER],
    ['gen_ai.usage.output_tokens', 1_000_000_001],
    ['gen_ai.usage.cache_read.input_tokens', 2_000_000_000],
  ])('rejects %s = %d by name and stores the batch’s valid span', async (attribute, value) => {
    const poison = jsonSpan({ attributes: { ...GPT_4O_CHAT, [attribute]: value } });
    const res = await send(c, [jsonSpan({ attributes: GPT_4O_CHAT }), poison]);
    expect(res.status).toBe(200);
    expect(Number(res.body.partialSuccess?.rejectedSpans)).toBe(1);
    expect(res.body.partialSuccess?.errorMessage).toContain(attribute);
    expect(res.body.partialSuccess?.errorMessage).toMatch(/at most 1,000,000,000/);
    expect(await summary(c)).toMatchObject({ calls: 1, totalCostNanos: GPT_4O_NANOS.toString() });
  });

  it('rejects a payment amount of thirty nines, naming the attribute', async () => {
    const payment = { 'gen_ai.operation.name': 'payment', 'tokenledger.payment.gateway': 'stripe', 'tokenledger.payment.amount': '9'.repeat(30) };
    const res = await send(c, [jsonSpan({ attributes: GPT_4O_CHAT }), jsonSpan({ attributes: payment })]);
    expect(res.body.partialSuccess?.errorMessage).toMatch(/tokenledger\.payment\.amount .*at most \$10,000,000/);
    expect(await summary(c)).toMatchObject({ calls: 1, totalCostNanos: GPT_4O_NANOS.toString() });
  });

  it.each([
    ['tokenledger.image.count', 1_000_000],
    ['tokenledger.audio.seconds', 1e12],
    ['tokenledger.speech.characters', 1e15],
    ['tokenledger.cost.provided_usd', '1' + '0'.repeat(20)],
  ])('rejects %s beyond its bound', async (attribute, value) => {
    const res = await send(c, [jsonSpan({ attributes: { ...GPT_4O_CHAT, [attribute]: value } })]);
    expect(res.body.partialSuccess?.errorMessage).toContain(attribute);
    expect((await summary(c)).calls).toBe(0);
  });
});

describe('a cost the emitter provides', () => {
  let c: RunningCollector;
  beforeEach(async () => {
    c = await startCollector();
  });
  afterEach(() => c.close());

  it.each([['NaN'], ['-0.01'], [-0.5], ['twelve cents']])(
    'stores the call priced by the collector when tokenledger.cost.provided_usd is %p, and says in partialSuccess that the value was ignored',
    async (value) => {
      const res = await send(c, [jsonSpan({ attributes: { ...GPT_4O_CHAT, 'tokenledger.cost.provided_usd': value } })]);
      expect(res.status).toBe(200);
      expect(Number(res.body.partialSuccess?.rejectedSpans)).toBe(0);
      expect(res.body.partialSuccess?.errorMessage).toMatch(/tokenledger\.cost\.provided_usd .*not a non-negative decimal amount in USD; ignored/);
      expect(res.body.partialSuccess?.errorMessage).toContain(String(value));
      expect(await summary(c)).toMatchObject({ calls: 1, totalCostNanos: GPT_4O_NANOS.toString() });
      const records = (await (await fetch(`${c.url}/v1/reports/usage?period=all`)).json()) as {
        records: { providedCostNanos: string | null; costNanos: string }[];
      };
      expect(records.records).toEqual([expect.objectContaining({ providedCostNanos: null, costNanos: GPT_4O_NANOS.toString() })]);
    },
  );

  it('keeps a readable provided cost beside the collector’s own and answers with no partialSuccess', async () => {
    const res = await send(c, [jsonSpan({ attributes: { ...GPT_4O_CHAT, 'tokenledger.cost.provided_usd': '0.0237' } })]);
    expect(res.body).toEqual({});
    expect(await summary(c)).toMatchObject({ calls: 1, totalCostNanos: GPT_4O_NANOS.toString() });
  });
});

describe('the cost OpenLIT provides (gen_ai.usage.cost, a double)', () => {
  let c: RunningCollector;
  beforeEach(async () => {
    c = await startCollector();
  });
  afterEach(() => c.close());

  /** An OpenLIT span whose gen_ai.usage.cost is the raw OTLP/JSON value given (NaN and Infinity as OTLP/JSON writes them). */
  function openLitTraces(cost: Record<string, unknown>): string {
    const span = jsonSpan({ attributes: GPT_4O_CHAT });
    (span.attributes as unknown[]).push({ key: 'gen_ai.usage.cost', value: cost });
    return jsonTraces([span], { 'service.name': 'checkout' }, 'openlit.otel.tracing');
  }

  it.each([
    ['NaN', { doubleValue: 'NaN' }],
    ['negative', { doubleValue: -0.5 }],
    ['text', { stringValue: 'twelve cents' }],
    ['infinite', { doubleValue: 'Infinity' }],
  ])('stores the call priced by the collector when the cost is %s, warns in partialSuccess and counts the ignored value', async (_kind, cost) => {
    const res = await fetch(`${c.url}/v1/traces`, { method: 'POST', body: openLitTraces(cost), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess?: { rejectedSpans: number | string; errorMessage: string } };
    expect(Number(body.partialSuccess?.rejectedSpans)).toBe(0);
    expect(body.partialSuccess?.errorMessage).toMatch(/gen_ai\.usage\.cost .*not a non-negative decimal amount in USD; ignored/);
    expect(await summary(c)).toMatchObject({ calls: 1, totalCostNanos: GPT_4O_NANOS.toString() });
    const records = (await (await fetch(`${c.url}/v1/reports/usage?period=all`)).json()) as { records: { providedCostNanos: string | null }[] };
    expect(records.records).toEqual([expect.objectContaining({ providedCostNanos: null })]);
    // A new series shows 0 in the first scrape after its first event and counts from the next.
    await fetch(`${c.url}/metrics`);
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    expect(metrics).toMatch(/^tokenledger_ingest_ignored_values_total\{[^}]*attribute="gen_ai\.usage\.cost"[^}]*\} 1$/m);
  });

  it('keeps a readable cost to the nano beside the collector’s own', async () => {
    const res = await fetch(`${c.url}/v1/traces`, {
      method: 'POST',
      body: openLitTraces({ doubleValue: 0.0237000004 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(await res.json()).toEqual({});
    const records = (await (await fetch(`${c.url}/v1/reports/usage?period=all`)).json()) as { records: { providedCostNanos: string | null }[] };
    expect(records.records).toEqual([expect.objectContaining({ providedCostNanos: '23700000' })]);
  });

  it('rejects a cost beyond what one call can bill, naming the attribute', async () => {
    const res = await fetch(`${c.url}/v1/traces`, {
      method: 'POST',
      body: openLitTraces({ doubleValue: 1e21 }),
      headers: { 'content-type': 'application/json' },
    });
    const body = (await res.json()) as { partialSuccess?: { errorMessage: string } };
    expect(body.partialSuccess?.errorMessage).toMatch(/gen_ai\.usage\.cost .*at most \$1,000,000/);
    expect((await summary(c)).calls).toBe(0);
  });
});

describe('span times', () => {
  let c: RunningCollector;
  beforeEach(async () => {
    c = await startCollector();
  });
  afterEach(() => c.close());

  const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);

  it.each([
    ['1970', ns(0), ns(250)],
    ['3000', ns(Date.UTC(3000, 0, 1)), ns(Date.UTC(3000, 0, 1) + 250)],
  ])('rejects a call said to start in the year %s with a reason, keeping the rest of the batch', async (year, start, end) => {
    const res = await send(c, [jsonSpan({ attributes: GPT_4O_CHAT }), jsonSpan({ attributes: GPT_4O_CHAT, startTimeUnixNano: start, endTimeUnixNano: end })]);
    expect(res.status).toBe(200);
    expect(res.body.partialSuccess?.errorMessage).toMatch(
      new RegExp(`startTimeUnixNano .*${year}-01-01.* must be from 2000-01-01 to one day past the collector's clock`),
    );
    expect(await summary(c)).toMatchObject({ calls: 1, totalCostNanos: GPT_4O_NANOS.toString() });
  });

  it('stores the valid spans of a batch whose other spans carry start times of 31 digits and end times of 401', async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const res = await send(c, [
      jsonSpan({ attributes: GPT_4O_CHAT }),
      jsonSpan({ attributes: GPT_4O_CHAT, startTimeUnixNano: '9'.repeat(31), endTimeUnixNano: '9'.repeat(31) }),
      jsonSpan({ attributes: GPT_4O_CHAT, startTimeUnixNano: String(now), endTimeUnixNano: '9'.repeat(401) }),
    ]);
    expect(res.status).toBe(200);
    expect(Number(res.body.partialSuccess?.rejectedSpans)).toBe(2);
    expect(res.body.partialSuccess?.errorMessage).toMatch(/endTimeUnixNano .*within 7 days after startTimeUnixNano/);
    expect(await summary(c)).toMatchObject({ calls: 1, totalCostNanos: GPT_4O_NANOS.toString() });
  });
});

describe("a tenant's day", () => {
  jest.setTimeout(120_000);

  it('rejects the calls it cannot hold by name, keeps every other total exact, and the service starts again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenledger-day-capacity-'));
    // $999,999 a call: 9,223 calls fill what one day of one tenant can hold ($9,223,372,036.85).
    const prices = join(dir, 'prices.yaml');
    writeFileSync(prices, 'models:\n  - provider: openai\n    model: vault-9\n    effective_from: 2020-01-01\n    prices: { input_mtok: "999999000000" }\n');
    const env = { TOKENLEDGER_SQLITE_PATH: join(dir, 'db.sqlite'), TOKENLEDGER_PRICES_FILE: prices };
    let service = await startService(env);
    try {
      const call = {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'vault-9',
        'gen_ai.usage.input_tokens': 1,
        'gen_ai.usage.output_tokens': 0,
      };
      let rejected = 0;
      for (let batch = 0; batch < 10; batch++) {
        const spans = Array.from({ length: 1000 }, () => jsonSpan({ attributes: call }));
        const res = await fetch(`${service.url}/v1/traces`, { method: 'POST', body: jsonTraces(spans), headers: { 'content-type': 'application/json' } });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { partialSuccess?: { rejectedSpans: string | number; errorMessage: string } };
        if (body.partialSuccess) {
          expect(body.partialSuccess.errorMessage).toMatch(/tenant "default" on \d{4}-\d{2}-\d{2} \(UTC\) would exceed what the store can hold/);
          rejected += Number(body.partialSuccess.rejectedSpans);
        }
      }
      // The day still takes what fits: a $0.02375 call.
      const small = await fetch(`${service.url}/v1/traces`, {
        method: 'POST',
        body: jsonTraces([jsonSpan({ attributes: GPT_4O_CHAT })]),
        headers: { 'content-type': 'application/json' },
      });
      expect(await small.json()).toEqual({});
      const expected = { calls: 9_224, totalCostNanos: (9_223n * 999_999_000_000_000n + GPT_4O_NANOS).toString() };
      const read = async () => (await (await fetch(`${service.url}/v1/reports/summary?period=all`)).json()) as { calls: number; totalCostNanos: string };
      expect(rejected).toBe(10_000 - 9_223);
      expect(await read()).toMatchObject(expected);
      await service.stop();
      service = await startService(env);
      expect(await read()).toMatchObject(expected);
    } finally {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
