import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BudgetClock } from '../../src/budgets/budget-clock';
import type { StoragePort } from '../../src/storage/storage.port';
import type { CreatedKeyDto } from '../../src/auth/key-answers.dto';
import type { BudgetCheckDto, BudgetDto, BudgetListDto, BudgetStatusDto } from '../../src/budgets/budget-answers.dto';
import type { ErrorBodyDto } from '../../src/http/error-body.dto';
import { callAs } from '../support/api';
import { ingestRecords, type RunningCollector, startCollector } from '../support/app';
import { record } from '../support/records';
import { makeSpans, requestBytes } from '../support/spans';

const ADMIN_KEY = 'admin-key-for-budget-tests-0123456789';
// gpt-4o, 1,500 in + 2,000 out: $0.02375 (packages/pricing's hand-computed table)
const CHAT = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.usage.input_tokens': 1500,
  'gen_ai.usage.output_tokens': 2000,
};
const CHAT_NANOS = 23_750_000n;

type Body = Record<string, unknown>;

const call = <T = unknown>(c: RunningCollector, method: string, path: string, body?: unknown, key = ADMIN_KEY) => callAs<T>(c, key, method, path, body);

async function keyFor(c: RunningCollector, role: string, tenant: string): Promise<string> {
  const res = await call<CreatedKeyDto>(c, 'POST', '/v1/keys', { role, tenant });
  expect(res.status).toBe(201);
  return res.body.key;
}

async function createBudget(c: RunningCollector, body: Body, key = ADMIN_KEY): Promise<string> {
  const res = await call<BudgetDto>(c, 'POST', '/v1/budgets', body, key);
  expect(res.status).toBe(201);
  return res.body.id;
}

const budget = (over: Body = {}): Body => ({
  name: 'team',
  scope: {},
  period: 'month',
  timezone: 'UTC',
  limitUsd: '10.00',
  thresholds: [0.8, 1.0],
  action: 'notify',
  channels: [],
  ...over,
});

