import { randomBytes } from 'node:crypto';
import { AlertClock } from '../../src/alerts/alert-clock';
import { AlertEvaluator } from '../../src/alerts/alert-evaluator.service';
import type { ApiKeyRole, StoragePort } from '../../src/storage/storage.port';
import { STORAGE } from '../../src/storage/storage.tokens';
import { type RunningCollector, startCollector, storeEnvironments } from '../support/app';
import { rawRequest, type RawResponse } from '../support/http';
import { jsonSpan, jsonTraces } from '../support/otlp-json';
import { record } from '../support/records';
import { fillPath, type Route, routeName, routesOf } from '../support/route-map';
import { GPT_4O_CHAT } from '../support/spans';
import type { ReportAnswer } from '../support/json';
import type { AlertPageDto } from '../../src/alerts/alert.dto';
import type { AlertRuleDto, AlertRuleListDto } from '../../src/alerts/alert-rule.dto';
import type { CreatedKeyDto, KeyListDto } from '../../src/auth/key-answers.dto';
import type { BudgetDto, BudgetListDto } from '../../src/budgets/budget-answers.dto';
import type { ChannelDto, ChannelListDto } from '../../src/channels/channel.dto';
import type { DigestSubscriptionDto, DigestSubscriptionListDto } from '../../src/digests/digest-response.dto';

/**
 * Every route of the running app × every kind of caller × the ways one tenant might reach another's
 * data. Routes come from the app's router, so a new route is tested here at once, and this file fails
 * until its expected access is written in ACCESS below.
 */

/** Who may call a route: anyone, or keys of these roles (an admin key may call every route). */
type Access = 'public' | ApiKeyRole[];

interface Expectation {
  access: Access;
  /** For routes with an id in the path: which of the other tenant's things that id names. */
  victim?: keyof VictimIds;
  /** A valid body that asks for the other tenant, for routes that take one. */
  body?: Record<string, unknown>;
  /** What it answers covers every tenant: a key of one tenant is refused whatever its role. */
  everyTenant?: boolean;
}

const PUBLIC: Expectation = { access: 'public' };
const ADMIN: Expectation = { access: ['admin'] };
const VIEWER: Expectation = { access: ['viewer'] };

/** The other tenant: what the matrix's callers of tenant "acme" must never see or change. */
const VICTIM = 'globex';
/** Every name the victim tenant has contains this; no answer to another tenant may. */
const SECRET = 'globex-secret';
/** The victim's spend, distinctive enough to spot in any body: $7,777.123456789. */
const VICTIM_NANOS = 7_777_123_456_789n;

