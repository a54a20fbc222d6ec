import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoragePort } from '../../src/storage/storage.port';
import { STORAGE } from '../../src/storage/storage.tokens';
import { alertStores } from '../alerts/harness';
import { nanosOf, validateFocus } from '../reports/focus-rules';
import { type RunningCollector, startCollector } from '../support/app';
import { runProcess } from '../support/run-process';
import { CLAUDE_CACHED_CHAT, GPT_4O_CHAT, otlpProtobufBody, type SpanSpec } from '../support/spans';

const NOV = (day: number, hour = 12) => Date.UTC(2026, 10, day, hour);

/** The operator's negotiated gpt-4o price as first entered, and the model of a provider the book does not know. */
const pricesFile = (gpt4o: { input: string; output: string }, acme: string | null) => `models:
  - provider: openai
    match: { regex: '^gpt-4o(-\\d{4}-\\d{2}-\\d{2})?$' }
    effective_from: 2026-01-01
    prices: { input_mtok: "${gpt4o.input}", output_mtok: "${gpt4o.output}" }
${
  acme === null
    ? ''
    : `  - provider: acme
    model: acme-large
    effective_from: 2026-01-01
    prices: { input_mtok: "${acme}", output_mtok: "${acme}" }
`
}`;
/** Entered wrong: $2 / $8 per 1M tokens. */
const WRONG = pricesFile({ input: '2.00', output: '8.00' }, null);
/** Corrected: $2.20 / $9 per 1M, and acme-large at $1 per 1M. */
const CORRECTED = pricesFile({ input: '2.20', output: '9.00' }, '1.00');

const ACME = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'acme',
  'gen_ai.request.model': 'acme-large',
  'gen_ai.usage.input_tokens': 1000,
  'gen_ai.usage.output_tokens': 500,
};
const SPANS: SpanSpec[] = [
  { name: 'October', attributes: GPT_4O_CHAT, startMs: Date.UTC(2026, 9, 31, 23, 59) },
  ...[NOV(3), NOV(14, 9), NOV(14, 17), NOV(30, 23)].map((startMs, i) => ({ name: `gpt-4o ${i}`, attributes: GPT_4O_CHAT, startMs })),
  ...[NOV(5), NOV(20)].map((startMs, i) => ({ name: `claude ${i}`, attributes: CLAUDE_CACHED_CHAT, startMs })),
  { name: 'acme', attributes: ACME, startMs: NOV(21) },
];
// 1,500 input + 2,000 output tokens: $0.019 at the wrong prices, $0.0213 at the corrected ones.
const GPT4O_WRONG = 19_000_000n;
const GPT4O_RIGHT = 21_300_000n;
const ACME_RIGHT = 1_500_000n;

