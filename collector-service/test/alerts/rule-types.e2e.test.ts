import { AlertRulesService } from '../../src/alerts/alert-rules.service';
import { type AlertHarness, alertStores, DAY, HOUR, NOW, startAlertHarness, USD } from './harness';

const at = (day: number, hour: number, minute = 0) => Date.UTC(2026, 10, day, hour, minute);

describe.each(alertStores())('alert rule types (injected clock, data through the storage port, %s)', (_store, storeEnv) => {
  let h: AlertHarness;
  beforeEach(async () => {
    h = await startAlertHarness(storeEnv());
  });
  afterEach(() => h.close());

  it('daily_cost_above fires once when today passes $50, and resolves when the next day starts', async () => {
    await h.only('daily_cost_above');
    await h.spend({ timeMs: at(23, 12), costNanos: 100n * USD }, { timeMs: at(24, 9), costNanos: 49n * USD });
    await h.evaluate();
    expect(h.received()).toEqual([]); // yesterday's $100 is not today's; today's $49 is under
    await h.spend({ timeMs: at(24, 10), costNanos: 2n * USD });
    expect(await h.evaluate()).toMatchObject({ fired: 1 });
    await h.evaluate(NOW + 10 * 60_000);
    expect(h.received()).toEqual([
      expect.objectContaining({
        rule: 'daily_cost_above',
        subject: 'tenant',
        valueUsd: '51.000000000',
        thresholdUsd: '50.000000000',
        periodStart: '2026-11-24T00:00:00.000Z',
        state: 'firing',
        severity: 'warning',
      }),
    ]);
    expect(await h.evaluate(NOW + DAY)).toMatchObject({ fired: 0, resolved: 1 });
    expect(h.received()[1]).toMatchObject({ state: 'resolved', resolvedAt: new Date(NOW + DAY).toISOString() });
    const [alert] = await h.alerts();
    expect(alert).toMatchObject({ state: 'resolved', valueNanos: '51000000000', thresholdNanos: '50000000000', resolvedReason: 'the condition cleared' });
    expect(alert.deliveries).toEqual([
      expect.objectContaining({ state: 'firing', ok: true, channelType: 'webhook' }),
      expect.objectContaining({ state: 'resolved', ok: true }),
    ]);
  });

  it("counts the day in the rule's time zone", async () => {
    await h.only('daily_cost_above', { timezone: 'America/New_York' });
    // 03:00 UTC on the 24th is still the 23rd in New York (UTC-5): not today there at 13:05 UTC.
    await h.spend({ timeMs: at(24, 3), costNanos: 60n * USD });
    await h.evaluate();
    expect(h.received()).toEqual([]);
    await h.spend({ timeMs: at(24, 6), costNanos: 51n * USD });
    await h.evaluate();
    expect(h.received()).toEqual([expect.objectContaining({ valueUsd: '51.000000000', periodStart: '2026-11-24T05:00:00.000Z' })]);
  });

  it('projected_month_above fires when month to date plus the 7-day average for the days left passes $1,000', async () => {
    await h.only('projected_month_above');
    await h.spend({ timeMs: at(2, 12), costNanos: 400n * USD });
    await h.evaluate();
    expect(h.received()).toEqual([]); // $400 so far, nothing in the last 7 days: projected $400
    await h.spend({ timeMs: at(20, 12), costNanos: 700n * USD });
    await h.evaluate();
    // $1,100 so far + $100/day × 6 days left of November.
    expect(h.received()).toEqual([
      expect.objectContaining({
        rule: 'projected_month_above',
        valueUsd: '1700.000000000',
        thresholdUsd: '1000.000000000',
        periodStart: '2026-11-01T00:00:00.000Z',
      }),
    ]);
  });

  it('user_daily_cost_above fires for each user over $10 today, and only them', async () => {
    await h.only('user_daily_cost_above');
    await h.spend(
      { user: 'alice', timeMs: at(24, 8), costNanos: 6n * USD },
      { user: 'alice', timeMs: at(24, 9), costNanos: 6n * USD },
      { user: 'bob', timeMs: at(24, 9), costNanos: 8n * USD },
      { user: 'carol', timeMs: at(23, 9), costNanos: 15n * USD },
      { user: 'dave', timeMs: at(24, 9), costNanos: 10n * USD },
    );
    await h.evaluate();
    expect(h.received()).toEqual([
      expect.objectContaining({ rule: 'user_daily_cost_above', subject: 'user:alice', valueUsd: '12.000000000', severity: 'info' }),
    ]);
  });

  it('trend_increase_above fires when the last 7 days cost more than 20 % over the 7 before', async () => {
    await h.only('trend_increase_above');
    await h.spend({ timeMs: at(12, 12), costNanos: 100n * USD }, { timeMs: at(20, 12), costNanos: 115n * USD });
    await h.evaluate();
    expect(h.received()).toEqual([]); // +15 %
    await h.spend({ timeMs: at(21, 12), costNanos: 10n * USD });
    await h.evaluate();
    expect(h.received()).toEqual([expect.objectContaining({ rule: 'trend_increase_above', valueUsd: '125.000000000', thresholdUsd: '120.000000000' })]);
  });

  it('unpriced_usage fires per model whose calls have no price, with the call count', async () => {
    await h.only('unpriced_usage');
    await h.spend({ model: 'gpt-4o', timeMs: at(24, 9) });
    await h.evaluate();
    expect(h.received()).toEqual([]);
    const unpriced = { model: 'mystery-1', costNanos: null, unitPrices: null, unpricedReason: 'no price for mystery-1', priceSource: null, timeMs: at(24, 9) };
    await h.spend(unpriced, unpriced);
    await h.evaluate();
    expect(h.received()).toEqual([expect.objectContaining({ rule: 'unpriced_usage', subject: 'model:mystery-1', count: 2, valueUsd: null })]);
  });

  it('spike fires when the last hour passes N × the hourly mean of the previous 7 days and the floor, and resolves after', async () => {
    const ruleId = await h.only('spike', { multiplier: 3, thresholdUsd: '5' });
    // $24 a day for the 7 days before the last hour: a mean of $1 an hour.
    const week = [18, 19, 20, 21, 22, 23].map((d) => ({ timeMs: at(d, 14), costNanos: 24n * USD }));
    await h.spend(...week, { timeMs: at(24, 1), costNanos: 24n * USD }, { timeMs: at(24, 12, 30), costNanos: 2n * USD });
    await h.evaluate();
    expect(h.received()).toEqual([]); // $2 in the last hour: under 3 × $1
    await h.spend({ timeMs: at(24, 13), costNanos: 1_500_000_000n });
    await h.evaluate();
    expect(h.received()).toEqual([]); // $3.50: over 3 × the mean, under the $5 floor
    await h.c.app.get(AlertRulesService).update('default', ruleId, { thresholdUsd: '1' });
    await h.evaluate();
    expect(h.received()).toEqual([expect.objectContaining({ rule: 'spike', valueUsd: '3.500000000', thresholdUsd: '3.000000000', state: 'firing' })]);
    await h.evaluate(NOW + 2 * HOUR);
    expect(h.received()[1]).toMatchObject({ rule: 'spike', state: 'resolved' });
  });

  it('resolves open alerts when their rule is disabled', async () => {
    await h.only('daily_cost_above', { thresholdUsd: '1' });
    await h.spend({ timeMs: at(24, 9), costNanos: 2n * USD });
    await h.evaluate();
    const rules = await h.c.app.get(AlertRulesService).list('default');
    await h.c.app.get(AlertRulesService).update('default', rules.find((r) => r.type === 'daily_cost_above')!.id, { enabled: false });
    expect(await h.evaluate()).toMatchObject({ resolved: 1 });
    expect((await h.alerts())[0]).toMatchObject({ state: 'resolved', resolvedReason: 'the rule was disabled' });
  });
});