const ACCESS: Record<string, Expectation> = {
  'GET /healthz': PUBLIC,
  'GET /readyz': PUBLIC,
  'GET /metrics': { access: ['metrics'], everyTenant: true },
  'GET /dashboard': PUBLIC,
  'GET /dashboard/*path': PUBLIC,
  'GET /v1/ui/config': PUBLIC,
  'GET /v1/ui/models': VIEWER,
  'POST /v1/traces': { access: ['ingest'] },
  'POST /v1/metrics': { access: ['ingest'] },
  'POST /v1/keys': { ...ADMIN, body: { role: 'admin', tenant: VICTIM } },
  'GET /v1/keys': ADMIN,
  'DELETE /v1/keys/:id': { ...ADMIN, victim: 'key' },
  'GET /v1/tenants': VIEWER,
  'GET /v1/reports/summary': VIEWER,
  'GET /v1/reports/breakdown': VIEWER,
  'GET /v1/reports/tag-keys': VIEWER,
  'GET /v1/reports/timeseries': VIEWER,
  'GET /v1/reports/projection': VIEWER,
  'GET /v1/reports/trends': VIEWER,
  'GET /v1/reports/usage': VIEWER,
  'GET /v1/reports/usage/:id': { ...VIEWER, victim: 'record' },
  'GET /v1/reports/export': VIEWER,
  'GET /v1/reports/overview': VIEWER,
  'GET /v1/reports/reconciliation': VIEWER,
  'POST /v1/reprice': ADMIN,
  'POST /v1/budgets': {
    ...ADMIN,
    body: {
      name: 'probe',
      scope: {},
      period: 'month',
      timezone: 'UTC',
      limitUsd: '10.00',
      thresholds: [0.8, 1.0],
      action: 'notify',
      channels: [],
      tenant: VICTIM,
    },
  },
  'GET /v1/budgets': VIEWER,
  'POST /v1/budgets/check': { access: ['ingest', 'viewer'], body: { tenant: VICTIM, user: `${SECRET}-user` } },
  'GET /v1/budgets/:id': { ...VIEWER, victim: 'budget' },
  'GET /v1/budgets/:id/status': { ...VIEWER, victim: 'budget' },
  'PATCH /v1/budgets/:id': { ...ADMIN, victim: 'budget', body: { limitUsd: '0.01', tenant: VICTIM } },
  'DELETE /v1/budgets/:id': { ...ADMIN, victim: 'budget' },
  'POST /v1/channels': { ...ADMIN, body: { type: 'webhook', name: 'probe', url: 'http://127.0.0.1:9/', tenant: VICTIM } },
  'GET /v1/channels': VIEWER,
  'GET /v1/channels/:id': { ...VIEWER, victim: 'channel' },
  'PATCH /v1/channels/:id': { ...ADMIN, victim: 'channel', body: { name: 'probe', tenant: VICTIM } },
  'DELETE /v1/channels/:id': { ...ADMIN, victim: 'channel' },
  'POST /v1/alert-rules': { ...ADMIN, body: { type: 'daily_cost_above', thresholdUsd: '5', tenant: VICTIM } },
  'GET /v1/alert-rules': VIEWER,
  'GET /v1/alert-rules/:id': { ...VIEWER, victim: 'rule' },
  'PATCH /v1/alert-rules/:id': { ...ADMIN, victim: 'rule', body: { enabled: false, tenant: VICTIM } },
  'DELETE /v1/alert-rules/:id': { ...ADMIN, victim: 'rule' },
  'GET /v1/alerts': VIEWER,
  'GET /v1/alerts/:id': { ...VIEWER, victim: 'alert' },
  'POST /v1/alerts/:id/ack': { ...VIEWER, victim: 'alert' },
  'POST /v1/digests': { ...ADMIN, body: { name: 'probe', cadence: 'daily', tenant: VICTIM } },
  'GET /v1/digests': VIEWER,
  'GET /v1/digests/:id': { ...VIEWER, victim: 'digest' },
  'GET /v1/digests/:id/sent': { ...VIEWER, victim: 'digest' },
  'GET /v1/digests/:id/preview': { ...VIEWER, victim: 'digest' },
  'PATCH /v1/digests/:id': { ...ADMIN, victim: 'digest', body: { enabled: false, tenant: VICTIM } },
  'DELETE /v1/digests/:id': { ...ADMIN, victim: 'digest' },
  'POST /v1/provider-bills/sync': ADMIN,
  'GET /v1/provider-bills': VIEWER,
  'GET /v1/provider-bills/keys': ADMIN,
  'PUT /v1/provider-bills/keys/:provider': { ...ADMIN, victim: 'provider', body: { key: 'sk-admin-probe', baseUrl: 'http://127.0.0.1:9' } },
  'DELETE /v1/provider-bills/keys/:provider': { ...ADMIN, victim: 'provider' },
  'GET /api/admin/costs': VIEWER,
  'GET /api/cost-tracking': VIEWER,
  'GET /api/cost-tracking/trends': VIEWER,
  'GET /api/cost-tracking/recent': VIEWER,
  'GET /api/cost-tracking/agents/:agentId': { ...VIEWER, victim: 'agent' },
  'PUT /api/cost-monitoring/budget': { ...ADMIN, body: { dailyLimit: 1 } },
  'GET /api/cost-monitoring/budget': VIEWER,
  'GET /api/cost-monitoring/alerts': VIEWER,
  'GET /api/cost-monitoring/summary': VIEWER,
  'GET /api/cost-monitoring/dashboard': VIEWER,
  'GET /api/cost-monitoring/usage-logs': VIEWER,
  'GET /api/cost-monitoring/export': VIEWER,
};

/** The OpenAPI description and its page: public, and about the API, never about data. */
const OPENAPI_ROUTE = /^GET \/docs(\/|-json$|-yaml$|$)/;

function expectationOf(route: Route): Expectation | undefined {
  return ACCESS[routeName(route)] ?? (OPENAPI_ROUTE.test(routeName(route)) ? PUBLIC : undefined);
}