describe.each(alertStores())('re-pricing a month after a price is corrected in the operator file (%s)', (_name, storeEnv) => {
  let dir: string;
  let env: Record<string, string>;
  let c: RunningCollector;
  const start = async (prices: string) => {
    writeFileSync(join(dir, 'prices.yaml'), prices);
    c = await startCollector(env);
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenledger-reprice-'));
    env = { ...storeEnv(), TOKENLEDGER_SQLITE_PATH: join(dir, 'store.sqlite'), TOKENLEDGER_PRICES_FILE: join(dir, 'prices.yaml') };
    await start(WRONG);
    const res = await fetch(`${c.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: await otlpProtobufBody(SPANS, { 'service.name': 'shop' }),
    });
    expect(res.status).toBe(200);
    await c.close();
    await start(CORRECTED);
  });
  afterAll(async () => {
    await c?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string) => (await fetch(`${c.url}${path}`)).json() as Promise<Record<string, unknown>>;
  const post = async (path: string) => {
    const res = await fetch(`${c.url}${path}`, { method: 'POST' });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { models: Record<string, unknown>[]; total: Record<string, unknown> } };
  };
  const summary = (query: string) => get(`/v1/reports/summary?tz=UTC&${query}`) as Promise<{ totalCostNanos: string; calls: number; unpricedCalls: number }>;
  const MONTH = 'from=2026-11-01&to=2026-12-01';

  it('runs a dry run from the command line on the store the service uses, per model, filtered by provider', async () => {
    const run = runProcess('npx', ['tokenledger', 'reprice', '--from', '2026-11-01', '--to', '2026-12-01', '--provider', 'openai', '--dry-run'], {
      env: { ...process.env, ...env },
    });
    expect(await run.exited()).toBe(0);
    expect(run.output()).toContain('openai\tgpt-4o-2024-08-06\t4\t0\t0.076000000\t0.085200000\t0.009200000');
    expect(run.output()).toContain('dry run: nothing changed; 4 of 4 calls would be re-priced');
  });

  it('says per model what the month would cost at the corrected prices, changing nothing; applying it changes exactly that, once', async () => {
    const before = await summary(MONTH);
    expect(before).toMatchObject({ totalCostNanos: (4n * GPT4O_WRONG + 2n * 31_950_000n).toString(), unpricedCalls: 1 });
    const dry = await post(`/v1/reprice?${MONTH}&dryRun=true`);
    expect(dry.status).toBe(200);
    expect(dry.body.models).toEqual([
      expect.objectContaining({
        provider: 'acme',
        model: 'acme-large',
        calls: 1,
        newlyPriced: 1,
        oldCostNanos: '0',
        newCostNanos: ACME_RIGHT.toString(),
        differenceNanos: ACME_RIGHT.toString(),
      }),
      expect.objectContaining({
        provider: 'openai',
        model: 'gpt-4o-2024-08-06',
        calls: 4,
        newlyPriced: 0,
        oldCostNanos: (4n * GPT4O_WRONG).toString(),
        newCostNanos: (4n * GPT4O_RIGHT).toString(),
        differenceNanos: '9200000',
        differenceUsd: '0.009200000',
      }),
    ]);
    expect(dry.body.total).toMatchObject({ calls: 5, differenceNanos: (4n * (GPT4O_RIGHT - GPT4O_WRONG) + ACME_RIGHT).toString() });
    expect(await summary(MONTH)).toEqual(before);

    const applied = await post(`/v1/reprice?${MONTH}`);
    expect({ ...applied.body, dryRun: true }).toEqual(dry.body);
    const after = await summary(MONTH);
    expect(after).toMatchObject({
      totalCostNanos: (BigInt(before.totalCostNanos) + BigInt(dry.body.total.differenceNanos as string)).toString(),
      calls: before.calls,
      unpricedCalls: 0,
    });
    expect((await summary(`${MONTH}&model=gpt-4o-2024-08-06`)).totalCostNanos).toBe((4n * GPT4O_RIGHT).toString());
    expect((await summary(`${MONTH}&provider=anthropic`)).totalCostNanos).toBe((2n * 31_950_000n).toString());
    // October keeps the price it was called at: the range is whole UTC days.
    expect((await summary('from=2026-10-31&to=2026-11-01')).totalCostNanos).toBe(GPT4O_WRONG.toString());

    const again = await post(`/v1/reprice?${MONTH}`);
    expect(again.body).toMatchObject({ models: [], total: { calls: 0, differenceNanos: '0' } });
    expect(await summary(MONTH)).toEqual(after);
  });

  it('keeps each record’s previous cost and price version beside the corrected ones', async () => {
    const storage = c.app.get<StoragePort>(STORAGE);
    const records = [];
    for await (const r of storage.streamRecords({ tenant: 'default', fromMs: NOV(1, 0), toMs: Date.UTC(2026, 11, 1), filters: { model: 'gpt-4o-2024-08-06' } }))
      records.push(r);
    expect(records).toHaveLength(4);
    for (const r of records) {
      expect(r.costNanos).toBe(GPT4O_RIGHT);
      expect(r.priceSource).toMatch(/^operator:/);
      expect(r.priorPricings).toEqual([
        expect.objectContaining({ costNanos: GPT4O_WRONG.toString(), unitPrices: { input_tokens: '0.000002', output_tokens: '0.000008' } }),
      ]);
      expect(r.priorPricings[0].priceBookVersion).not.toBe(r.priceBookVersion);
    }
  });

  it('exports FOCUS rows at the corrected prices that still sum to the report', async () => {
    const res = await fetch(`${c.url}/v1/reports/export?format=focus&${MONTH}`);
    const { problems, rows } = validateFocus(await res.text());
    expect(problems).toEqual([]);
    expect(rows.reduce((s, r) => s + nanosOf(r.BilledCost!), 0n).toString()).toBe((await summary(MONTH)).totalCostNanos);
  });

  it('answers a bad range with what to send', async () => {
    const res = await post('/v1/reprice?from=2026-11-01');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ parameter: 'to', message: expect.stringContaining('YYYY-MM-DD') });
  });
});
