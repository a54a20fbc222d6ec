import { BudgetExceededError, checkBudget, withAttribution } from '../src';
import { installBudgetGuard, uninstallBudgetGuard } from '../src/budget/install';
import { type BudgetGuardOptions, guardOptionsFromEnv, resolveGuardOptions } from '../src/budget/options';
import { ALLOW, BLOCK, type BudgetStub, startBudgetStub } from './support/budget-stub';
import { type InProcess, inProcess } from './support/in-process';
import { closedPort } from './support/otlp-receiver';

describe('the budget guard', () => {
  let h: InProcess;
  let stub: BudgetStub;
  let clock: number;
  let warn: jest.SpyInstance<void, [message?: unknown, ...optionalParams: unknown[]]>;
  beforeEach(async () => {
    h = await inProcess();
    stub = await startBudgetStub();
    stub.answer = (body) => (body.user === 'over' ? BLOCK : ALLOW);
    clock = 1_000_000;
    warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(async () => {
    uninstallBudgetGuard();
    warn.mockRestore();
    await stub.close();
    await h.close();
  });
  // A first decision may take long on a busy machine: only the cold-wait test relies on the 250 ms default being short.
  const guard = (options: Partial<BudgetGuardOptions> = {}) =>
    installBudgetGuard(resolveGuardOptions({ url: stub.url, apiKey: 'ingest-key', service: 'shop', now: () => clock, coldWaitMs: 30_000, ...options }));
  const chat = (user: string) =>
    withAttribution({ userId: user, feature: 'assistant' }, () =>
      h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    );

  it('blocks an over-budget user with BudgetExceededError before any request leaves the process, and lets another through', async () => {
    guard();
    const error = await chat('over').then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(error).toMatchObject({
      name: 'BudgetExceededError',
      code: 'budget_exceeded',
      status: 402,
      budgetId: 'b-daily',
      resetsAt: '2026-12-01T00:00:00.000Z',
      reason: 'exceeded',
    });
    expect((error as Error).message).toContain('budget "per-user daily" is exceeded ($12.00 spent of $10.00)');
    expect(h.llm.requests).toHaveLength(0);

    expect((await chat('within')).choices).toHaveLength(1);
    expect(h.llm.requests).toHaveLength(1);
    expect(stub.checks.map((c) => c.body)).toEqual([
      { user: 'over', feature: 'assistant', service: 'shop', provider: 'openai', model: 'gpt-4o-mini' },
      { user: 'within', feature: 'assistant', service: 'shop', provider: 'openai', model: 'gpt-4o-mini' },
    ]);
    expect(stub.checks[0].headers.authorization).toBe('Bearer ingest-key');
  });

  it("answers from its cache once warm: no check on the hot path, and the SDK's own promise comes back", async () => {
    guard();
    await chat('alice');
    const { response } = await withAttribution({ userId: 'alice', feature: 'assistant' }, () =>
      h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse(),
    );
    expect(response.status).toBe(200);
    await chat('alice');
    expect(stub.checks).toHaveLength(1);
    await expect(chat('over')).rejects.toBeInstanceOf(BudgetExceededError);
    await expect(chat('over')).rejects.toBeInstanceOf(BudgetExceededError);
    expect(stub.checks).toHaveLength(2);
  });

  it('refreshes an aging decision in the background while still answering from the cache', async () => {
    const g = guard({ cacheMs: 1000 });
    await chat('bob');
    stub.answer = () => BLOCK; // bob has just crossed his limit
    clock += 1500;
    await chat('bob'); // answered from the cache at once; the refresh runs behind it
    // Joins the refresh in flight and waits for it to land in the cache.
    await g.check(g.requestFor({ 'user.id': 'bob', 'tokenledger.feature': 'assistant' }, 'openai', 'gpt-4o-mini'));
    expect(stub.checks).toHaveLength(2);
    await expect(chat('bob')).rejects.toMatchObject({ budgetId: 'b-daily' });
    expect(h.llm.requests).toHaveLength(2);
  });

  it('waits at most coldWaitMs for a first decision, then fails open with one warning', async () => {
    stub.answer = () => 'hang';
    guard({ coldWaitMs: 20 });
    expect((await chat('carol')).choices).toHaveLength(1);
    expect((await chat('dave')).choices).toHaveLength(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain('TOKENLEDGER_BUDGET_FAIL=open');
  });

  it('fails open against an unreachable collector, warning once', async () => {
    guard({ url: `http://127.0.0.1:${await closedPort()}` });
    expect((await chat('erin')).choices).toHaveLength(1);
    expect((await chat('frank')).choices).toHaveLength(1);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('fails closed when TOKENLEDGER_BUDGET_FAIL=closed and the collector is unreachable: nothing is sent', async () => {
    guard({ url: `http://127.0.0.1:${await closedPort()}`, fail: 'closed' });
    await expect(chat('erin')).rejects.toMatchObject({ name: 'BudgetExceededError', status: 402, reason: 'unavailable', budgetId: null });
    expect(h.llm.requests).toHaveLength(0);
  });

  it('checkBudget gives code that asks first the same decision, for the current attribution by default', async () => {
    guard();
    await expect(withAttribution({ userId: 'over' }, () => checkBudget())).resolves.toMatchObject({
      allowed: false,
      decision: 'block',
      resetsAt: BLOCK.resetsAt,
    });
    await expect(checkBudget({ userId: 'alice', model: 'gpt-4o' })).resolves.toMatchObject({ allowed: true, decision: 'allow' });
    expect(stub.checks.map((c) => c.body)).toEqual([
      { user: 'over', service: 'shop' },
      { user: 'alice', service: 'shop', model: 'gpt-4o' },
    ]);
    uninstallBudgetGuard();
    guard({ url: `http://127.0.0.1:${await closedPort()}` });
    await expect(checkBudget({ userId: 'alice' })).resolves.toMatchObject({ allowed: true, unavailable: true });
  });

  it('takes its settings from TOKENLEDGER_* variables, naming the variable when one is wrong', () => {
    expect(guardOptionsFromEnv({})).toBeNull();
    expect(guardOptionsFromEnv({ TOKENLEDGER_BUDGET_GUARD: 'off', TOKENLEDGER_URL: 'x' })).toBeNull();
    expect(
      guardOptionsFromEnv({
        TOKENLEDGER_BUDGET_GUARD: 'on',
        TOKENLEDGER_URL: 'http://collector:8080/',
        TOKENLEDGER_API_KEY: 'k',
        TOKENLEDGER_BUDGET_FAIL: 'closed',
        OTEL_SERVICE_NAME: 'shop',
      }),
    ).toMatchObject({ url: 'http://collector:8080', apiKey: 'k', fail: 'closed', service: 'shop', coldWaitMs: 250 });
    expect(() => guardOptionsFromEnv({ TOKENLEDGER_BUDGET_GUARD: 'on' })).toThrow(/^TOKENLEDGER_URL is required/);
    expect(() => guardOptionsFromEnv({ TOKENLEDGER_BUDGET_GUARD: 'on', TOKENLEDGER_URL: 'collector:8080' })).toThrow(/^TOKENLEDGER_URL must be/);
    expect(() => guardOptionsFromEnv({ TOKENLEDGER_BUDGET_GUARD: 'on', TOKENLEDGER_URL: 'http://c', TOKENLEDGER_BUDGET_FAIL: 'maybe' })).toThrow(
      /^TOKENLEDGER_BUDGET_FAIL must be "open" or "closed"/,
    );
    expect(() => guardOptionsFromEnv({ TOKENLEDGER_BUDGET_GUARD: 'yes please' })).toThrow(/^TOKENLEDGER_BUDGET_GUARD must be "on" or "off"/);
    expect(() => resolveGuardOptions({ url: 'http://c', cacheMs: -1 })).toThrow(/^budgetGuard.cacheMs must be/);
  });
});
