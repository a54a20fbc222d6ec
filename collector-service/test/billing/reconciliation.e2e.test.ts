import { billingRoutes, MockBilling, type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { BillSyncService } from '../../src/billing/bill-sync.service';
import type { ProviderBillsController } from '../../src/billing/provider-bills.controller';
import type { ReconciliationController } from '../../src/billing/reconciliation.controller';
import type { ReadyDto } from '../../src/health/health.dto';
import { type AnswerOf, json } from '../support/json';
import { type AlertHarness, alertStores, api, startAlertHarness } from '../alerts/harness';
import { CLAUDE_CACHED_CHAT, GPT_4O_CHAT, otlpProtobufBody, type SpanSpec } from '../support/spans';

type Synced = AnswerOf<ProviderBillsController['syncNow']>;
type Bills = AnswerOf<ProviderBillsController['list']>;
type Reconciliation = AnswerOf<ReconciliationController['report']>;

const DAY = 86_400_000;
const NOVEMBER = Date.UTC(2026, 10, 1);
const date = (n: number) => new Date(NOVEMBER + (n - 1) * DAY).toISOString().slice(0, 10);
/** The drift day: OpenAI bills 3 % more than the calls tokenledger priced. */
const DRIFT_DAY = 14;
/** gpt-4o, 1,500 in / 2,000 out: $0.00375 + $0.02 (see support/spans). */
const GPT_4O_INPUT_NANOS = 3_750_000n;
const GPT_4O_OUTPUT_NANOS = 20_000_000n;
const openAiCalls = (n: number) => 1 + (n % 3);
const claudeCalls = (n: number) => (n % 2 === 0 ? 1 : 0);

/** Nanos as the decimal text a provider bills in: USD (9 places), or cents (7). */
function decimalText(nanos: bigint, places: number): string {
  const digits = nanos.toString().padStart(places + 1, '0');
  return `${digits.slice(0, -places)}.${digits.slice(-places)}`.replace(/\.?0+$/, '');
}
const usdText = (nanos: bigint) => decimalText(nanos, 9);
const centsText = (nanos: bigint) => decimalText(nanos, 7);

/** What the two providers bill for November: every day exactly what was called, but OpenAI 3 % more on the drift day. */
function writeNovemberBill(billing: MockBilling): void {
  for (let n = 1; n <= 30; n++) {
    const k = BigInt(openAiCalls(n));
    const output = k * GPT_4O_OUTPUT_NANOS + (n === DRIFT_DAY ? (k * (GPT_4O_INPUT_NANOS + GPT_4O_OUTPUT_NANOS) * 3n) / 100n : 0n);
    billing.openai
      .addCost(date(n), { lineItem: 'gpt-4o-2024-08-06, input', amountUsd: usdText(k * GPT_4O_INPUT_NANOS) })
      .addCost(date(n), { lineItem: 'gpt-4o-2024-08-06, output', amountUsd: usdText(output) });
    billing.openai.addUsage('completions', date(n), {
      model: 'gpt-4o-2024-08-06',
      inputTokens: 1500 * openAiCalls(n),
      outputTokens: 2000 * openAiCalls(n),
      requests: openAiCalls(n),
    });
    const c = claudeCalls(n);
    if (c === 0) continue;
    const line = (description: string, tokenType: string, nanos: bigint) => ({
      amountCents: centsText(nanos),
      model: 'claude-3-5-sonnet-20241022',
      description,
      costType: 'tokens' as const,
      tokenType,
    });
    billing.anthropic.addCost(date(n), line('Claude Sonnet 3.5 Usage - Input Tokens', 'uncached_input_tokens', 900_000n));
    billing.anthropic.addCost(date(n), line('Claude Sonnet 3.5 Usage - Cache Read', 'cache_read_input_tokens', 300_000n));
    billing.anthropic.addCost(date(n), line('Claude Sonnet 3.5 Usage - Cache Write', 'cache_creation.ephemeral_5m_input_tokens', 750_000n));
    billing.anthropic.addCost(date(n), line('Claude Sonnet 3.5 Usage - Output Tokens', 'output_tokens', 30_000_000n));
    billing.anthropic.addUsage(date(n), {
      model: 'claude-3-5-sonnet-20241022',
      uncachedInputTokens: 300,
      cacheReadInputTokens: 1000,
      cacheCreation5mInputTokens: 200,
      outputTokens: 2000,
    });
  }
}

/** November's calls, as spans an app would export: OpenAI every day, Claude every other day. */
function novemberSpans(): SpanSpec[] {
  const spans: SpanSpec[] = [];
  for (let n = 1; n <= 30; n++) {
    for (let i = 0; i < openAiCalls(n); i++)
      spans.push({ name: 'chat gpt-4o', attributes: GPT_4O_CHAT, startMs: NOVEMBER + (n - 1) * DAY + 10 * 3_600_000 + i * 60_000 });
    for (let i = 0; i < claudeCalls(n); i++)
      spans.push({ name: 'chat claude', attributes: CLAUDE_CACHED_CHAT, startMs: NOVEMBER + (n - 1) * DAY + 23 * 3_600_000 + 59 * 60_000 });
  }
  return spans;
}

describe.each(alertStores())("reconciliation with the providers' bills (%s)", (_name, storeEnv) => {
  let mock: MockLlmServer;
  let billing: MockBilling;
  let h: AlertHarness;
  beforeAll(async () => {
    billing = new MockBilling();
    mock = await startMockLlmServer({ handlers: billingRoutes(billing) });
    h = await startAlertHarness({
      ...storeEnv(),
      TOKENLEDGER_OPENAI_ADMIN_KEY: billing.adminKeys.openai,
      TOKENLEDGER_OPENAI_ADMIN_BASE_URL: `${mock.url}/v1`,
      TOKENLEDGER_ANTHROPIC_ADMIN_KEY: billing.adminKeys.anthropic,
      TOKENLEDGER_ANTHROPIC_ADMIN_BASE_URL: mock.url,
      TOKENLEDGER_BILL_SYNC_HOURS: '0',
      TOKENLEDGER_BILL_RETRY_BASE_MS: '1',
    });
    const traces = await fetch(`${h.c.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: 'Bearer admin-key-for-tests-0123456789abcdef', 'content-type': 'application/x-protobuf' },
      body: await otlpProtobufBody(novemberSpans()),
    });
    expect(traces.status).toBe(200);
    writeNovemberBill(billing);
  });
  afterAll(async () => {
    await h?.close();
    await mock?.close();
  });

  it('imports a month of both bills, one document per provider and UTC day', async () => {
    const sync = await api<Synced>(h.c, 'POST', '/v1/provider-bills/sync?from=2026-11-01&to=2026-12-01');
    expect(sync.status).toBe(200);
    expect(sync.body.results).toEqual([
      { provider: 'openai', ok: true, days: 30, from: '2026-11-01', to: '2026-12-01', error: null },
      { provider: 'anthropic', ok: true, days: 30, from: '2026-11-01', to: '2026-12-01', error: null },
    ]);
    const bills = await api<Bills>(h.c, 'GET', '/v1/provider-bills?from=2026-11-14&to=2026-11-15&provider=anthropic');
    expect(bills.body.days).toEqual([expect.objectContaining({ date: '2026-11-14', provider: 'anthropic', costNanos: '31950000', costUsd: '0.031950000' })]);
  });

  it('shows the day the provider billed 3 % more, and names the difference to the nano', async () => {
    const report = await api<Reconciliation>(h.c, 'GET', '/v1/reports/reconciliation?from=2026-11-01&to=2026-12-01&provider=openai');
    expect(report.status).toBe(200);
    const days = report.body.days;
    expect(days).toHaveLength(30);
    const drift = days.find((d) => d.date === date(DRIFT_DAY))!;
    // 3 calls × $0.02375 = $0.07125 tracked; billed 3 % more: $0.0733875.
    expect(drift).toMatchObject({
      provider: 'openai',
      billImported: true,
      trackedCalls: 3,
      trackedCostNanos: '71250000',
      billedCostNanos: '73387500',
      differenceNanos: '2137500',
      differenceUsd: '0.002137500',
      differencePercent: 3,
    });
    expect(drift.models).toEqual([
      expect.objectContaining({
        model: 'gpt-4o-2024-08-06',
        tracked: true,
        billed: true,
        trackedInputTokens: 4500,
        billedInputTokens: 4500,
        trackedOutputTokens: 6000,
        billedOutputTokens: 6000,
        trackedCostNanos: '71250000',
        billedCostNanos: '73387500',
      }),
    ]);
    for (const d of days.filter((d) => d.date !== date(DRIFT_DAY))) expect(d).toMatchObject({ differenceNanos: '0', differencePercent: 0 });
    const total = days.reduce((s, d) => s + BigInt(d.trackedCostNanos), 0n);
    expect(report.body.totals).toEqual([
      expect.objectContaining({ provider: 'openai', billedDays: 30, trackedCostNanos: total.toString(), differenceNanos: '2137500' }),
    ]);
    expect(report.body.untracked).toEqual({ days: [], models: [] });
  });

  it('matches Anthropic to the nano, cache tokens included in input as tracked', async () => {
    const report = await api<Reconciliation>(h.c, 'GET', '/v1/reports/reconciliation?from=2026-11-01&to=2026-12-01&provider=anthropic');
    const days = report.body.days;
    expect(days).toHaveLength(30);
    expect(days.filter((d) => d.trackedCalls > 0)).toHaveLength(15);
    for (const d of days) {
      expect(d.differenceNanos).toBe('0');
      if (d.trackedCalls > 0)
        expect(d.models).toEqual([
          expect.objectContaining({
            model: 'claude-3-5-sonnet-20241022',
            trackedInputTokens: 1500,
            billedInputTokens: 1500,
            trackedOutputTokens: 2000,
            billedOutputTokens: 2000,
          }),
        ]);
    }
  });

  it('fires reconciliation_drift once for that day and provider, with the exact difference', async () => {
    await h.only('reconciliation_drift', { percent: 2 });
    const december2 = Date.UTC(2026, 11, 2, 10);
    const first = await h.evaluate(december2);
    expect(first.fired).toBe(1);
    await h.evaluate(december2 + 3_600_000);
    await api<Synced>(h.c, 'POST', '/v1/provider-bills/sync?from=2026-11-01&to=2026-12-01');
    await h.evaluate(december2 + 7_200_000);
    const alerts = await h.alerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      rule: 'reconciliation_drift',
      subject: 'provider:openai',
      state: 'firing',
      periodStart: '2026-11-14T00:00:00.000Z',
      periodEnd: '2026-11-15T00:00:00.000Z',
      valueNanos: '2137500',
      valueUsd: '0.002137500',
    });
    expect(alerts[0].message).toBe(
      'openai billed $0.073387500 on 2026-11-14 (UTC), $0.002137500 more than tokenledger tracked ($0.071250000), 3 %: more than the 2 % allowed',
    );
    expect(h.received()).toEqual([expect.objectContaining({ rule: 'reconciliation_drift', valueUsd: '0.002137500' })]);
  });

  it('counts the pulls on /metrics and shows them in /readyz', async () => {
    const ready = await json<ReadyDto>(await fetch(`${h.c.url}/readyz`));
    expect(ready.providerBills).toEqual({
      openai: { tenants: 1, failing: 0, lastSuccessAt: expect.any(String) },
      anthropic: { tenants: 1, failing: 0, lastSuccessAt: expect.any(String) },
    });
    expect(h.c.app.get(BillSyncService).stateOf('default', 'openai')).toMatchObject({ failures: 0, lastError: null });
    const scrape = async () => (await fetch(`${h.c.url}/metrics`, { headers: { authorization: 'Bearer admin-key-for-tests-0123456789abcdef' } })).text();
    // Every series is served at 0 first (see ZeroFirstSeries): the pulls show from the second scrape.
    await scrape();
    const metrics = await scrape();
    const pulls = metrics.split('\n').filter((l) => l.startsWith('tokenledger_provider_bill_syncs_total{') && l.includes('provider="openai"'));
    expect(pulls.find((l) => l.includes('outcome="success"'))).toMatch(/ 2$/);
    expect(pulls.find((l) => l.includes('outcome="failure"'))).toMatch(/ 0$/);
  });
});
