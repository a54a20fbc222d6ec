import type { AlertPageDto } from '../../src/alerts/alert.dto';
import type { BudgetListDto, BudgetStatusDto } from '../../src/budgets/budget-answers.dto';
import type { CostMonitoringController } from '../../src/compat/cost-monitoring.controller';
import type { CostTrackingController } from '../../src/compat/cost-tracking.controller';
import type { SeedViewsService } from '../../src/compat/seed-views.service';
import type { ErrorBodyDto } from '../../src/http/error-body.dto';
import type { ReportsController } from '../../src/reports/reports.controller';
import type { UsageRecord } from '../../src/usage/usage-record';
import { type AnswerOf, json } from '../support/json';
import { ingestRecords, type RunningCollector, startCollector } from '../support/app';
import { record } from '../support/records';

// Every endpoint answers from the rollups; the generous timeout is for loaded CI machines.
jest.setTimeout(60_000);

const H = 3_600_000;
const D = 24 * H;

/**
 * The seed documents' example responses (shared/seeds), reduced to the type of each field: the
 * compatible endpoints must answer with the same names and types (extra `...Usd` strings allowed).
 */
const SEED_SHAPES = {
  adminSummary: {
    total: 'number',
    callCount: 'number',
    byType: [{ type: 'string', cost: 'number', count: 'number' }],
    byProvider: [{ provider: 'string', cost: 'number', count: 'number' }],
    byModel: [{ model: 'string', cost: 'number', count: 'number' }],
  },
  adminDaily: [{ date: 'string', cost: 'number', count: 'number' }],
  adminTopUsers: [{ userId: 'string', cost: 'number', count: 'number' }],
  adminProjection: {
    currentMonthCost: 'number',
    dailyAverage: 'number',
    projectedMonthEnd: 'number',
    daysInMonth: 'number',
    daysPassed: 'number',
    daysRemaining: 'number',
    trend: 'string',
    trendPercentage: 'number',
    last7DaysAverage: 'number',
  },
  costSummary: {
    totalCost: 'number',
    totalTokens: 'number',
    totalRequests: 'number',
    successfulRequests: 'number',
    failedRequests: 'number',
    avgResponseTime: 'number',
    costByModel: { '*': { cost: 'number', tokens: 'number', requests: 'number' } },
    costByAgent: { '*': { cost: 'number', tokens: 'number', requests: 'number' } },
    dailyBreakdown: [{ date: 'string', cost: 'number', tokens: 'number', requests: 'number' }],
  },
  monitoringSummary: { totalCost: 'number', count: 'number', byService: { '*': { cost: 'number', count: 'number' } } },
} as const;

/** Fails with the path of the first field whose name or type differs from the seed's. */
function expectShape(value: unknown, shape: unknown, path = '$'): void {
  if (typeof shape === 'string') {
    if (typeof value !== shape && !(shape === 'number' && value === null && /trendPercentage|percentageChange/.test(path)))
      throw new Error(`${path}: expected ${shape}, got ${JSON.stringify(value)}`);
    return;
  }
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) throw new Error(`${path}: expected an array`);
    if (value.length === 0) throw new Error(`${path}: expected a non-empty array to check`);
    value.forEach((v, i) => expectShape(v, shape[0], `${path}[${i}]`));
    return;
  }
  if (value === null || typeof value !== 'object') throw new Error(`${path}: expected an object, got ${JSON.stringify(value)}`);
  const entries = Object.entries(shape as Record<string, unknown>);
  if (entries.length === 1 && entries[0][0] === '*') {
    const keys = Object.keys(value);
    if (keys.length === 0) throw new Error(`${path}: expected a non-empty map to check`);
    for (const k of keys) expectShape((value as Record<string, unknown>)[k], entries[0][1], `${path}.${k}`);
    return;
  }
  for (const [k, s] of entries) {
    if (!(k in value)) throw new Error(`${path}.${k}: missing`);
    expectShape((value as Record<string, unknown>)[k], s, `${path}.${k}`);
  }
}

const usdOf = (nanos: string) => Number(BigInt(nanos)) / 1e9;

