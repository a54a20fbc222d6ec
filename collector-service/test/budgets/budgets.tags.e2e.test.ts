import type { Attributes } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { CreatedKeyDto } from '../../src/auth/key-answers.dto';
import type { BudgetCheckDto, BudgetDto, BudgetStatusDto } from '../../src/budgets/budget-answers.dto';
import type { ErrorBodyDto } from '../../src/http/error-body.dto';
import { callAs } from '../support/api';
import { type RunningCollector, startCollector } from '../support/app';
import { makeSpans, requestBytes } from '../support/spans';

const ADMIN_KEY = 'admin-key-for-tag-budget-tests-0123456789';
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

const budget = (over: Body = {}): Body => ({
  name: 'search team',
  scope: {},
  period: 'month',
  timezone: 'UTC',
  limitUsd: '10.00',
  thresholds: [0.8, 1.0],
  action: 'notify',
  channels: [],
  ...over,
});

/** A chat span carrying tags as the SDK's attribution sets them (`tokenledger.tag.<key>`). */
const chat = (tags: Record<string, string>, extra: Attributes = {}) => ({
  name: 'chat gpt-4o',
  attributes: { ...CHAT, ...extra, ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`tokenledger.tag.${k}`, v])) },
  startMs: Date.now() - 1000,
});