describe('budgets', () => {
  let c: RunningCollector;
  let clock: BudgetClock;
  let storage: Pick<StoragePort, 'ingest'>;
  beforeAll(async () => {
    c = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY });
    clock = c.app.get(BudgetClock);
    storage = { ingest: (records) => ingestRecords(c.app, records) };
  });
  afterAll(() => c.close());
  afterEach(() => {
    clock.now = () => Date.now();
  });

  it('creates, lists, reads, changes and deletes a budget, with the limit as exact nanos', async () => {
    const id = await createBudget(
      c,
      budget({ name: 'support bot', scope: { agent: 'support-bot', provider: 'google' }, limitUsd: '12.345678901', timezone: 'Europe/Madrid' }),
    );
    const one = await call(c, 'GET', `/v1/budgets/${id}`);
    expect(one.body).toMatchObject({
      id,
      name: 'support bot',
      scope: { agent: 'support-bot', provider: 'gcp.gemini' },
      limitNanos: '12345678901',
      limitUsd: '12.345678901',
      timezone: 'Europe/Madrid',
    });
    expect((await call<BudgetListDto>(c, 'GET', '/v1/budgets')).body.budgets.map((b) => b.id)).toContain(id);
    const patched = await call(c, 'PATCH', `/v1/budgets/${id}`, { limitUsd: '20', action: 'block' });
    expect(patched.body).toMatchObject({ id, name: 'support bot', limitNanos: '20000000000', action: 'block' });
    expect((await call(c, 'DELETE', `/v1/budgets/${id}`)).status).toBe(204);
    expect((await call(c, 'GET', `/v1/budgets/${id}`)).status).toBe(404);
    expect((await call(c, 'DELETE', `/v1/budgets/${id}`)).status).toBe(404);
  });

  it.each([
    [{ limitUsd: 10 }, 'limitUsd'],
    [{ limitUsd: '-1.00' }, 'limitUsd'],
    [{ limitUsd: '0.0000000001' }, 'limitUsd'],
    [{ limitUsd: '9223372036.854775808' }, 'limitUsd'],
    [{ period: 'year' }, 'period'],
    [{ timezone: 'Mars/Olympus' }, 'timezone'],
    [{ thresholds: [0.8, 'high'] }, 'thresholds[1]'],
    [{ action: 'stop' }, 'action'],
    [{ channels: 'ops' }, 'channels'],
    [{ scope: { tags: { team: '' } } }, 'scope.tags.team'],
    [{ scope: { team: 'search' } }, 'scope.team'],
    [{ scope: { perUser: true, user: 'alice' } }, 'scope.perUser'],
    [{ owner: 'finance' }, 'owner'],
    [{ name: '' }, 'name'],
  ])('refuses %j with 400 naming %s', async (change, field) => {
    const res = await call<ErrorBodyDto>(c, 'POST', '/v1/budgets', budget(change));
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
    expect(res.body.message).toContain(field);
  });

  it('names the missing required field', async () => {
    const { limitUsd: _l, ...noLimit } = budget();
    expect((await call(c, 'POST', '/v1/budgets', noLimit)).body).toMatchObject({ field: 'limitUsd' });
  });

  it("lets a viewer read budgets but not write them, and shows nothing of another tenant's", async () => {
    const acmeAdmin = await keyFor(c, 'admin', 'acme');
    const acmeViewer = await keyFor(c, 'viewer', 'acme');
    const globexAdmin = await keyFor(c, 'admin', 'globex');
    const id = await createBudget(c, budget({ name: 'acme month' }), acmeAdmin);
    expect((await call(c, 'GET', `/v1/budgets/${id}`, undefined, acmeViewer)).status).toBe(200);
    expect((await call(c, 'POST', '/v1/budgets', budget(), acmeViewer)).status).toBe(403);
    expect((await call(c, 'PATCH', `/v1/budgets/${id}`, { limitUsd: '1' }, acmeViewer)).status).toBe(403);
    // Another tenant's admin: sees none of it, changes none of it.
    expect((await call<BudgetListDto>(c, 'GET', '/v1/budgets', undefined, globexAdmin)).body.budgets).toEqual([]);
    expect((await call(c, 'GET', `/v1/budgets/${id}`, undefined, globexAdmin)).status).toBe(404);
    expect((await call(c, 'GET', `/v1/budgets/${id}/status`, undefined, globexAdmin)).status).toBe(404);
    expect((await call(c, 'PATCH', `/v1/budgets/${id}`, { limitUsd: '1' }, globexAdmin)).status).toBe(404);
    expect((await call(c, 'DELETE', `/v1/budgets/${id}`, undefined, globexAdmin)).status).toBe(404);
    expect((await call(c, 'GET', '/v1/budgets?tenant=acme', undefined, globexAdmin)).status).toBe(403);
    expect((await call(c, 'GET', `/v1/budgets/${id}`, undefined, acmeViewer)).body).toMatchObject({ limitUsd: '10.000000000' });
    // And a globex check is not governed by acme's budgets.
    await storage.ingest(Array.from({ length: 500 }, () => record({ tenant: 'acme', timeMs: Date.now() })));
    expect((await call(c, 'POST', '/v1/budgets/check', {}, acmeViewer)).body).toMatchObject({
      decision: 'warn',
      budgets: [{ id, spentUsd: '11.875000000', state: 'exceeded' }],
    });
    expect((await call(c, 'POST', '/v1/budgets/check', {}, globexAdmin)).body).toMatchObject({ decision: 'allow', budgets: [] });
    // An all-tenant key (the OpenTelemetry Collector's, an operator's) names the tenant it asks for.
    expect((await call<BudgetCheckDto>(c, 'POST', '/v1/budgets/check', { tenant: 'acme' })).body.budgets.map((x) => x.id)).toEqual([id]);
    expect((await call(c, 'POST', '/v1/budgets/check', { tenant: 'acme' }, globexAdmin)).status).toBe(403);
  });

  it('reflects a call in status and in checks as soon as its OTLP ingest is acknowledged', async () => {
    const ingestKey = await keyFor(c, 'ingest', 'shop');
    const shopAdmin = await keyFor(c, 'admin', 'shop');
    const id = await createBudget(c, budget({ scope: { user: 'zoe' }, limitUsd: '0.05', action: 'block' }), shopAdmin);
    const before = await call(c, 'POST', '/v1/budgets/check', { user: 'zoe' }, ingestKey);
    expect(before.body).toMatchObject({ allowed: true, decision: 'allow', budgets: [{ id, spentNanos: '0', state: 'ok' }] });
    for (let i = 1; i <= 3; i++) {
      const spans = await makeSpans([{ name: 'chat gpt-4o', attributes: { ...CHAT, 'user.id': 'zoe' }, startMs: Date.now() - 1000 }]);
      const ack = await fetch(`${c.url}/v1/traces`, {
        method: 'POST',
        body: requestBytes(JsonTraceSerializer.serializeRequest(spans)),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestKey}` },
      });
      expect(ack.status).toBe(200);
      const spent = CHAT_NANOS * BigInt(i);
      const check = await call<BudgetCheckDto>(c, 'POST', '/v1/budgets/check', { user: 'zoe' }, ingestKey);
      expect(check.body.budgets[0].spentNanos).toBe(spent.toString());
      expect((await call<BudgetStatusDto>(c, 'GET', `/v1/budgets/${id}/status`, undefined, shopAdmin)).body.spentNanos).toBe(spent.toString());
    }
    // 3 × $0.02375 = $0.07125 > $0.05: the block budget is exceeded.
    const after = await call(c, 'POST', '/v1/budgets/check', { user: 'zoe', model: 'gpt-4o' }, ingestKey);
    expect(after.body).toMatchObject({
      allowed: false,
      decision: 'block',
      budgets: [{ id, state: 'exceeded', spentUsd: '0.071250000', limitUsd: '0.050000000' }],
    });
    expect((await call(c, 'POST', '/v1/budgets/check', { user: 'yan' }, ingestKey)).body).toMatchObject({ allowed: true, budgets: [] });
    expect((await call(c, 'GET', '/v1/budgets', undefined, ingestKey)).status).toBe(403);
  });

  it('counts a retried batch once', async () => {
    const id = await createBudget(c, budget({ scope: { feature: 'retry-test' }, limitUsd: '1' }));
    const batch = [record({ feature: 'retry-test', timeMs: Date.now() }), record({ feature: 'retry-test', timeMs: Date.now() })];
    expect((await call<BudgetCheckDto>(c, 'POST', '/v1/budgets/check', { feature: 'retry-test' })).body.budgets[0].spentNanos).toBe('0');
    await storage.ingest(batch);
    await storage.ingest(batch);
    expect((await call<BudgetCheckDto>(c, 'POST', '/v1/budgets/check', { feature: 'retry-test' })).body.budgets[0].spentNanos).toBe(
      (2n * CHAT_NANOS).toString(),
    );
    expect((await call<BudgetStatusDto>(c, 'GET', `/v1/budgets/${id}/status`)).body.spentNanos).toBe((2n * CHAT_NANOS).toString());
  });

  it('counts the local day across a DST change: 23 hours in Madrid on 29 March 2026', async () => {
    const id = await createBudget(c, budget({ scope: { feature: 'dst' }, period: 'day', timezone: 'Europe/Madrid', limitUsd: '1' }));
    const at = (iso: string, costNanos: bigint) => record({ feature: 'dst', timeMs: Date.parse(iso), costNanos });
    await storage.ingest([
      at('2026-03-28T22:59:59Z', 1n), // 23:59:59 CET on the 28th: the day before
      at('2026-03-28T23:00:00Z', 10n), // 00:00 CET on the 29th: first instant of the day
      at('2026-03-29T01:30:00Z', 100n), // 03:30 CEST, after the clocks went forward
      at('2026-03-29T21:59:59Z', 1000n), // 23:59:59 CEST: last second of the day
      at('2026-03-29T22:00:00Z', 10000n), // 00:00 CEST on the 30th
    ]);
    clock.now = () => Date.parse('2026-03-29T12:00:00Z');
    const { body } = await call<BudgetStatusDto>(c, 'GET', `/v1/budgets/${id}/status`);
    expect(body).toMatchObject({ spentNanos: '1110', periodStart: '2026-03-29T00:00:00+01:00', periodEnd: '2026-03-30T00:00:00+02:00' });
    // Half the 23-hour day has passed at 12:00Z (13 h of 23 h, from 23:00Z): linear projection, exact integers.
    expect(body.projectedNanos).toBe(((1110n * 23n * 3_600_000n) / (13n * 3_600_000n)).toString());
    expect((await call<BudgetCheckDto>(c, 'POST', '/v1/budgets/check', { feature: 'dst' })).body.budgets[0]).toMatchObject({
      spentNanos: '1110',
      resetsAt: '2026-03-29T22:00:00.000Z',
    });
  });

  it('projects the period end at the run rate and says when that rate uses up the limit, in the budget time zone', async () => {
    const id = await createBudget(c, budget({ scope: { feature: 'forecast' }, period: 'month', timezone: 'Europe/Madrid', limitUsd: '10' }));
    // November in Madrid starts at 2026-10-31T23:00Z and lasts 30 days; 9 of them have passed.
    const start = Date.parse('2026-10-31T23:00:00Z');
    clock.now = () => start + 9 * 86_400_000;
    const status = async () => (await call<BudgetStatusDto>(c, 'GET', `/v1/budgets/${id}/status`)).body;
    expect(await status()).toMatchObject({ spentNanos: '0', projectedNanos: '0', exhaustsAt: null });
    await storage.ingest([record({ feature: 'forecast', timeMs: start + 86_400_000, costNanos: 3_000_000_000n })]);
    // $3 in 9 days reaches $10 after exactly 30 days: when the period ends, so not before it.
    expect(await status()).toMatchObject({ projectedNanos: '10000000000', exhaustsAt: null });
    await storage.ingest([record({ feature: 'forecast', timeMs: start + 86_400_000, costNanos: 2_000_000_000n })]);
    // $5 in 9 days: $16.666666666 (rounded down) by the end, $10 after 18 days.
    expect(await status()).toMatchObject({ projectedNanos: '16666666666', projectedUsd: '16.666666666', exhaustsAt: '2026-11-19T00:00:00+01:00' });
    await storage.ingest([record({ feature: 'forecast', timeMs: start + 86_400_000, costNanos: 2_000_000_000n })]);
    // $7: after 90/7 days = 12 d 20 h 34 min 17.142… s, rounded up to the second.
    expect(await status()).toMatchObject({ projectedNanos: '23333333333', exhaustsAt: '2026-11-13T20:34:18+01:00' });
    await storage.ingest([record({ feature: 'forecast', timeMs: start + 86_400_000, costNanos: 3_000_000_000n })]);
    // The limit is reached: nothing left to run out.
    expect(await status()).toMatchObject({ state: 'exceeded', spentNanos: '10000000000', exhaustsAt: null });
  });

  it('starts weeks on Monday and months on the first, in the budget time zone', async () => {
    const week = await createBudget(c, budget({ scope: { feature: 'cal' }, period: 'week', timezone: 'America/New_York' }));
    const month = await createBudget(c, budget({ scope: { feature: 'cal' }, period: 'month', timezone: 'Asia/Kolkata' }));
    clock.now = () => Date.parse('2026-11-05T12:00:00Z'); // a Thursday
    expect((await call<BudgetStatusDto>(c, 'GET', `/v1/budgets/${week}/status`)).body).toMatchObject({
      periodStart: '2026-11-02T00:00:00-05:00',
      periodEnd: '2026-11-09T00:00:00-05:00',
    });
    expect((await call<BudgetStatusDto>(c, 'GET', `/v1/budgets/${month}/status`)).body).toMatchObject({
      periodStart: '2026-11-01T00:00:00+05:30',
      periodEnd: '2026-12-01T00:00:00+05:30',
    });
  });

  it('warns past a threshold, blocks only an exceeded block budget, and lets the next period through', async () => {
    const notify = await createBudget(c, budget({ name: 'warn me', scope: { feature: 'chat-ui' }, limitUsd: '0.1', action: 'notify', period: 'day' }));
    const block = await createBudget(
      c,
      budget({ name: 'hard stop', scope: { feature: 'chat-ui', model: 'gpt-4o' }, limitUsd: '0.2', action: 'block', period: 'day' }),
    );
    const day = Date.UTC(2026, 5, 10);
    clock.now = () => day + 10 * 3_600_000;
    const spend = (usd: bigint, model = 'gpt-4o') => storage.ingest([record({ feature: 'chat-ui', model, timeMs: day + 3_600_000, costNanos: usd })]);
    await spend(85_000_000n); // $0.085: 85 % of the notify budget
    expect((await call(c, 'POST', '/v1/budgets/check', { feature: 'chat-ui', model: 'gpt-4o' })).body).toMatchObject({
      allowed: true,
      decision: 'warn',
      budgets: expect.arrayContaining([expect.objectContaining({ id: notify, state: 'warning' }), expect.objectContaining({ id: block, state: 'ok' })]),
    });
    await spend(50_000_000n, 'o3'); // notify budget exceeded; the block budget (gpt-4o only) is not
    expect((await call(c, 'POST', '/v1/budgets/check', { feature: 'chat-ui', model: 'gpt-4o' })).body).toMatchObject({ allowed: true, decision: 'warn' });
    await spend(115_000_000n); // gpt-4o now at exactly $0.20: the limit is reached
    const blocked = await call(c, 'POST', '/v1/budgets/check', { feature: 'chat-ui', model: 'gpt-4o' });
    expect(blocked.body).toMatchObject({ allowed: false, decision: 'block', resetsAt: new Date(day + 86_400_000).toISOString() });
    // A call of another model is under the notify budget only.
    expect((await call(c, 'POST', '/v1/budgets/check', { feature: 'chat-ui', model: 'o3' })).body).toMatchObject({ allowed: true, decision: 'warn' });
    clock.now = () => day + 86_400_000 + 60_000;
    expect((await call(c, 'POST', '/v1/budgets/check', { feature: 'chat-ui', model: 'gpt-4o' })).body).toMatchObject({ allowed: true, decision: 'allow' });
  });

  it('gives each user of a perUser budget the limit, and ranks the top users by spend', async () => {
    const id = await createBudget(
      c,
      budget({ name: 'per user daily', scope: { perUser: true, service: 'assistant' }, period: 'day', limitUsd: '0.05', action: 'block' }),
    );
    const now = Date.UTC(2026, 6, 1, 12);
    clock.now = () => now;
    const use = (user: string | null, n: number) => Array.from({ length: n }, () => record({ service: 'assistant', user, timeMs: now - 60_000 }));
    await storage.ingest([...use('ann', 3), ...use('ben', 1), ...use('cy', 2), ...use(null, 5)]);
    const status = (await call<BudgetStatusDto>(c, 'GET', `/v1/budgets/${id}/status`)).body;
    expect(status).toMatchObject({
      spentNanos: (3n * CHAT_NANOS).toString(),
      state: 'exceeded',
      users: 3,
      usersExceeded: 1,
      totalSpentNanos: (6n * CHAT_NANOS).toString(),
      topUsers: [
        { user: 'ann', spentNanos: (3n * CHAT_NANOS).toString(), state: 'exceeded', ratio: 1.425 },
        { user: 'cy', spentNanos: (2n * CHAT_NANOS).toString(), state: 'warning' },
        { user: 'ben', spentNanos: CHAT_NANOS.toString(), state: 'ok' },
      ],
    });
    expect((await call(c, 'POST', '/v1/budgets/check', { user: 'ann', service: 'assistant' })).body).toMatchObject({ decision: 'block' });
    expect((await call(c, 'POST', '/v1/budgets/check', { user: 'ben', service: 'assistant' })).body).toMatchObject({
      decision: 'allow',
      budgets: [{ id, spentNanos: CHAT_NANOS.toString() }],
    });
    expect((await call<BudgetCheckDto>(c, 'POST', '/v1/budgets/check', { service: 'assistant' })).body.budgets).toEqual([]);
  });

  it('refuses a check body with an unknown field, naming it', async () => {
    expect((await call(c, 'POST', '/v1/budgets/check', { usr: 'alice' })).body).toMatchObject({ field: 'usr' });
  });

  it('forgets cached spend when a budget changes scope', async () => {
    const id = await createBudget(c, budget({ scope: { feature: 'scoped-a' }, limitUsd: '1' }));
    await storage.ingest([
      record({ feature: 'scoped-a', timeMs: Date.now() }),
      record({ feature: 'scoped-b', timeMs: Date.now() }),
      record({ feature: 'scoped-b', timeMs: Date.now() }),
    ]);
    expect((await call<BudgetCheckDto>(c, 'POST', '/v1/budgets/check', { feature: 'scoped-a' })).body.budgets[0].spentNanos).toBe(CHAT_NANOS.toString());
    await call(c, 'PATCH', `/v1/budgets/${id}`, { scope: { feature: 'scoped-b' } });
    expect((await call<BudgetCheckDto>(c, 'POST', '/v1/budgets/check', { feature: 'scoped-b' })).body.budgets[0]).toMatchObject({
      id,
      spentNanos: (2n * CHAT_NANOS).toString(),
    });
  });
});