/** A caller: a key of a role and tenant (null: every tenant), a key the service never issued, or none. */
interface Caller {
  name: string;
  key: string | null;
  role: ApiKeyRole | null;
  /** The key's tenant (null: every tenant). */
  tenant?: string | null;
}

/** 401 for a caller without a valid key, 403 for a role the route does not take, null when it may call. */
function refusalFor({ access, everyTenant }: Expectation, caller: Caller): 401 | 403 | null {
  if (access === 'public') return null;
  if (caller.role === null) return 401;
  if (everyTenant && caller.tenant !== null) return 403;
  return caller.role === 'admin' || access.includes(caller.role) ? null : 403;
}

interface VictimIds {
  key: string;
  record: string;
  budget: string;
  channel: string;
  rule: string;
  alert: string;
  digest: string;
  provider: string;
  agent: string;
}

const ADMIN_KEY = `admin-${randomBytes(16).toString('hex')}`;
const NOWHERE_ID = 'nope-0000';

async function call(
  c: RunningCollector,
  method: string,
  path: string,
  key: string | null,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const auth: Record<string, string> = key === null ? {} : { authorization: `Bearer ${key}` };
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return rawRequest(`${c.url}${path}`, {
    method,
    body: payload,
    headers: { ...auth, ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
  });
}

/** A call that must succeed, its JSON answer read as T (null when the body is empty). */
async function json<T>(c: RunningCollector, method: string, path: string, body?: unknown, key: string | null = ADMIN_KEY): Promise<T> {
  const res = await call(c, method, path, key, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.body}`);
  return (res.body ? JSON.parse(res.body) : null) as T;
}

/** A body a route answers for a call that only tests who may call it: no writes that matter. */
function harmlessBody(route: Route): unknown {
  return route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
}

/** The victim tenant's things, made through the API and the store, each named with SECRET. */
async function seedVictim(c: RunningCollector): Promise<{ ids: VictimIds; viewerKey: string }> {
  const q = `?tenant=${VICTIM}`;
  const key = await json<CreatedKeyDto>(c, 'POST', '/v1/keys', { role: 'viewer', tenant: VICTIM, name: `${SECRET}-key` });
  const storage = c.app.get<StoragePort>(STORAGE);
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const now = Date.now();
  await storage.ingest([
    record({
      tenant: VICTIM,
      traceId,
      spanId,
      timeMs: now - 60_000,
      costNanos: VICTIM_NANOS,
      user: `${SECRET}-user`,
      agent: `${SECRET}-agent`,
      service: `${SECRET}-service`,
      feature: `${SECRET}-feature`,
    }),
  ]);
  const budget = await json<BudgetDto>(c, 'POST', `/v1/budgets${q}`, {
    name: `${SECRET}-budget`,
    scope: {},
    period: 'month',
    timezone: 'UTC',
    limitUsd: '10000.00',
    thresholds: [0.8, 1.0],
    action: 'notify',
    channels: [],
  });
  const channel = await json<ChannelDto>(c, 'POST', `/v1/channels${q}`, {
    type: 'webhook',
    name: `${SECRET}-channel`,
    url: `http://127.0.0.1:9/${SECRET}`,
    secret: `${SECRET}-whsec-0123456789`,
  });
  const rule = await json<AlertRuleDto>(c, 'POST', `/v1/alert-rules${q}`, { type: 'user_daily_cost_above', thresholdUsd: '1', channels: [] });
  const digest = await json<DigestSubscriptionDto>(c, 'POST', `/v1/digests${q}`, { name: `${SECRET}-digest`, cadence: 'daily', channels: [channel.id] });
  await json(c, 'PUT', `/v1/provider-bills/keys/openai${q}`, { key: `sk-admin-${SECRET}`, baseUrl: 'http://127.0.0.1:9' });
  c.app.get(AlertClock).now = () => now;
  await c.app.get(AlertEvaluator).evaluate(now);
  const { alerts } = await json<AlertPageDto>(c, 'GET', `/v1/alerts${q}`);
  if (alerts.length === 0) throw new Error('the victim tenant has no alert to probe');
  const { records } = await json<ReportAnswer<'usage'>>(c, 'GET', `/v1/reports/usage${q}&period=all`);
  if (!records.some((r) => r.id === traceId + spanId)) throw new Error(`the victim's record is not listed as ${traceId + spanId}: ${JSON.stringify(records)}`);
  return {
    ids: {
      key: key.id,
      record: traceId + spanId,
      budget: budget.id,
      channel: channel.id,
      rule: rule.id,
      alert: alerts[0].id,
      digest: digest.id,
      provider: 'openai',
      agent: `${SECRET}-agent`,
    },
    viewerKey: key.key,
  };
}

