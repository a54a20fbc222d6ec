import type { StoragePort } from '../../src/storage/storage.port';
import { STORAGE } from '../../src/storage/storage.tokens';
import { loadTelemetryConfig } from '../../src/telemetry/telemetry-config';
import { type RunningCollector, startCollector } from '../support/app';
import { CLAUDE_CACHED_CHAT, GPT_4O_CHAT, HTTP_SPAN, otlpProtobufBody } from '../support/spans';
import { parsePrometheusText, type Sample, sumOf } from './prometheus-text';

const GPT_4O = { ...GPT_4O_CHAT, 'gen_ai.agent.id': 'support-bot', 'tokenledger.feature': 'checkout' };
const UNKNOWN_MODEL = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'model-nobody-prices',
  'gen_ai.usage.input_tokens': 10,
  'gen_ai.usage.output_tokens': 20,
};
const INVALID = { ...GPT_4O, 'gen_ai.usage.input_tokens': -5 };
// $0.02375 and $0.03195, as packages/pricing's hand-computed table says.
const ADMIN_KEY = 'an-admin-key-long-enough-for-the-check';
const ALICE_USD = 0.02375;
const BOB_USD = 0.03195;

function post(collector: RunningCollector, body: Uint8Array, key?: string) {
  const auth: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  return fetch(`${collector.url}/v1/traces`, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': 'application/x-protobuf', ...auth } });
}

async function scrapeOnce(collector: RunningCollector, key?: string): Promise<Sample[]> {
  const res = await fetch(`${collector.url}/metrics`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return parsePrometheusText(await res.text());
}

/**
 * What Prometheus sees once the series exist: a new series is exposed at 0 in the first scrape after
 * its first event and counts from the next one, so this scrapes twice and returns the second.
 */
async function scrape(collector: RunningCollector, key?: string): Promise<Sample[]> {
  await scrapeOnce(collector, key);
  return scrapeOnce(collector, key);
}

describe('GET /metrics, the collector service’s own metrics', () => {
  let collector: RunningCollector;
  beforeEach(async () => {
    process.env.TOKENLEDGER_METRICS_USER_ALLOWLIST = 'alice';
    collector = await startCollector();
  });
  afterEach(async () => {
    delete process.env.TOKENLEDGER_METRICS_USER_ALLOWLIST;
    await collector.close();
  });

  it('counts the cost, tokens and calls of stored records once, however often a batch is retried', async () => {
    const body = await otlpProtobufBody([
      { name: 'chat gpt-4o', attributes: GPT_4O },
      { name: 'chat claude', attributes: CLAUDE_CACHED_CHAT, error: true },
      HTTP_SPAN,
    ]);
    for (let attempt = 0; attempt < 3; attempt++) expect((await post(collector, body)).status).toBe(200);

    const samples = await scrape(collector);
    expect(sumOf(samples, 'tokenledger_cost_usd_total')).toBeCloseTo(ALICE_USD + BOB_USD, 12);
    expect(
      sumOf(samples, 'tokenledger_cost_usd_total', {
        provider: 'openai',
        model: 'gpt-4o-2024-08-06',
        type: 'llm',
        service: 'checkout',
        agent: 'support-bot',
        feature: 'checkout',
      }),
    ).toBeCloseTo(ALICE_USD, 12);
    expect(sumOf(samples, 'tokenledger_calls_total', { status: 'ok' })).toBe(1);
    expect(sumOf(samples, 'tokenledger_calls_total', { status: 'error', provider: 'anthropic' })).toBe(1);
    expect(sumOf(samples, 'tokenledger_tokens_total', { kind: 'input' })).toBe(3000);
    expect(sumOf(samples, 'tokenledger_tokens_total', { kind: 'output' })).toBe(4000);
    expect(sumOf(samples, 'tokenledger_tokens_total', { kind: 'cache_read', model: 'claude-3-5-sonnet-20241022' })).toBe(1000);
    expect(sumOf(samples, 'tokenledger_tokens_total', { kind: 'cache_write' })).toBe(200);
  });

  it('labels cost with the user only for users on TOKENLEDGER_METRICS_USER_ALLOWLIST', async () => {
    const body = await otlpProtobufBody([
      { name: 'chat gpt-4o', attributes: GPT_4O },
      { name: 'chat claude', attributes: CLAUDE_CACHED_CHAT },
    ]);
    expect((await post(collector, body)).status).toBe(200);
    const cost = (await scrape(collector)).filter((s) => s.name === 'tokenledger_cost_usd_total');
    expect(cost.find((s) => s.labels.provider === 'openai')?.labels.user).toBe('alice');
    expect(cost.find((s) => s.labels.provider === 'anthropic')?.labels).not.toHaveProperty('user');
    expect(cost.some((s) => s.labels.user === 'bob')).toBe(false);
  });

  it('counts unpriced calls by model and never adds them to cost', async () => {
    const body = await otlpProtobufBody([{ name: 'chat unknown', attributes: UNKNOWN_MODEL }]);
    expect((await post(collector, body)).status).toBe(200);
    const samples = await scrape(collector);
    expect(sumOf(samples, 'tokenledger_unpriced_calls_total', { model: 'model-nobody-prices', provider: 'openai' })).toBe(1);
    expect(sumOf(samples, 'tokenledger_cost_usd_total')).toBe(0);
    expect(sumOf(samples, 'tokenledger_calls_total')).toBe(1);
  });

  it('reports ingest health: spans by outcome and the latency of every batch', async () => {
    const body = await otlpProtobufBody([{ name: 'chat gpt-4o', attributes: GPT_4O }, { name: 'chat invalid', attributes: INVALID }, HTTP_SPAN]);
    expect((await post(collector, body)).status).toBe(200);
    expect((await post(collector, body)).status).toBe(200); // the sender's retry
    const samples = await scrape(collector);
    expect(sumOf(samples, 'tokenledger_ingest_spans_total', { outcome: 'accepted' })).toBe(1);
    expect(sumOf(samples, 'tokenledger_ingest_spans_total', { outcome: 'duplicate' })).toBe(1);
    expect(sumOf(samples, 'tokenledger_ingest_spans_total', { outcome: 'rejected' })).toBe(2);
    expect(sumOf(samples, 'tokenledger_ingest_spans_total', { outcome: 'ignored' })).toBe(2);
    expect(sumOf(samples, 'tokenledger_ingest_batch_duration_count')).toBe(2);
    expect(sumOf(samples, 'tokenledger_ingest_batch_duration_bucket', { le: '+Inf' })).toBe(2);
    expect(sumOf(samples, 'tokenledger_store_errors_total')).toBe(0);
  });

  it('counts the attribute values it ignored on stored spans by attribute, from 0 before the first', async () => {
    const before = await scrapeOnce(collector);
    expect(sumOf(before, 'tokenledger_ingest_ignored_values_total', { attribute: 'tokenledger.cost.provided_usd' })).toBe(0);
    const unreadable = (usd: string) => ({ ...GPT_4O, 'tokenledger.cost.provided_usd': usd });
    const body = await otlpProtobufBody([
      { name: 'chat nan', attributes: unreadable('NaN') },
      { name: 'chat negative', attributes: unreadable('-1') },
      { name: 'chat readable', attributes: unreadable('0.02') },
    ]);
    expect((await post(collector, body)).status).toBe(200);
    const samples = await scrape(collector);
    expect(sumOf(samples, 'tokenledger_ingest_ignored_values_total', { attribute: 'tokenledger.cost.provided_usd' })).toBe(2);
    expect(sumOf(samples, 'tokenledger_ingest_spans_total', { outcome: 'accepted' })).toBe(3);
    expect(sumOf(samples, 'tokenledger_ingest_spans_total', { outcome: 'rejected' })).toBe(0);
  });

  it('counts a failed store write as a store error and stores no cost for it', async () => {
    // The configured admin key is checked without the store, so the request reaches the failing write.
    await collector.close();
    collector = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY });
    await collector.app.get<StoragePort>(STORAGE).close();
    const body = await otlpProtobufBody([{ name: 'chat gpt-4o', attributes: GPT_4O }]);
    expect((await post(collector, body, ADMIN_KEY)).status).toBe(503);
    const samples = await scrape(collector, ADMIN_KEY);
    expect(sumOf(samples, 'tokenledger_store_errors_total')).toBe(1);
    expect(sumOf(samples, 'tokenledger_cost_usd_total')).toBe(0);
    expect(sumOf(samples, 'tokenledger_ingest_batch_duration_count')).toBe(1);
  });

  it('shows each budget’s spend ratio and limit as gauges, read from its exact status', async () => {
    const created = await fetch(`${collector.url}/v1/budgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'openai-monthly', period: 'month', limitUsd: '0.10', scope: { provider: 'openai' } }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const body = await otlpProtobufBody([
      { name: 'chat gpt-4o', attributes: GPT_4O },
      { name: 'chat claude', attributes: CLAUDE_CACHED_CHAT },
    ]);
    expect((await post(collector, body)).status).toBe(200);
    const samples = await scrape(collector);
    const labels = { budget: 'openai-monthly', budget_id: id, tenant: 'default' };
    expect(sumOf(samples, 'tokenledger_budget_spend_ratio', labels)).toBeCloseTo(ALICE_USD / 0.1, 6);
    expect(sumOf(samples, 'tokenledger_budget_limit_usd', labels)).toBe(0.1);
  });

  it('exposes every counter of fixed labels at 0 from the first scrape, before anything happened', async () => {
    const samples = await scrapeOnce(collector);
    const at = (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    for (const outcome of ['accepted', 'duplicate', 'rejected', 'ignored']) expect(at('tokenledger_ingest_spans_total', { outcome })).toBe(0);
    for (const reason of ['unauthenticated', 'forbidden', 'too_large', 'undecodable', 'store_unavailable']) {
      expect(at('tokenledger_ingest_rejected_requests_total', { reason })).toBe(0);
    }
    expect(at('tokenledger_store_errors_total')).toBe(0);
  });

  it('shows a new series at 0 in the scrape after its first event and its amount from the next, so increase() sees the first event', async () => {
    expect(sumOf(await scrapeOnce(collector), 'tokenledger_unpriced_calls_total')).toBe(0);
    const body = await otlpProtobufBody([
      { name: 'chat unknown', attributes: UNKNOWN_MODEL },
      { name: 'chat gpt-4o', attributes: GPT_4O },
    ]);
    expect((await post(collector, body)).status).toBe(200);
    const unpriced = { model: 'model-nobody-prices', provider: 'openai' };
    const series = (samples: Sample[], name: string, labels: Record<string, string>) =>
      samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).map((s) => s.value);

    const first = await scrapeOnce(collector);
    expect(series(first, 'tokenledger_unpriced_calls_total', unpriced)).toEqual([0]);
    expect(series(first, 'tokenledger_cost_usd_total', { model: 'gpt-4o-2024-08-06' })).toEqual([0]);
    expect(series(first, 'tokenledger_calls_total', { model: 'gpt-4o-2024-08-06' })).toEqual([0]);
    const second = await scrapeOnce(collector);
    expect(series(second, 'tokenledger_unpriced_calls_total', unpriced)).toEqual([1]);
    expect(series(second, 'tokenledger_cost_usd_total', { model: 'gpt-4o-2024-08-06' })[0]).toBeCloseTo(ALICE_USD, 12);
    expect(series(second, 'tokenledger_calls_total', { model: 'gpt-4o-2024-08-06' })).toEqual([1]);

    // A series already scraped counts at once.
    expect((await post(collector, await otlpProtobufBody([{ name: 'chat unknown', attributes: UNKNOWN_MODEL }]))).status).toBe(200);
    expect(series(await scrapeOnce(collector), 'tokenledger_unpriced_calls_total', unpriced)).toEqual([2]);
  });

  it('counts refused ingest requests by reason', async () => {
    await collector.close();
    collector = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY, TOKENLEDGER_MAX_BODY_BYTES: '2048' });
    const viewer = (await (
      await fetch(`${collector.url}/v1/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'viewer' }),
      })
    ).json()) as { key: string };
    const body = await otlpProtobufBody([{ name: 'chat gpt-4o', attributes: GPT_4O }]);
    expect((await post(collector, body)).status).toBe(401);
    expect((await post(collector, body, 'not-a-key-at-all')).status).toBe(401);
    expect((await post(collector, body, viewer.key)).status).toBe(403);
    expect((await post(collector, new Uint8Array(4096), ADMIN_KEY)).status).toBe(413);
    expect((await post(collector, new Uint8Array([0xff, 0xff, 0xff]), ADMIN_KEY)).status).toBe(400);
    await collector.app.get<StoragePort>(STORAGE).close();
    expect((await post(collector, body, ADMIN_KEY)).status).toBe(503);

    const samples = await scrape(collector, ADMIN_KEY);
    const rejected = (reason: string) => sumOf(samples, 'tokenledger_ingest_rejected_requests_total', { reason });
    expect([rejected('unauthenticated'), rejected('forbidden'), rejected('too_large'), rejected('undecodable'), rejected('store_unavailable')]).toEqual([
      2, 1, 1, 1, 1,
    ]);
    expect(sumOf(samples, 'tokenledger_ingest_spans_total')).toBe(0);
  });

  it('is served without an API key while the rest of the API asks for one, with TOKENLEDGER_METRICS_PUBLIC=true', async () => {
    await collector.close();
    collector = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY, TOKENLEDGER_METRICS_PUBLIC: 'true' });
    expect((await fetch(`${collector.url}/v1/reports/summary?period=all`)).status).toBe(401);
    const res = await fetch(`${collector.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^# HELP target_info/m);
    expect(text).toMatch(/^target_info\{[^}]*service_name="tokenledger-collector"/m);
  });
});

describe('TOKENLEDGER_METRICS_USER_ALLOWLIST', () => {
  it('reads user ids separated by commas, trimming spaces', () => {
    expect([...loadTelemetryConfig({ TOKENLEDGER_METRICS_USER_ALLOWLIST: 'alice, bob' }).userAllowlist]).toEqual(['alice', 'bob']);
    expect(loadTelemetryConfig({}).userAllowlist.size).toBe(0);
  });

  it('refuses an empty entry with a message naming the variable', () => {
    expect(() => loadTelemetryConfig({ TOKENLEDGER_METRICS_USER_ALLOWLIST: 'alice,,bob' })).toThrow(
      /^TOKENLEDGER_METRICS_USER_ALLOWLIST must be user ids separated by commas/,
    );
  });
});
