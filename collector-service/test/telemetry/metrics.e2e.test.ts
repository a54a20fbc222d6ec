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

async function scrape(collector: RunningCollector): Promise<Sample[]> {
  const res = await fetch(`${collector.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return parsePrometheusText(await res.text());
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
    const body = await otlpProtobufBody([{ name: 'chat gpt-4o', attributes: GPT_4O }, { name: 'chat claude', attributes: CLAUDE_CACHED_CHAT, error: true }, HTTP_SPAN]);
    for (let attempt = 0; attempt < 3; attempt++) expect((await post(collector, body)).status).toBe(200);

    const samples = await scrape(collector);
    expect(sumOf(samples, 'tokenledger_cost_usd_total')).toBeCloseTo(ALICE_USD + BOB_USD, 12);
    expect(sumOf(samples, 'tokenledger_cost_usd_total', { provider: 'openai', model: 'gpt-4o-2024-08-06', type: 'llm', service: 'checkout', agent: 'support-bot', feature: 'checkout' })).toBeCloseTo(ALICE_USD, 12);
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

  it('counts a failed store write as a store error and stores no cost for it', async () => {
    // The configured admin key is checked without the store, so the request reaches the failing write.
    await collector.close();
    collector = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY });
    await collector.app.get<StoragePort>(STORAGE).close();
    const body = await otlpProtobufBody([{ name: 'chat gpt-4o', attributes: GPT_4O }]);
    expect((await post(collector, body, ADMIN_KEY)).status).toBe(503);
    const samples = await scrape(collector);
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

  it('is served without an API key while the rest of the API asks for one', async () => {
    await collector.close();
    collector = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY });
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
    expect(() => loadTelemetryConfig({ TOKENLEDGER_METRICS_USER_ALLOWLIST: 'alice,,bob' })).toThrow(/^TOKENLEDGER_METRICS_USER_ALLOWLIST must be user ids separated by commas/);
  });
});
