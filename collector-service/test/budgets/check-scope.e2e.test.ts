import { type RunningCollector, startCollector } from '../support/app';

const ADMIN_KEY = 'admin-key-for-check-scope-0123456789';
type Json = Record<string, any>;

async function call(c: RunningCollector, method: string, path: string, body: unknown, key: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${c.url}${path}`, {
    method,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
  });
  return { status: res.status, body: (await res.json()) as Json };
}

describe('POST /v1/budgets/check with an ingest key of every tenant', () => {
  let c: RunningCollector;
  let collectorKey: string;
  let acmeIngest: string;
  beforeAll(async () => {
    c = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY });
    collectorKey = (await call(c, 'POST', '/v1/keys', { role: 'ingest' }, ADMIN_KEY)).body.key;
    acmeIngest = (await call(c, 'POST', '/v1/keys', { role: 'ingest', tenant: 'acme' }, ADMIN_KEY)).body.key;
    const budget = { name: 'acme launch', scope: { user: 'ceo' }, period: 'month', limitUsd: '250000.00', action: 'block' };
    expect((await call(c, 'POST', '/v1/budgets?tenant=acme', budget, ADMIN_KEY)).status).toBe(201);
  });
  afterAll(() => c.close());

  it("answers the decision for another tenant's call, but not its budgets' spend and limits", async () => {
    const { status, body } = await call(c, 'POST', '/v1/budgets/check', { tenant: 'acme', user: 'ceo' }, collectorKey);
    expect(status).toBe(200);
    expect(body).toMatchObject({ allowed: true, decision: 'allow', resetsAt: expect.any(String) });
    expect(body.budgets).toEqual([{ id: expect.any(String), name: 'acme launch', action: 'block', state: 'ok', resetsAt: expect.any(String) }]);
    expect(JSON.stringify(body)).not.toMatch(/250000|spent|limit/i);
  });

  it("gives a tenant's own ingest key its budgets' figures, as the budget guard shows them", async () => {
    const { body } = await call(c, 'POST', '/v1/budgets/check', { user: 'ceo' }, acmeIngest);
    expect(body.budgets[0]).toMatchObject({ name: 'acme launch', spentUsd: '0.000000000', limitUsd: '250000.000000000' });
  });
});
