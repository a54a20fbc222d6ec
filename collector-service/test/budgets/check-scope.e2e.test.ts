import type { CreatedKeyDto } from '../../src/auth/key-answers.dto';
import type { BudgetCheckDto } from '../../src/budgets/budget-answers.dto';
import { callAs } from '../support/api';
import { type RunningCollector, startCollector } from '../support/app';

const ADMIN_KEY = 'admin-key-for-check-scope-0123456789';

describe('POST /v1/budgets/check with an ingest key of every tenant', () => {
  let c: RunningCollector;
  let collectorKey: string;
  let acmeIngest: string;
  beforeAll(async () => {
    c = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY });
    collectorKey = (await callAs<CreatedKeyDto>(c, ADMIN_KEY, 'POST', '/v1/keys', { role: 'ingest' })).body.key;
    acmeIngest = (await callAs<CreatedKeyDto>(c, ADMIN_KEY, 'POST', '/v1/keys', { role: 'ingest', tenant: 'acme' })).body.key;
    const budget = { name: 'acme launch', scope: { user: 'ceo' }, period: 'month', limitUsd: '250000.00', action: 'block' };
    expect((await callAs(c, ADMIN_KEY, 'POST', '/v1/budgets?tenant=acme', budget)).status).toBe(201);
  });
  afterAll(() => c.close());

  it("answers the decision for another tenant's call, but not its budgets' spend and limits", async () => {
    const { status, body } = await callAs<BudgetCheckDto>(c, collectorKey, 'POST', '/v1/budgets/check', { tenant: 'acme', user: 'ceo' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ allowed: true, decision: 'allow', resetsAt: expect.any(String) });
    expect(body.budgets).toEqual([{ id: expect.any(String), name: 'acme launch', action: 'block', state: 'ok', resetsAt: expect.any(String) }]);
    expect(JSON.stringify(body)).not.toMatch(/250000|spent|limit/i);
  });

  it("gives a tenant's own ingest key its budgets' figures, as the budget guard shows them", async () => {
    const { body } = await callAs<BudgetCheckDto>(c, acmeIngest, 'POST', '/v1/budgets/check', { user: 'ceo' });
    expect(body.budgets[0]).toMatchObject({ name: 'acme launch', spentUsd: '0.000000000', limitUsd: '250000.000000000' });
  });
});