describe('budgets scoped by tags', () => {
  let c: RunningCollector;
  let tenant = 0;
  /** A fresh tenant per test, with its admin and ingest keys, so tests never see each other's spend. */
  let admin: string;
  let ingest: string;
  beforeAll(async () => {
    c = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY });
  });
  afterAll(() => c.close());
  beforeEach(async () => {
    const name = `tags-${++tenant}`;
    admin = (await call<CreatedKeyDto>(c, 'POST', '/v1/keys', { role: 'admin', tenant: name })).body.key;
    ingest = (await call<CreatedKeyDto>(c, 'POST', '/v1/keys', { role: 'ingest', tenant: name })).body.key;
  });

  const create = async (body: Body) => {
    const res = await call<BudgetDto>(c, 'POST', '/v1/budgets', body, admin);
    expect(res.status).toBe(201);
    return res.body.id;
  };
  /** Sends spans over OTLP/HTTP JSON as an exporter does; returns the request body so it can be sent again. */
  const send = async (spans: Awaited<ReturnType<typeof makeSpans>>) => {
    const body = requestBytes(JsonTraceSerializer.serializeRequest(spans));
    await resend(body);
    return body;
  };
  const resend = async (body: Uint8Array<ArrayBuffer>) => {
    const ack = await fetch(`${c.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${ingest}` } });
    expect(ack.status).toBe(200);
  };
  const check = async (subject: Body) => (await call<BudgetCheckDto>(c, 'POST', '/v1/budgets/check', subject, ingest)).body;
  const status = async (id: string) => (await call<BudgetStatusDto>(c, 'GET', `/v1/budgets/${id}/status`, undefined, admin)).body;

  it('counts only calls whose tags include every tag of the scope, in status and checks, as soon as the ingest is acknowledged', async () => {
    const id = await create(budget({ scope: { tags: { team: 'search', env: 'prod' } } }));
    expect((await call<BudgetDto>(c, 'GET', `/v1/budgets/${id}`, undefined, admin)).body.scope).toEqual({ tags: { team: 'search', env: 'prod' } });
    const subject = { tags: { env: 'prod', team: 'search' } };
    expect((await check(subject)).budgets).toMatchObject([{ id, spentNanos: '0' }]); // the check now serves this budget from memory
    for (let i = 1; i <= 3; i++) {
      await send(
        await makeSpans([
          chat({ team: 'search', env: 'prod' }),
          chat({ region: 'eu', env: 'prod', team: 'search' }, { 'user.id': 'ann' }), // more tags than the scope: counts
          chat({ team: 'search' }), // lacks env
          chat({ team: 'ads', env: 'prod' }),
          chat({ team: 'search', env: 'dev' }),
          chat({}),
        ]),
      );
      // Right after the ack, without waiting: the check from memory, the status from the rollups.
      const spent = (2n * CHAT_NANOS * BigInt(i)).toString();
      expect((await check(subject)).budgets).toMatchObject([{ id, spentNanos: spent }]);
      expect(await status(id)).toMatchObject({ spentNanos: spent });
    }
  });

  it("blocks a call whose tags include an exceeded block budget's, and not a call without them", async () => {
    const id = await create(budget({ scope: { tags: { team: 'search' }, model: 'gpt-4o' }, limitUsd: '0.05', action: 'block' }));
    await send(await makeSpans([chat({ team: 'search' }), chat({ team: 'search', env: 'prod' }), chat({ team: 'ads' }), chat({})]));
    expect(await status(id)).toMatchObject({ spentNanos: (2n * CHAT_NANOS).toString(), state: 'warning' });
    expect(await check({ model: 'gpt-4o', tags: { team: 'search' } })).toMatchObject({ allowed: true, decision: 'warn' });
    await send(await makeSpans([chat({ team: 'search' })]));
    // 3 × $0.02375 = $0.07125 ≥ $0.05.
    expect(await check({ model: 'gpt-4o', tags: { team: 'search' } })).toMatchObject({
      allowed: false,
      decision: 'block',
      budgets: [{ id, state: 'exceeded', spentUsd: '0.071250000' }],
    });
    expect(await check({ model: 'gpt-4o', tags: { team: 'search', env: 'dev' } })).toMatchObject({ allowed: false, decision: 'block' });
    // Not under the budget: other tags, no tags, or not the scope's model.
    expect(await check({ model: 'gpt-4o', tags: { team: 'ads' } })).toMatchObject({ allowed: true, decision: 'allow', budgets: [] });
    expect(await check({ model: 'gpt-4o' })).toMatchObject({ allowed: true, decision: 'allow', budgets: [] });
    expect(await check({ model: 'o3', tags: { team: 'search' } })).toMatchObject({ allowed: true, decision: 'allow', budgets: [] });
  });

  it('counts a retried OTLP request once', async () => {
    const id = await create(budget({ scope: { tags: { team: 'search' } } }));
    expect((await check({ tags: { team: 'search' } })).budgets[0].spentNanos).toBe('0');
    const body = await send(await makeSpans([chat({ team: 'search' }), chat({ team: 'search' }), chat({ team: 'ads' })]));
    await resend(body);
    expect((await check({ tags: { team: 'search' } })).budgets[0].spentNanos).toBe((2n * CHAT_NANOS).toString());
    expect((await status(id)).spentNanos).toBe((2n * CHAT_NANOS).toString());
  });

  it("gives each user of a perUser tag budget the limit, counting only that user's tagged calls", async () => {
    const id = await create(budget({ scope: { tags: { team: 'search' }, perUser: true }, limitUsd: '0.05', action: 'block' }));
    await send(
      await makeSpans([
        ...[1, 2, 3].map(() => chat({ team: 'search' }, { 'user.id': 'ann' })),
        chat({ team: 'ads' }, { 'user.id': 'ann' }),
        chat({ team: 'search' }, { 'user.id': 'ben' }),
        ...[1, 2, 3].map(() => chat({ team: 'ads' }, { 'user.id': 'cy' })),
      ]),
    );
    expect(await status(id)).toMatchObject({
      users: 2,
      usersExceeded: 1,
      topUsers: [
        { user: 'ann', spentNanos: (3n * CHAT_NANOS).toString() },
        { user: 'ben', spentNanos: CHAT_NANOS.toString() },
      ],
    });
    expect(await check({ user: 'ann', tags: { team: 'search' } })).toMatchObject({ decision: 'block' });
    expect(await check({ user: 'cy', tags: { team: 'search' } })).toMatchObject({ decision: 'allow', budgets: [{ id, spentNanos: '0' }] });
  });

  it('keeps tags named constructor and __proto__ as tags, in the scope and in the check', async () => {
    const tags = JSON.parse('{"constructor":"search","__proto__":"eu"}') as Record<string, string>;
    const id = await create(budget({ scope: { tags } }));
    expect(Object.entries((await call<BudgetDto>(c, 'GET', `/v1/budgets/${id}`, undefined, admin)).body.scope.tags!).sort()).toEqual([
      ['__proto__', 'eu'],
      ['constructor', 'search'],
    ]);
    expect((await check({ tags })).budgets).toMatchObject([{ id }]);
    expect((await check({ tags: { constructor: 'search' } })).budgets).toEqual([]);
  });

  it('follows a changed tag scope', async () => {
    const id = await create(budget({ scope: { tags: { team: 'search' } } }));
    await send(await makeSpans([chat({ team: 'search' }), chat({ team: 'ads' }), chat({ team: 'ads' })]));
    expect((await check({ tags: { team: 'search' } })).budgets[0].spentNanos).toBe(CHAT_NANOS.toString());
    expect((await call<BudgetDto>(c, 'PATCH', `/v1/budgets/${id}`, { scope: { tags: { team: 'ads' } } }, admin)).body.scope).toEqual({ tags: { team: 'ads' } });
    expect((await check({ tags: { team: 'ads' } })).budgets).toMatchObject([{ id, spentNanos: (2n * CHAT_NANOS).toString() }]);
    expect((await check({ tags: { team: 'search' } })).budgets).toEqual([]);
  });

  it.each([
    [{ tags: 'search' }, 'scope.tags'],
    [{ tags: ['team=search'] }, 'scope.tags'],
    [{ tags: { team: '' } }, 'scope.tags.team'],
    [{ tags: { team: 5 } }, 'scope.tags.team'],
    [{ tags: { team: 'search', env: null } }, 'scope.tags.env'],
    [{ tags: { '': 'search' } }, 'scope.tags'],
    [{ tags: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`t${i}`, 'x'])) }, 'scope.tags'],
  ])('refuses the scope %j with 400 naming %s', async (scope, field) => {
    const res = await call<ErrorBodyDto>(c, 'POST', '/v1/budgets', budget({ scope }), admin);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field });
    expect(res.body.message).toContain(field);
  });

  it.each([
    [{ tags: 'search' }, 'tags'],
    [{ tags: { team: 5 } }, 'tags.team'],
  ])('refuses the check body %j with 400 naming %s', async (body, field) => {
    const res = await call<ErrorBodyDto>(c, 'POST', '/v1/budgets/check', body, ingest);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field });
  });
});
