import { type RunningCollector, startCollector } from '../support/app';

const ADMIN_KEY = 'an-admin-key-long-enough-for-the-metrics';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function createKey(c: RunningCollector, role: string, tenant?: string): Promise<string> {
  const res = await fetch(`${c.url}/v1/keys`, {
    method: 'POST',
    body: JSON.stringify({ role, tenant }),
    headers: { 'content-type': 'application/json', ...bearer(ADMIN_KEY) },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { key: string }).key;
}

async function createBudget(c: RunningCollector, tenant: string, name: string): Promise<void> {
  const res = await fetch(`${c.url}/v1/budgets?tenant=${tenant}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(ADMIN_KEY) },
    body: JSON.stringify({ name, period: 'month', limitUsd: '10' }),
  });
  expect(res.status).toBe(201);
}

const scrape = (c: RunningCollector, headers: Record<string, string> = {}) => fetch(`${c.url}/metrics`, { headers });

describe('who may read /metrics', () => {
  let c: RunningCollector;
  afterEach(async () => {
    delete process.env.TOKENLEDGER_METRICS_TENANTS;
    await c.close();
  });

  it('asks for a key with the metrics role, or the admin key, once keys exist', async () => {
    c = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY });
    expect((await scrape(c)).status).toBe(401);
    expect((await scrape(c, bearer(await createKey(c, 'viewer')))).status).toBe(403);
    expect((await scrape(c, bearer(await createKey(c, 'ingest')))).status).toBe(403);
    const metrics = await createKey(c, 'metrics');
    const res = await scrape(c, bearer(metrics));
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^target_info\{/m);
    expect((await scrape(c, bearer(ADMIN_KEY))).status).toBe(200);
    // A metrics key reads metrics and nothing else.
    expect((await fetch(`${c.url}/v1/reports/summary`, { headers: bearer(metrics) })).status).toBe(403);
    expect((await fetch(`${c.url}/v1/budgets/check`, { method: 'POST', headers: bearer(metrics) })).status).toBe(403);
  });

  it("refuses a key of one tenant, metrics or admin: the metrics count every tenant's calls", async () => {
    c = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY });
    for (const role of ['metrics', 'admin']) {
      const res = await scrape(c, bearer(await createKey(c, role, 'acme')));
      expect(res.status).toBe(403);
      expect(((await res.json()) as { message: string }).message).toMatch(/every tenant.*key created without a tenant/);
    }
  });

  it('is public again with TOKENLEDGER_METRICS_PUBLIC=true', async () => {
    c = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY, TOKENLEDGER_METRICS_PUBLIC: 'true' });
    expect((await scrape(c)).status).toBe(200);
    expect((await fetch(`${c.url}/v1/reports/summary`)).status).toBe(401);
  });

  it.each([
    [undefined, ['company-monthly'], ['acme-launch']],
    ['acme', ['acme-launch'], ['company-monthly']],
    ['*', ['company-monthly', 'acme-launch'], []],
  ])('with TOKENLEDGER_METRICS_TENANTS=%s labels only those tenants’ budgets', async (tenants, shown, hidden) => {
    if (tenants !== undefined) process.env.TOKENLEDGER_METRICS_TENANTS = tenants;
    c = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY });
    await createBudget(c, 'default', 'company-monthly');
    await createBudget(c, 'acme', 'acme-launch');
    const text = await (await scrape(c, bearer(ADMIN_KEY))).text();
    for (const name of shown) expect(text).toMatch(new RegExp(`tokenledger_budget_limit_usd\\{[^}]*budget="${name}"`));
    for (const name of hidden) expect(text).not.toContain(name);
  });
});
