import { billingRoutes, MockBilling, type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { BillSyncService } from '../../src/billing/bill-sync.service';
import type { ProviderBillsController } from '../../src/billing/provider-bills.controller';
import type { ReadyDto } from '../../src/health/health.dto';
import { type AnswerOf, json } from '../support/json';
import { ADMIN_KEY, api } from '../alerts/harness';
import { type RunningCollector, startCollector } from '../support/app';

type Synced = AnswerOf<ProviderBillsController['syncNow']>;
type Bills = AnswerOf<ProviderBillsController['list']>;
type Keys = AnswerOf<ProviderBillsController['listKeys']>;

describe("importing the providers' bills", () => {
  let mock: MockLlmServer;
  let billing: MockBilling;
  let c: RunningCollector;
  beforeAll(async () => {
    billing = new MockBilling();
    mock = await startMockLlmServer({ handlers: billingRoutes(billing) });
    c = await startCollector({
      TOKENLEDGER_ADMIN_KEY: ADMIN_KEY,
      TOKENLEDGER_OPENAI_ADMIN_KEY: billing.adminKeys.openai,
      TOKENLEDGER_OPENAI_ADMIN_BASE_URL: `${mock.url}/v1`,
      TOKENLEDGER_BILL_SYNC_HOURS: '0',
      TOKENLEDGER_BILL_RETRY_BASE_MS: '1',
    });
  });
  afterAll(async () => {
    await c?.close();
    await mock?.close();
  });
  beforeEach(() => {
    billing.openai.clear();
    billing.anthropic.clear();
  });

  const openAiDay = async (tenant = 'default') =>
    (await api<Bills>(c, 'GET', `/v1/provider-bills?from=2026-11-02&to=2026-11-03&provider=openai&tenant=${tenant}`)).body.days;

  it('keeps every digit of an amount a double would round', async () => {
    // 12345678.123456789 USD is 12,345,678,123,456,789 nanos: past 2^53, so a double reads it as ...788.
    billing.openai
      .addCost('2026-11-02', { lineItem: 'gpt-4o-2024-08-06, output', amountUsd: '12345678.123456789' })
      .addCost('2026-11-02', { lineItem: 'web search tool calls', amountUsd: '0.0000000005' });
    const sync = await api<Synced>(c, 'POST', '/v1/provider-bills/sync?from=2026-11-02&to=2026-11-03&provider=openai');
    expect(sync.body.results).toEqual([expect.objectContaining({ ok: true, days: 1 })]);
    expect(await openAiDay()).toEqual([
      expect.objectContaining({
        costNanos: '12345678123456790',
        lines: [
          { item: 'gpt-4o-2024-08-06, output', model: 'gpt-4o-2024-08-06', costNanos: '12345678123456789', costUsd: '12345678.123456789' },
          { item: 'web search tool calls', model: null, costNanos: '1', costUsd: '0.000000001' },
        ],
      }),
    ]);
  });

  it('replaces a day pulled again with what the provider bills now, never adding to it', async () => {
    billing.openai.addCost('2026-11-02', { lineItem: 'gpt-4o-2024-08-06, input', amountUsd: '1.5' });
    await api<Synced>(c, 'POST', '/v1/provider-bills/sync?from=2026-11-02&to=2026-11-03&provider=openai');
    billing.openai.clear();
    billing.openai.addCost('2026-11-02', { lineItem: 'gpt-4o-2024-08-06, input', amountUsd: '1.25' });
    await api<Synced>(c, 'POST', '/v1/provider-bills/sync?from=2026-11-02&to=2026-11-03&provider=openai');
    await api<Synced>(c, 'POST', '/v1/provider-bills/sync?from=2026-11-02&to=2026-11-03&provider=openai');
    expect(await openAiDay()).toEqual([expect.objectContaining({ costNanos: '1250000000', lines: [expect.objectContaining({ costNanos: '1250000000' })] })]);
  });

  it('retries a request the provider fails with backoff, and the pull succeeds', async () => {
    billing.openai.addCost('2026-11-02', { lineItem: 'x, input', amountUsd: '2' });
    billing.failNext('openai', 429, 2);
    const sync = await api<Synced>(c, 'POST', '/v1/provider-bills/sync?from=2026-11-02&to=2026-11-03&provider=openai');
    expect(sync.body.results).toEqual([expect.objectContaining({ ok: true, days: 1 })]);
  });

  it('shows a pull that keeps failing in /readyz, on /metrics and in the keys listing, and recovers', async () => {
    const failuresBefore = await failures();
    billing.failNext('openai', 500, 3);
    const sync = await api<Synced>(c, 'POST', '/v1/provider-bills/sync?from=2026-11-02&to=2026-11-03&provider=openai');
    expect(sync.body.results).toEqual([expect.objectContaining({ ok: false, days: 0, error: expect.stringContaining('OpenAI costs API answered 500') })]);
    const ready = await fetch(`${c.url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await json<ReadyDto>(ready)).providerBills!.openai).toMatchObject({ tenants: 1, failing: 1 });
    const keys = await api<Keys>(c, 'GET', '/v1/provider-bills/keys');
    expect(keys.body.keys).toEqual([
      {
        tenant: 'default',
        provider: 'openai',
        source: 'environment',
        baseUrl: `${mock.url}/v1`,
        sync: expect.objectContaining({ failures: 1, lastError: expect.stringContaining('500') }),
      },
    ]);
    expect(JSON.stringify(keys.body)).not.toContain(billing.adminKeys.openai);
    expect(await failures()).toBe(failuresBefore + 1);
    await api<Synced>(c, 'POST', '/v1/provider-bills/sync?from=2026-11-02&to=2026-11-03&provider=openai');
    expect((await json<ReadyDto>(await fetch(`${c.url}/readyz`))).providerBills!.openai).toMatchObject({ failing: 0 });
  });

  it('retries a failed scheduled pull after a minute, then after two', async () => {
    const sync = c.app.get(BillSyncService);
    // Past any next pull the earlier tests' pulls scheduled (a day after each).
    const now = Date.now() + 2 * 86_400_000;
    const requests = () => mock.requests.length;
    billing.failNext('openai', 401, 1);
    await sync.tick(now);
    expect(sync.stateOf('default', 'openai')).toMatchObject({
      failures: 1,
      lastError: expect.stringMatching(/answered 401/),
      nextAttemptAt: new Date(now + 60_000).toISOString(),
    });
    billing.failNext('openai', 401, 1);
    await sync.tick(now + 60_000);
    expect(sync.stateOf('default', 'openai')).toMatchObject({ failures: 2, nextAttemptAt: new Date(now + 3 * 60_000).toISOString() });
    const before = requests();
    await sync.tick(now + 2 * 60_000); // not due yet
    expect(requests()).toBe(before);
    await sync.tick(now + 3 * 60_000);
    expect(sync.stateOf('default', 'openai')).toMatchObject({
      failures: 0,
      lastError: null,
      nextAttemptAt: new Date(now + 3 * 60_000 + 24 * 3_600_000).toISOString(),
    });
  });

  it("pulls another tenant's bill with the key that tenant set, never showing it", async () => {
    const other = new MockBilling({ openai: 'sk-admin-acme-0123456789', anthropic: 'sk-ant-admin-acme-0123456789' });
    const acmeMock = await startMockLlmServer({ handlers: billingRoutes(other) });
    try {
      other.anthropic.addCost('2026-11-02', {
        amountCents: '123.45',
        model: 'claude-sonnet-4-20250514',
        description: 'Claude Sonnet 4 Usage - Output Tokens',
        costType: 'tokens',
        tokenType: 'output_tokens',
      });
      const put = await api(c, 'PUT', '/v1/provider-bills/keys/anthropic?tenant=acme', { key: other.adminKeys.anthropic, baseUrl: acmeMock.url });
      expect(put).toEqual({ status: 200, body: { tenant: 'acme', provider: 'anthropic', source: 'api', baseUrl: acmeMock.url } });
      const sync = await api<Synced>(c, 'POST', '/v1/provider-bills/sync?from=2026-11-02&to=2026-11-03&tenant=acme');
      expect(sync.body.results).toEqual([
        expect.objectContaining({ provider: 'openai', ok: false, error: expect.stringContaining('no openai admin key for tenant "acme"') }),
        expect.objectContaining({ provider: 'anthropic', ok: true, days: 1 }),
      ]);
      const days = (await api<Bills>(c, 'GET', '/v1/provider-bills?from=2026-11-02&to=2026-11-03&tenant=acme')).body.days;
      expect(days).toEqual([expect.objectContaining({ provider: 'anthropic', costNanos: '1234500000', costUsd: '1.234500000' })]);
      expect(await openAiDay('acme')).toEqual([]);
      const keys = await api<Keys>(c, 'GET', '/v1/provider-bills/keys?tenant=acme');
      expect(JSON.stringify(keys.body)).not.toContain(other.adminKeys.anthropic);
      expect((await api(c, 'DELETE', '/v1/provider-bills/keys/anthropic?tenant=acme')).status).toBe(204);
      expect((await api(c, 'DELETE', '/v1/provider-bills/keys/anthropic?tenant=acme')).status).toBe(404);
    } finally {
      await acmeMock.close();
    }
  });

  it('refuses a provider it does not import, a key that is not one, and a range over 400 days', async () => {
    expect((await api<Synced>(c, 'POST', '/v1/provider-bills/sync?provider=gcp.gemini')).body).toMatchObject({ parameter: 'provider' });
    expect((await api(c, 'PUT', '/v1/provider-bills/keys/openai', { key: 'short' })).body).toMatchObject({ field: 'key' });
    expect((await api(c, 'PUT', '/v1/provider-bills/keys/openai', { key: 'sk-admin-0123456789', region: 'eu' })).body).toMatchObject({ field: 'region' });
    expect((await api(c, 'GET', '/v1/reports/reconciliation?from=2025-01-01&to=2026-11-01')).body).toMatchObject({ parameter: 'from' });
  });

  async function failures(): Promise<number> {
    const scrape = async () => (await fetch(`${c.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).text();
    await scrape();
    const line = (await scrape())
      .split('\n')
      .find((l) => l.startsWith('tokenledger_provider_bill_syncs_total{') && l.includes('provider="openai"') && l.includes('outcome="failure"'));
    return Number(line!.split(' ').at(-1));
  }
});