/** What the victim tenant holds, as its all-tenant admin reads it: compared before and after the probes. */
async function victimState(c: RunningCollector) {
  const q = `?tenant=${VICTIM}`;
  const summary = await json<ReportAnswer<'summary'>>(c, 'GET', `/v1/reports/summary${q}&period=all`);
  const keys = (await json<KeyListDto>(c, 'GET', '/v1/keys')).keys.filter((k) => k.tenant === VICTIM);
  return {
    calls: summary.calls,
    totalCostNanos: summary.totalCostNanos,
    keys,
    budgets: (await json<BudgetListDto>(c, 'GET', `/v1/budgets${q}`)).budgets,
    channels: (await json<ChannelListDto>(c, 'GET', `/v1/channels${q}`)).channels,
    rules: (await json<AlertRuleListDto>(c, 'GET', `/v1/alert-rules${q}`)).rules,
    digests: (await json<DigestSubscriptionListDto>(c, 'GET', `/v1/digests${q}`)).digests,
    alerts: (await json<AlertPageDto>(c, 'GET', `/v1/alerts${q}`)).alerts.map(({ id, acknowledged, state }) => ({
      id,
      acknowledged,
      state,
    })),
    providerKeys: (await json<{ keys: { provider: string; tenant: string }[] }>(c, 'GET', `/v1/provider-bills/keys${q}`)).keys.map(({ provider, tenant }) => ({
      provider,
      tenant,
    })),
    seedBudget: await json<unknown>(c, 'GET', `/api/cost-monitoring/budget${q}&userId=${SECRET}-user`),
  };
}

/** The victim's names: of its key, budget, channel (and its URL and secret), digest, provider key, user, agent, service and feature. */
const VICTIM_NAMES = ['key', 'budget', 'channel', 'whsec', 'digest', 'user', 'agent', 'service', 'feature']
  .map((thing) => `${SECRET}-${thing}`)
  .concat(`sk-admin-${SECRET}`, `127.0.0.1:9/${SECRET}`);

/** The strings of the victim's data a body must not hold: its names, its money, its ids; but not what the request itself says. */
function leaks(body: string, ids: VictimIds, request: string): string[] {
  const usd = `${VICTIM_NANOS / 1_000_000_000n}.${(VICTIM_NANOS % 1_000_000_000n).toString().padStart(9, '0')}`;
  const markers = [...VICTIM_NAMES, VICTIM_NANOS.toString(), usd, ...(Object.values(ids) as string[]).filter((id) => id !== 'openai')];
  return markers.filter((m) => !request.includes(m) && body.includes(m));
}

/** The `tenant` a caller of tenant "acme" might try: the victim by name, in other cases and encodings, twice, or as an array. */
const TENANT_TRICKS = [
  `tenant=${VICTIM}`,
  `tenant=${VICTIM.toUpperCase()}`,
  `tenant=%67${VICTIM.slice(1)}`,
  `tenant=${VICTIM}%00`,
  `tenant=%20${VICTIM}`,
  `tenant=%E2%80%8B${VICTIM}`,
  `tenant=acme&tenant=${VICTIM}`,
  `tenant[]=${VICTIM}`,
  `tenant[0]=${VICTIM}`,
  `Tenant=${VICTIM}`,
];
/** Headers a proxy might be thought to trust. */
const TENANT_HEADERS = { 'x-tenant': VICTIM, 'x-tokenledger-tenant': VICTIM, 'x-forwarded-tenant': VICTIM };

