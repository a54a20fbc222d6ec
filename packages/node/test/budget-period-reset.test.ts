import type { BudgetDto } from './support/collector-api';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { type CollectorInJest, startCollectorInJest } from './support/collector-in-jest';
import { REQUIRE_HOOK, startApp } from './support/run-app';

jest.setTimeout(180_000);

const DAY_MS = 86_400_000;
const usersOf = (llm: MockLlmServer) => llm.requests.map((r) => /user\.id=(\w+)/.exec(String(r.headers.baggage))?.[1]);
const lastReport = (stdout: string, step: string) =>
  JSON.parse(
    stdout
      .trim()
      .split('\n')
      .filter((line) => line.includes(`"step":"${step}"`))
      .pop()!,
  ) as Record<string, unknown>;

describe('the budget guard across a period boundary', () => {
  let collector: CollectorInJest;
  let llm: MockLlmServer;
  beforeAll(async () => {
    collector = await startCollectorInJest();
    llm = await startMockLlmServer();
  });
  afterAll(async () => {
    await llm?.close();
    await collector?.close();
  });

  it('lets a blocked user through again in the next period, in the same app process', async () => {
    // The collector's clock runs with real time until it is moved; the app's spans carry real times.
    collector.budgetClock.now = () => Date.now();
    // Far below one call's cost (gpt-4o, 12 tokens in and 3 out: $0.00006), so one call crosses it.
    const created = await collector.api<BudgetDto>('/v1/budgets', {
      name: 'mallory daily',
      scope: { user: 'mallory' },
      period: 'day',
      timezone: 'UTC',
      limitUsd: '0.000001',
      thresholds: [1],
      action: 'block',
      channels: [],
    });
    expect(created.status).toBe(201);

    const app = startApp(REQUIRE_HOOK, 'guard-period-app.cjs', {
      MOCK_LLM_URL: llm.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_SERVICE_NAME: 'shop',
      TOKENLEDGER_BUDGET_GUARD: 'on',
      TOKENLEDGER_URL: collector.url,
      TOKENLEDGER_BUDGET_CACHE_MS: '200',
    });
    await app.waitFor('"step":"blocked"');
    const nextDayStart = Math.floor(collector.budgetClock.now() / DAY_MS) * DAY_MS + DAY_MS;
    expect(lastReport(app.stdout(), 'blocked')).toEqual({
      step: 'blocked',
      decision: 'block',
      blocked: { isBudgetExceededError: true, budgetId: created.body.id, resetsAt: new Date(nextDayStart).toISOString() },
    });
    // The refused call never reached the provider: only mallory's first call did.
    expect(usersOf(llm)).toEqual(['mallory']);

    // A minute into the next day by the collector's clock: mallory's spend there is nothing.
    collector.budgetClock.now = () => nextDayStart + 60_000;
    app.send('next period');
    const run = await app.done;
    expect(run.code).toBe(0);
    expect(lastReport(run.stdout, 'next period')).toEqual({ step: 'next period', decision: 'allow', reply: 'Hello from gpt-4o!' });
    expect(usersOf(llm)).toEqual(['mallory', 'mallory']);
  });
});
