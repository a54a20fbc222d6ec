import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BudgetClock } from '../../src/budgets/budget-clock';
import { BudgetsService } from '../../src/budgets/budgets.service';
import { record } from '../support/records';
import { ingestRecords, startCollector } from '../support/app';
import { startHttpReceiver } from '../channels/receivers';
import { makeSpans, requestBytes } from '../support/spans';
import type { AlertDto } from '../../src/alerts/alert.dto';
import { AlertClock } from '../../src/alerts/alert-clock';
import { AlertEvaluator } from '../../src/alerts/alert-evaluator.service';
import { AlertSchedule } from '../../src/alerts/alert-schedule.service';
import type { BudgetDto } from '../../src/budgets/budget-answers.dto';
import type { ChannelDto } from '../../src/channels/channel.dto';
import { type AlertHarness, alertStores, ADMIN_KEY, api, DAY, NOW, startAlertHarness, USD } from './harness';

const CHAT = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.usage.input_tokens': 1500,
  'gen_ai.usage.output_tokens': 2000,
};

describe.each(alertStores())('budget_threshold alerts (%s)', (_store, storeEnv) => {
  let h: AlertHarness;
  let env: Record<string, string>;
  beforeEach(async () => {
    env = storeEnv();
    h = await startAlertHarness(env);
  });
  afterEach(() => h.close());

  /** Another collector instance on the harness's store (schedule off). */
  function startSecondInstance() {
    return startCollector({
      TOKENLEDGER_ADMIN_KEY: ADMIN_KEY,
      TOKENLEDGER_ALERT_INTERVAL_SECONDS: '0',
      ...env,
      ...(env.TOKENLEDGER_STORE ? {} : { TOKENLEDGER_SQLITE_PATH: h.c.config.sqlitePath }),
    });
  }

  /** One priced gpt-4o call ($0.02375) over real OTLP, as an app's exporter sends it. */
  async function otlpBatch(startMs: number) {
    const body = requestBytes(
      JsonTraceSerializer.serializeRequest(
        await makeSpans([{ name: 'chat gpt-4o', attributes: { ...CHAT, 'user.id': 'alice' }, startMs }], { 'service.name': 'shop' }),
      ),
    );
    return () => fetch(`${h.c.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` } });
  }

  it('fires each threshold right after the ingest that crosses it, without waiting for the schedule', async () => {
    await h.only('budget_threshold');
    const b = await h.budget({ name: 'daily AI', period: 'day', limitUsd: '0.04', thresholds: [0.5, 1] });
    const first = await otlpBatch(NOW - 120_000);
    expect((await first()).status).toBe(200);
    await h.settled();
    expect(h.received()).toEqual([
      expect.objectContaining({
        rule: 'budget_threshold',
        subject: `budget:${b.id}@0.5`,
        severity: 'warning',
        valueUsd: '0.023750000',
        thresholdUsd: '0.020000000',
        periodStart: '2026-11-24T00:00:00.000Z',
      }),
    ]);
    const second = await otlpBatch(NOW - 60_000);
    expect((await second()).status).toBe(200);
    await h.settled();
    expect(h.received()[1]).toMatchObject({
      subject: `budget:${b.id}@1`,
      severity: 'critical',
      valueUsd: '0.047500000',
      thresholdUsd: '0.040000000',
      message: 'Budget "daily AI" reached 100 % of its daily limit of $0.04: $0.05 spent',
    });
    // A retried batch stores nothing new, and a scheduled run finds both already fired.
    expect((await second()).status).toBe(200);
    await h.settled();
    await h.evaluate();
    expect(h.received()).toHaveLength(2);
  });

  it('alerts each user of a perUser budget separately, and resolves when the next period starts', async () => {
    await h.only('budget_threshold');
    const b = await h.budget({ name: 'per user', scope: { perUser: true }, period: 'day', limitUsd: '10', thresholds: [1] });
    await h.spend({ user: 'alice', timeMs: NOW - 60_000, costNanos: 11n * USD }, { user: 'bob', timeMs: NOW - 60_000, costNanos: 9n * USD });
    await h.evaluate();
    expect(h.received()).toEqual([
      expect.objectContaining({ subject: `budget:${b.id}:user:alice@1`, valueUsd: '11.000000000', thresholdUsd: '10.000000000', state: 'firing' }),
    ]);
    await h.evaluate(NOW + DAY);
    expect(h.received()[1]).toMatchObject({ subject: `budget:${b.id}:user:alice@1`, state: 'resolved' });
  });

  it('states a sub-cent limit and spend to the digit that matters, not as $0.00', async () => {
    await h.only('budget_threshold');
    await h.budget({ name: 'tiny', period: 'day', limitUsd: '0.004', thresholds: [0.5, 1] });
    await h.spend({ timeMs: NOW - 60_000, costNanos: 4_123_456n }, { user: 'bob', timeMs: NOW - 60_000, costNanos: 0n });
    await h.evaluate();
    expect(h.received().map((b) => b.message)).toEqual([
      'Budget "tiny" reached 50 % of its daily limit of $0.004: $0.00412 spent',
      'Budget "tiny" reached 100 % of its daily limit of $0.004: $0.00412 spent',
    ]);
  });

  it('names the budget of each budget alert in the alert list, as it is called now', async () => {
    await h.only('budget_threshold');
    const team = (
      await api<BudgetDto>(h.c, 'POST', '/v1/budgets', {
        name: 'Team AI',
        scope: { perUser: true },
        period: 'day',
        timezone: 'UTC',
        limitUsd: '1',
        thresholds: [1],
      })
    ).body;
    await h.spend({ user: 'alice', timeMs: NOW - 60_000, costNanos: 2n * USD });
    await h.evaluate();
    const [alert] = await h.alerts();
    expect(alert).toMatchObject({ subject: `budget:${team.id}:user:alice@1`, budget: { id: team.id, name: 'Team AI', user: 'alice', threshold: 1 } });
    expect((await api(h.c, 'PATCH', `/v1/budgets/${team.id}`, { name: 'Search team' })).status).toBe(200);
    expect((await api<AlertDto>(h.c, 'GET', `/v1/alerts/${alert.id}`)).body.budget).toMatchObject({ name: 'Search team' });
    expect((await api(h.c, 'DELETE', `/v1/budgets/${team.id}`)).status).toBe(204);
    expect((await h.alerts())[0].budget).toEqual({ id: team.id, name: null, user: 'alice', threshold: 1 });
    // Other alerts name no budget.
    await h.only('user_daily_cost_above', { thresholdUsd: '1', enabled: true });
    await h.evaluate(NOW + 60_000);
    expect((await h.alerts()).find((a) => a.rule === 'user_daily_cost_above')).toMatchObject({ subject: 'user:alice', budget: null });
  });

  it('gives budgets that share scope dimensions each their own spend', async () => {
    await h.only('budget_threshold');
    const alice = await h.budget({ name: 'alice', scope: { user: 'alice' }, period: 'month', limitUsd: '1', thresholds: [1] });
    await h.budget({ name: 'bob', scope: { user: 'bob' }, period: 'month', limitUsd: '1', thresholds: [1] });
    const gpt = await h.budget({ name: 'gpt-4o', scope: { provider: 'openai', model: 'gpt-4o' }, period: 'month', limitUsd: '1', thresholds: [1] });
    await h.budget({ name: 'claude', scope: { provider: 'anthropic', model: 'gpt-4o' }, period: 'month', limitUsd: '1', thresholds: [1] });
    await h.spend(
      { user: 'alice', provider: 'openai', model: 'gpt-4o', timeMs: NOW - 60_000, costNanos: 2n * USD },
      { user: 'bob', provider: 'anthropic', model: 'claude-sonnet-4', timeMs: NOW - 60_000, costNanos: USD / 2n },
    );
    await h.evaluate();
    expect(
      h
        .received()
        .map((b) => [b.subject, b.valueUsd])
        .sort(),
    ).toEqual(
      [
        [`budget:${alice.id}@1`, '2.000000000'],
        [`budget:${gpt.id}@1`, '2.000000000'],
      ].sort(),
    );
  });

  it("goes to the budget's own channels", async () => {
    const slack = await startHttpReceiver();
    try {
      await h.only('budget_threshold');
      const channel = (await api<ChannelDto>(h.c, 'POST', '/v1/channels', { type: 'slack', name: 'finance', url: slack.url })).body.id;
      await h.budget({ name: 'team', period: 'month', limitUsd: '100', thresholds: [0.8], channels: [channel] });
      await h.spend({ timeMs: NOW - 60_000, costNanos: 85n * USD });
      expect(h.received()).toEqual([]);
      expect((JSON.parse(slack.requests[0].body) as { text: string }).text).toBe(
        'WARNING: Budget "team" reached 80 % of its monthly limit of $100.00: $85.00 spent',
      );
    } finally {
      await slack.close();
    }
  });

  it('works a budget out again when its limit changes, though its spend did not', async () => {
    await h.only('budget_threshold');
    const b = await h.budget({ name: 'team', period: 'day', limitUsd: '10', thresholds: [1] });
    await h.spend({ timeMs: NOW - 60_000, costNanos: 8n * USD });
    await h.evaluate();
    expect(h.received()).toEqual([]);
    expect((await api(h.c, 'PATCH', `/v1/budgets/${b.id}`, { limitUsd: '5' })).status).toBe(200);
    await h.evaluate(NOW + 60_000);
    expect(h.received()).toEqual([expect.objectContaining({ subject: `budget:${b.id}@1`, valueUsd: '8.000000000', thresholdUsd: '5.000000000' })]);
  });

  it('counts what another instance stored once the budgets have synced', async () => {
    // The budgets' clock at the alerts' NOW, so the spend of NOW's day stays in memory between passes.
    h.c.app.get(BudgetClock).now = () => NOW;
    const second = await startSecondInstance();
    try {
      await h.only('budget_threshold');
      const b = await h.budget({ name: 'daily AI', period: 'day', limitUsd: '10', thresholds: [1] });
      await h.spend({ timeMs: NOW - 60_000, costNanos: 4n * USD });
      await h.evaluate();
      expect(h.received()).toEqual([]);
      await ingestRecords(second.app, [record({ timeMs: NOW - 30_000, costNanos: 7n * USD })]);
      await h.c.app.get(BudgetsService).sync();
      await h.evaluate(NOW + 60_000);
      expect(h.received()).toEqual([expect.objectContaining({ subject: `budget:${b.id}@1`, valueUsd: '11.000000000' })]);
    } finally {
      await second.close();
    }
  });

  it('keeps an alert another instance fired open while this instance has not synced that instance’s spend yet', async () => {
    h.c.app.get(BudgetClock).now = () => NOW;
    const second = await startSecondInstance();
    try {
      second.app.get(BudgetClock).now = () => NOW;
      second.app.get(AlertClock).now = () => NOW;
      await h.only('budget_threshold');
      const b = await h.budget({ name: 'daily AI', period: 'day', limitUsd: '10', thresholds: [1] });
      // The second instance knows the budget and has its spend in memory, nothing spent yet.
      await second.app.get(BudgetsService).sync();
      await second.app.get(AlertEvaluator).evaluate(NOW);
      // From here its sync lags behind the first instance's writes (a round is slow under load, and
      // decides nothing while its own batches are in flight): here it does not run at all.
      jest.spyOn(second.app.get(BudgetsService), 'sync').mockResolvedValue(undefined);
      // The first instance stores the crossing and fires.
      await h.spend({ timeMs: NOW - 60_000, costNanos: 11n * USD });
      expect(h.received()).toEqual([expect.objectContaining({ state: 'firing', subject: `budget:${b.id}@1` })]);
      // The second instance stores a batch of its own, and its pass after it, and its scheduled run, come.
      await ingestRecords(second.app, [record({ timeMs: NOW - 30_000, costNanos: 1n * USD })]);
      await second.app.get(AlertSchedule).settled();
      await second.app.get(AlertEvaluator).evaluate(NOW + 60_000);
      expect(h.received().map((n) => n.state)).toEqual(['firing']);
      expect(await h.alerts()).toEqual([expect.objectContaining({ state: 'firing', subject: `budget:${b.id}@1` })]);
    } finally {
      await second.close();
    }
  });
});