describe.each(storeEnvironments('tokenledger_matrix'))('every route × every caller × tenant tricks (%s)', (_store, storeEnv) => {
  jest.setTimeout(600_000);
  let c: RunningCollector;
  let routes: Route[];
  let callers: Caller[];
  let attackers: Caller[];
  let victim: VictimIds;

  beforeAll(async () => {
    c = await startCollector({
      TOKENLEDGER_ADMIN_KEY: ADMIN_KEY,
      TOKENLEDGER_ALERT_INTERVAL_SECONDS: '0',
      TOKENLEDGER_ALERT_RETRY_BASE_MS: '0',
      ...storeEnv(),
    });
    routes = routesOf(c.app);
    const keyOf = async (role: ApiKeyRole, tenant: string | null) =>
      (await json<CreatedKeyDto>(c, 'POST', '/v1/keys', { role, ...(tenant ? { tenant } : {}) })).key;
    const seeded = await seedVictim(c);
    victim = seeded.ids;
    attackers = [
      { name: 'ingest key of acme', key: await keyOf('ingest', 'acme'), role: 'ingest', tenant: 'acme' },
      { name: 'viewer key of acme', key: await keyOf('viewer', 'acme'), role: 'viewer', tenant: 'acme' },
      { name: 'admin key of acme', key: await keyOf('admin', 'acme'), role: 'admin', tenant: 'acme' },
      { name: 'metrics key of acme', key: await keyOf('metrics', 'acme'), role: 'metrics', tenant: 'acme' },
    ];
    callers = [
      { name: 'no key', key: null, role: null },
      { name: 'a key never issued', key: `tl_admin_${randomBytes(24).toString('hex')}`, role: null },
      ...attackers,
      { name: 'viewer key of another tenant', key: seeded.viewerKey, role: 'viewer', tenant: VICTIM },
      { name: 'metrics key of every tenant', key: await keyOf('metrics', null), role: 'metrics', tenant: null },
      { name: 'ingest key of every tenant', key: await keyOf('ingest', null), role: 'ingest', tenant: null },
      { name: 'admin key of every tenant', key: ADMIN_KEY, role: 'admin', tenant: null },
    ];
  });
  afterAll(() => c?.close());

  it('reads its routes from the app, and every one has a declared access', () => {
    expect(routes.length).toBeGreaterThan(50);
    expect(routes.map(routeName)).toEqual(expect.arrayContaining(['POST /v1/traces', 'GET /v1/budgets/:id', 'GET /metrics']));
    expect(routes.filter((r) => expectationOf(r) === undefined).map(routeName)).toEqual([]);
    // An entry for a route the app no longer has is a stale expectation.
    expect(Object.keys(ACCESS).filter((name) => !routes.some((r) => routeName(r) === name))).toEqual([]);
  });

  it('answers each caller with 401, 403, or its service, never a 5xx', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const expectation = expectationOf(route)!;
      const path = fillPath(route.path, (param) => (param === 'provider' ? 'anthropic' : NOWHERE_ID));
      for (const caller of callers) {
        const res = await call(c, route.method, path, caller.key, harmlessBody(route));
        const refusal = refusalFor(expectation, caller);
        const ok = refusal === null ? res.status < 500 && res.status !== 401 && res.status !== 403 : res.status === refusal;
        if (!ok) wrong.push(`${route.method} ${path} as ${caller.name}: ${res.status} (expected ${refusal ?? 'served'}) ${res.body.slice(0, 160)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses a keyless caller on every spelling of a keyed path: case, slashes, percent-encoding', async () => {
    const wrong: string[] = [];
    for (const route of routes.filter((r) => expectationOf(r)!.access !== 'public')) {
      const path = fillPath(route.path, () => NOWHERE_ID);
      const spellings = [
        path.toUpperCase(),
        `${path}/`,
        path.replace(/^\/(\w+)\//, '//$1//'),
        path.replace(/([a-z])/, (ch) => `%${ch.charCodeAt(0).toString(16)}`),
        `${path};x=1`,
        `${path}%2f..%2f`,
      ];
      for (const spelling of spellings) {
        const res = await call(c, route.method, spelling, null, harmlessBody(route));
        if (res.status !== 401 && res.status !== 404) wrong.push(`${route.method} ${spelling}: ${res.status} ${res.body.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("never shows another tenant's data nor changes it, whatever tenant, header, path id or body a key of one tenant sends", async () => {
    const before = await victimState(c);
    const wrong: string[] = [];
    for (const route of routes) {
      const expectation = expectationOf(route)!;
      const ownPath = fillPath(route.path, (param) => (param === 'provider' ? 'anthropic' : NOWHERE_ID));
      const victimPath = expectation.victim ? fillPath(route.path, () => victim[expectation.victim!]) : null;
      const body = expectation.body ?? harmlessBody(route);
      const probes: { path: string; headers?: Record<string, string> }[] = [
        ...TENANT_TRICKS.map((trick) => ({ path: `${ownPath}${ownPath.includes('?') ? '&' : '?'}${trick}&period=all` })),
        { path: `${ownPath}?period=all`, headers: TENANT_HEADERS },
        ...(victimPath ? [{ path: victimPath }, { path: `${victimPath}?tenant=${VICTIM}` }] : []),
      ];
      for (const attacker of attackers) {
        for (const probe of probes) {
          const res = await call(c, route.method, probe.path, attacker.key, body, probe.headers);
          const seen = leaks(res.body, victim, `${probe.path} ${JSON.stringify(body ?? null)}`);
          const where = `${route.method} ${probe.path} as ${attacker.name}`;
          if (seen.length > 0) wrong.push(`${where}: the body holds ${seen.join(', ')}: ${res.body.slice(0, 200)}`);
          if (res.status >= 500) wrong.push(`${where}: ${res.status} ${res.body.slice(0, 160)}`);
          // Another tenant's budget, channel, rule, alert, record or key is not found, whatever the role.
          if (probe.path === victimPath && expectation.victim !== 'provider' && expectation.victim !== 'agent' && res.status < 300) {
            wrong.push(`${where}: ${res.status}, the other tenant's ${expectation.victim} was reached`);
          }
        }
      }
    }
    // An ingest key of acme naming the victim in its spans' resource sends them to acme, not the victim.
    const attempt = jsonTraces([jsonSpan({ attributes: GPT_4O_CHAT })], { 'service.name': 'probe', 'tokenledger.tenant': VICTIM });
    expect((await call(c, 'POST', '/v1/traces', attackers[0].key, attempt)).status).toBe(200);
    expect(wrong).toEqual([]);
    expect(await victimState(c)).toEqual(before);
    expect(before).toMatchObject({ calls: 1, totalCostNanos: VICTIM_NANOS.toString(), budgets: [expect.objectContaining({ name: `${SECRET}-budget` })] });
  });
});

describe.each(storeEnvironments('tokenledger_matrix'))('every keyed route in open mode (%s)', (_store, storeEnv) => {
  jest.setTimeout(300_000);
  let c: RunningCollector;
  afterEach(() => c.close());

  /** Each route that needs a key, called without one from `localAddress`: the statuses that are not `expected`. */
  async function keylessStatuses(localAddress: string, expected: (status: number) => boolean): Promise<string[]> {
    const wrong: string[] = [];
    for (const route of routesOf(c.app).filter((r) => expectationOf(r)?.access !== 'public')) {
      const path = fillPath(route.path, (param) => (param === 'provider' ? 'anthropic' : NOWHERE_ID));
      const body = harmlessBody(route);
      const res = await rawRequest(`${c.url}${path}`, {
        method: route.method,
        localAddress,
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      });
      if (!expected(res.status)) wrong.push(`${route.method} ${path} from ${localAddress}: ${res.status} ${res.body.slice(0, 120)}`);
    }
    return wrong;
  }

  it('serves loopback without a key and refuses every other address, on every route', async () => {
    c = await startCollector({ TOKENLEDGER_HOST: '0.0.0.0', ...storeEnv() });
    expect(await keylessStatuses('127.0.0.2', (s) => s === 401)).toEqual([]);
    expect(await keylessStatuses('127.0.0.1', (s) => s < 500 && s !== 401 && s !== 403)).toEqual([]);
  });

  it('refuses every route without a key, even from loopback, once the last key is revoked', async () => {
    c = await startCollector({ TOKENLEDGER_HOST: '0.0.0.0', ...storeEnv() });
    const admin = await json<CreatedKeyDto>(c, 'POST', '/v1/keys', { role: 'admin' }, null);
    await json(c, 'DELETE', `/v1/keys/${admin.id}`, undefined, admin.key);
    expect(await keylessStatuses('127.0.0.1', (s) => s === 401)).toEqual([]);
    expect(await keylessStatuses('127.0.0.2', (s) => s === 401)).toEqual([]);
  });
});
