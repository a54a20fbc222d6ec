import type { BudgetDto } from './support/collector-api';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { type CollectorProcess, startCollectorProcess } from './support/collector';
import { REQUIRE_HOOK, runApp } from './support/run-app';

jest.setTimeout(180_000);

describe('the budget guard against the real collector', () => {
  let collector: CollectorProcess;
  let llm: MockLlmServer;
  beforeAll(async () => {
    collector = await startCollectorProcess();
    llm = await startMockLlmServer();
  });
  afterAll(async () => {
    await llm?.close();
    await collector?.stop();
  });

  it('refuses a user over a block budget through the real openai SDK, sending nothing, and lets another user through', async () => {
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

    const run = await runApp(REQUIRE_HOOK, 'guard-app.cjs', {
      MOCK_LLM_URL: llm.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_SERVICE_NAME: 'shop',
      TOKENLEDGER_BUDGET_GUARD: 'on',
      TOKENLEDGER_URL: collector.url,
      TOKENLEDGER_BUDGET_CACHE_MS: '200',
    });
    expect(run.code).toBe(0);
    const tomorrow = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1)).toISOString();
    expect(JSON.parse(run.stdout)).toEqual({
      decision: 'block',
      blocked: {
        isBudgetExceededError: true,
        name: 'BudgetExceededError',
        code: 'budget_exceeded',
        status: 402,
        budgetId: created.body.id,
        resetsAt: tomorrow,
      },
      other: 'Hello from gpt-4o!',
    });
    // mallory's first call and trent's reached the provider; mallory's refused one never did.
    expect(llm.requests.map((r) => /user\.id=(\w+)/.exec(String(r.headers.baggage))?.[1])).toEqual(['mallory', 'trent']);
  });
});