/** /api/admin/costs answers one view's data, as the seed's API did. */
type AdminView<M extends 'adminSummary' | 'daily' | 'topUsers' | 'projection'> = { success: boolean; data: AnswerOf<SeedViewsService[M]> };
type Report<M extends 'summary' | 'breakdown' | 'timeseries' | 'projection' | 'trends'> = AnswerOf<ReportsController[M]>;
type Tracking<M extends 'summary' | 'trends' | 'recent' | 'agent'> = AnswerOf<CostTrackingController[M]>;
type Monitoring<M extends 'putBudget' | 'getBudget' | 'listAlerts' | 'summary' | 'dashboard' | 'usageLogs'> = AnswerOf<CostMonitoringController[M]>;

describe("seed systems' APIs", () => {
  let c: RunningCollector;
  let records: UsageRecord[];
  const now = Date.now();

  /** A GET, its JSON answer read as T (text answers, as CSV, as the text). */
  async function get<T>(path: string) {
    const res = await fetch(`${c.url}${path}`);
    const text = await res.text();
    return { status: res.status, body: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T, headers: res.headers };
  }

  beforeAll(async () => {
    c = await startCollector();
    let seed = 11;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const users = ['alice', 'bob', 'carol', null];
    const agents = ['dexter', 'cassie', null];
    // Spread over the last 40 days, all in the past.
    records = Array.from({ length: 400 }, (_, i) =>
      record({
        timeMs: now - 1000 - next(40 * D),
        user: users[i % users.length],
        agent: agents[i % agents.length],
        model: i % 5 === 0 ? 'whisper-1' : i % 2 ? 'gpt-4o' : 'gpt-4o-mini',
        costType: i % 5 === 0 ? 'audio' : 'llm',
        status: i % 13 === 0 ? 'error' : 'ok',
        costNanos: i % 31 === 0 ? null : BigInt(1 + next(40_000_000)),
        durationMs: 100 + next(900),
        tokens: { input: next(3000), output: next(2000), cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      }),
    );
    await ingestRecords(c.app, records);
  });
  afterAll(() => c.close());

  it("/api/admin/costs?view=summary has the seed shape and the core report's totals", async () => {
    const { status, body } = await get<AdminView<'adminSummary'>>('/api/admin/costs?view=summary&days=30');
    expect(status).toBe(200);
    expect(body.success).toBe(true);
    expectShape(body.data, SEED_SHAPES.adminSummary);
    const days30 = (await get<Report<'breakdown'>>('/v1/reports/breakdown?by=model&limit=1000&from=' + encodeURIComponent(startOfUtcDay(now - 29 * D)))).body;
    expect(body.data.totalUsd).toBe(days30.totalCostUsd);
    expect(body.data.total).toBe(usdOf(days30.totalCostNanos));
    expect(body.data.callCount).toBe(days30.items.reduce((n, i) => n + i.calls, 0));
    for (const item of days30.items) {
      const mine = body.data.byModel.find((m) => m.model === item.key);
      expect(mine).toMatchObject({ costUsd: item.costUsd, count: item.calls });
    }
  });

  it('/api/admin/costs?view=daily gives one zero-filled entry per day, equal to the core timeseries', async () => {
    const { body } = await get<AdminView<'daily'>>('/api/admin/costs?view=daily&days=7');
    expectShape(body.data, SEED_SHAPES.adminDaily);
    expect(body.data).toHaveLength(7);
    const core = (await get<Report<'timeseries'>>(`/v1/reports/timeseries?interval=day&from=${encodeURIComponent(startOfUtcDay(now - 6 * D))}`)).body;
    expect(body.data.map((d) => [d.date, d.costUsd, d.count])).toEqual(core.points.map((p) => [p.date, p.costUsd, p.calls]));
  });

  it('/api/admin/costs?view=top-users lists real users only, by cost, and honours startDate/endDate (end day included)', async () => {
    const start = new Date(now - 20 * D).toISOString().slice(0, 10);
    const end = new Date(now - 2 * D).toISOString().slice(0, 10);
    const { body } = await get<AdminView<'topUsers'>>(`/api/admin/costs?view=top-users&startDate=${start}&endDate=${end}&limit=2`);
    expectShape(body.data, SEED_SHAPES.adminTopUsers);
    expect(body.data).toHaveLength(2);
    const endExclusive = Date.parse(`${end}T00:00:00Z`) + D;
    const inRange = records.filter((r) => r.timeMs >= Date.parse(`${start}T00:00:00Z`) && r.timeMs < endExclusive && r.user);
    const byUser = new Map<string, bigint>();
    for (const r of inRange) byUser.set(r.user!, (byUser.get(r.user!) ?? 0n) + (r.costNanos ?? 0n));
    const expected = [...byUser.entries()].sort((a, b) => (a[1] < b[1] ? 1 : -1)).slice(0, 2);
    expect(body.data.map((u) => [u.userId, u.cost])).toEqual(expected.map(([u, n]) => [u, usdOf(n.toString())]));
  });

  it('/api/admin/costs?view=projection matches the core projection', async () => {
    const { body } = await get<AdminView<'projection'>>('/api/admin/costs?view=projection');
    expectShape(body.data, SEED_SHAPES.adminProjection);
    const core = (await get<Report<'projection'>>('/v1/reports/projection')).body;
    expect(body.data.currentMonthCostUsd).toBe(core.monthToDate.costUsd);
    expect(body.data.projectedMonthEndUsd).toBe(core.projectedMonthEnd.costUsd);
    expect(body.data.trend).toBe(core.trend);
    expect(body.data.daysRemaining).toBe(core.daysRemaining);
  });

  it("/api/cost-tracking?period=month has the CostSummary shape and the core summary's values", async () => {
    const { body } = await get<Tracking<'summary'>>('/api/cost-tracking?period=month');
    const core = (await get<Report<'summary'>>('/v1/reports/summary?period=month')).body;
    if (core.calls === 0) return expect(body.data.totalRequests).toBe(0); // first minutes of a month: nothing to compare
    expectShape(body.data, SEED_SHAPES.costSummary);
    expect(body.data).toMatchObject({
      totalCostUsd: core.totalCostUsd,
      totalRequests: core.calls,
      successfulRequests: core.successfulCalls,
      failedRequests: core.failedCalls,
      avgResponseTime: core.averageLatencyMs,
      totalTokens: core.tokens.input + core.tokens.output,
    });
  });

  it('/api/cost-tracking/trends maps the core trend to up/down/stable with last 7 and 30 day summaries', async () => {
    const { body } = await get<Tracking<'trends'>>('/api/cost-tracking/trends');
    const core = (await get<Report<'trends'>>('/v1/reports/trends')).body;
    expectShape(body.data.last7Days, SEED_SHAPES.costSummary);
    expectShape(body.data.last30Days, SEED_SHAPES.costSummary);
    expect(body.data.last7Days.totalCostUsd).toBe(core.last7Days.costUsd);
    expect(body.data.last30Days.totalCostUsd).toBe(core.last30Days.costUsd);
    expect(body.data.percentageChange).toBe(core.percentChange);
    expect(body.data.trend).toBe({ increasing: 'up', decreasing: 'down', stable: 'stable' }[core.trend]);
  });

  it('/api/cost-tracking/recent and /agents/:agentId', async () => {
    const recent = (await get<Tracking<'recent'>>('/api/cost-tracking/recent?limit=5')).body;
    expect(recent.data).toHaveLength(5);
    const newest = [...records].sort((a, b) => b.timeMs - a.timeMs)[0];
    expect(recent.data[0]).toMatchObject({
      id: newest.id,
      model: newest.model,
      promptTokens: newest.tokens.input,
      completionTokens: newest.tokens.output,
      success: newest.status === 'ok',
    });
    const agent = (await get<Tracking<'agent'>>('/api/cost-tracking/agents/dexter?period=all')).body;
    expectShape(agent.data, SEED_SHAPES.costSummary);
    const dexter = records.filter((r) => r.agent === 'dexter');
    expect(agent.data.totalRequests).toBe(dexter.length);
    expect(agent.data.totalCostUsd).toBe((await get<Report<'summary'>>('/v1/reports/summary?period=all&agent=dexter')).body.totalCostUsd);
    expect(Object.keys(agent.data.costByAgent)).toEqual(['dexter']);
    // period=all: the daily breakdown starts at the first day with activity, not at the epoch.
    const firstDay = new Date(Math.min(...dexter.map((r) => r.timeMs))).toISOString().slice(0, 10);
    expect(agent.data.dailyBreakdown[0].date).toBe(firstDay);
  });

  it('/api/cost-monitoring/summary, /dashboard, /usage-logs and /export', async () => {
    const summary = (await get<Monitoring<'summary'>>('/api/cost-monitoring/summary?period=month')).body;
    const core = (await get<Report<'breakdown'>>('/v1/reports/breakdown?by=model&period=month&limit=1000')).body;
    if (core.items.length) {
      expectShape(summary.summary, SEED_SHAPES.monitoringSummary);
      for (const item of core.items) expect(summary.summary.byService[item.key!]).toMatchObject({ costUsd: item.costUsd, count: item.calls });
    }
    expect(summary.summary.totalCostUsd).toBe(core.totalCostUsd);

    const dashboard = (await get<Monitoring<'dashboard'>>('/api/cost-monitoring/dashboard')).body;
    expect(dashboard.summary.month.totalCostUsd).toBe(core.totalCostUsd);
    expect(dashboard.recentLogs).toHaveLength(10);

    const logs = (await get<Monitoring<'usageLogs'>>('/api/cost-monitoring/usage-logs?service=whisper-1&limit=1000')).body;
    expect(logs.logs.length).toBe(records.filter((r) => r.model === 'whisper-1').length);
    expect(logs.logs.every((l) => l.service === 'whisper-1')).toBe(true);

    const csv = await get<string>('/api/cost-monitoring/export?format=csv');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.body.trim().split('\r\n')).toHaveLength(records.length + 1);
  });

  /** A PUT of the seed budget; its answer is the budget, or the error naming the field. */
  async function send(method: string, path: string, body: unknown) {
    const res = await fetch(`${c.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await json<Monitoring<'putBudget'> & Partial<ErrorBodyDto>>(res) };
  }

  it("PUT /api/cost-monitoring/budget keeps a user's daily and monthly limits as that user's day and month budgets", async () => {
    const put = await send('PUT', '/api/cost-monitoring/budget', {
      userId: 'alice',
      dailyLimit: 0.05,
      monthlyLimit: 200,
      alertThreshold: 0.8,
      alertsEnabled: true,
      pauseOnExceed: true,
    });
    expect(put.status).toBe(200);
    expect(put.body.budget).toMatchObject({
      userId: 'alice',
      dailyLimit: 0.05,
      dailyLimitUsd: '0.050000000',
      monthlyLimit: 200,
      alertThreshold: 0.8,
      alertsEnabled: true,
      pauseOnExceed: true,
    });
    const list = (await get<BudgetListDto>('/v1/budgets')).body.budgets;
    const alices = list.filter((b) => b.scope.user === 'alice');
    expect(alices.map((b) => [b.period, b.limitUsd, b.action, b.thresholds]).sort()).toEqual([
      ['day', '0.050000000', 'block', [0.8, 1]],
      ['month', '200.000000000', 'block', [0.8, 1]],
    ]);
    // Spent today equals the budget API's own status of the day budget.
    const day = alices.find((b) => b.period === 'day')!;
    const status = (await get<BudgetStatusDto>(`/v1/budgets/${day.id}/status`)).body;
    expect(put.body.budget.dailySpentUsd).toBe(status.spentUsd);

    // Changing one setting keeps the rest; null removes a limit.
    const again = await send('PUT', '/api/cost-monitoring/budget?userId=alice', { monthlyLimit: null, pauseOnExceed: false });
    expect(again.body.budget).toMatchObject({ dailyLimit: 0.05, monthlyLimit: null, pauseOnExceed: false });
    const after = (await get<BudgetListDto>('/v1/budgets')).body.budgets;
    expect(after.filter((b) => b.scope.user === 'alice')).toHaveLength(1);
    expect((await get<Monitoring<'getBudget'>>('/api/cost-monitoring/budget?userId=alice')).body.budget).toMatchObject({
      dailyLimitUsd: '0.050000000',
      pauseOnExceed: false,
    });

    for (const [body, field] of [
      [{ dailyLimit: 5 }, 'userId'],
      [{ userId: 'bob', dailyLimit: -1 }, 'dailyLimit'],
      [{ userId: 'bob', dailyLimit: '10' }, 'dailyLimit'],
      [{ userId: 'bob', alertThreshold: 80 }, 'alertThreshold'],
      [{ userId: 'bob', weeklyLimit: 3 }, 'weeklyLimit'],
    ] as const) {
      const res = await send('PUT', '/api/cost-monitoring/budget', body);
      expect([JSON.stringify(body), res.status, res.body.field]).toEqual([JSON.stringify(body), 400, field]);
    }
  });

  it('refuses a seed budget whose user id is too long to name its budgets, or whose time zone is unknown, storing nothing', async () => {
    const long = await send('PUT', '/api/cost-monitoring/budget', { userId: 'u'.repeat(181), dailyLimit: 1 });
    expect([long.status, long.body.field]).toEqual([400, 'userId']);
    const zone = await send('PUT', '/api/cost-monitoring/budget', { userId: 'zoe', dailyLimit: 1, timezone: 'Mars/Olympus' });
    expect([zone.status, zone.body.field]).toEqual([400, 'timezone']);
    const budgets = (await get<BudgetListDto>('/v1/budgets')).body.budgets;
    expect(budgets.filter((b) => b.scope.user === 'zoe' || b.scope.user?.startsWith('uuu'))).toEqual([]);
  });

  it("/api/cost-monitoring/alerts lists the tenant's alerts and validates unreadOnly", async () => {
    const { status, body } = await get<Monitoring<'listAlerts'>>('/api/cost-monitoring/alerts?unreadOnly=true');
    expect(status).toBe(200);
    expect(body.success).toBe(true);
    expect(Array.isArray(body.alerts)).toBe(true);
    expect(body.alerts).toEqual((await get<AlertPageDto>('/v1/alerts?unreadOnly=true')).body.alerts);
    expect(Object.keys(body).sort()).toEqual(['alerts', 'success']); // the seed's shape: no paging fields
    expect((await get<ErrorBodyDto>('/api/cost-monitoring/alerts?unreadOnly=yes')).body.field).toBe('unreadOnly');
  });

  it('bad parameters get 400 naming them', async () => {
    for (const [path, parameter] of [
      ['/api/admin/costs?view=weekly', 'view'],
      ['/api/admin/costs?days=0', 'days'],
      ['/api/admin/costs?startDate=yesterday', 'startDate'],
      ['/api/admin/costs?startDate=2026-02-01&endDate=2026-01-01', 'endDate'],
      ['/api/cost-tracking/recent?limit=-1', 'limit'],
      ['/api/cost-monitoring/summary?period=year', 'period'],
    ]) {
      const { status, body } = await get<ErrorBodyDto>(path);
      expect([path, status, body.parameter]).toEqual([path, 400, parameter]);
    }
  });
});

function startOfUtcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

describe("seed systems' APIs behind API keys", () => {
  const ADMIN = 'tl_admin_compat_test_key_0123456789';
  let c: RunningCollector;
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });
  async function createKey(role: string, tenant: string): Promise<string> {
    const res = await fetch(`${c.url}/v1/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth(ADMIN) },
      body: JSON.stringify({ role, tenant }),
    });
    return ((await res.json()) as { key: string }).key;
  }
  beforeAll(async () => {
    c = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN });
    await ingestRecords(c.app, [record({ tenant: 'acme', timeMs: Date.now() - 60_000, agent: 'dexter' })]);
  });
  afterAll(() => c.close());

  it("never shows one tenant's data to another tenant's key, and lets only admins set budgets", async () => {
    const acme = await createKey('viewer', 'acme');
    const globex = await createKey('viewer', 'globex');
    const paths = [
      '/api/admin/costs?view=summary',
      '/api/cost-tracking?period=all',
      '/api/cost-tracking/recent',
      '/api/cost-tracking/agents/dexter?period=all',
      '/api/cost-monitoring/summary?period=today',
      '/api/cost-monitoring/usage-logs',
    ];
    /** How many calls an answer counts, whichever of the seed endpoints gave it. */
    type Counted = { data?: { callCount?: number; totalRequests?: number; length?: number }; summary?: { count: number }; logs?: unknown[] };
    const count = (body: Counted) => body.data?.callCount ?? body.data?.totalRequests ?? body.data?.length ?? body.summary?.count ?? body.logs?.length;
    for (const path of paths) {
      const mine = await fetch(`${c.url}${path}`, { headers: auth(acme) });
      const theirs = await fetch(`${c.url}${path}`, { headers: auth(globex) });
      expect([path, count(await json<Counted>(mine)), count(await json<Counted>(theirs))]).toEqual([path, 1, 0]);
      const asking = await fetch(`${c.url}${path}${path.includes('?') ? '&' : '?'}tenant=acme`, { headers: auth(globex) });
      expect([path, asking.status]).toEqual([path, 403]);
    }
    const put = await fetch(`${c.url}/api/cost-monitoring/budget`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...auth(acme) },
      body: JSON.stringify({ userId: 'alice', dailyLimit: 1 }),
    });
    expect(put.status).toBe(403);
    expect((await fetch(`${c.url}/api/admin/costs`)).status).toBe(401);
  });
});
