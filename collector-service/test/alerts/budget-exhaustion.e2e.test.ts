import { type AlertHarness, alertStores, api, DAY, HOUR, NOW, startAlertHarness, USD } from './harness';

// NOW is 13:05 UTC: 785 minutes of a 1,440-minute UTC day have passed.
describe.each(alertStores())('budget_exhaustion alerts (%s)', (_store, storeEnv) => {
  let h: AlertHarness;
  beforeEach(async () => {
    h = await startAlertHarness(storeEnv());
  });
  afterEach(() => h.close());

  it('fires once per budget and period when the run rate uses up the limit within the hours asked, and stays open once it has', async () => {
    const rule = await h.only('budget_exhaustion', { withinHours: 9 });
    expect((await api(h.c, 'GET', `/v1/alert-rules/${rule}`)).body).toMatchObject({
      type: 'budget_exhaustion',
      withinHours: 9,
      thresholdUsd: null,
      enabled: true,
    });
    const b = await h.budget({ name: 'daily AI', period: 'day', limitUsd: '10', thresholds: [1] });
    // $5 in 785 minutes runs out 1,570 minutes into the day: after it ends.
    await h.spend({ timeMs: NOW - 60_000, costNanos: 5n * USD });
    await h.evaluate();
    expect(h.received()).toEqual([]);
    // $6 runs out 10 × 785 / 6 = 1,308⅓ minutes in, at 21:48:20: 8 h 43 min 20 s from now, within 9 hours.
    await h.spend({ timeMs: NOW - 60_000, costNanos: USD });
    await h.evaluate();
    expect(h.received()).toEqual([
      expect.objectContaining({
        rule: 'budget_exhaustion',
        subject: `budget:${b.id}@exhaustion`,
        state: 'firing',
        // $6 × 1,440 / 785, rounded down to the nano
        valueUsd: '11.006369426',
        thresholdUsd: '10.000000000',
        periodStart: '2026-11-24T00:00:00.000Z',
        message:
          'Budget "daily AI" will use up its daily limit of $10.00 at 2026-11-24T21:48:20Z (UTC) at the current rate: $6.00 spent, $11.01 projected by the period\'s end',
      }),
    ]);
    expect((await h.alerts())[0].budget).toEqual({ id: b.id, name: 'daily AI', user: null, threshold: null });
    // Evaluated again, and once the limit is used up: the same alert, still open, not sent again.
    await h.evaluate();
    await h.spend({ timeMs: NOW - 60_000, costNanos: 5n * USD });
    await h.evaluate(NOW + HOUR);
    expect(h.received()).toHaveLength(1);
    expect((await h.alerts('?state=firing')).map((a) => a.subject)).toEqual([`budget:${b.id}@exhaustion`]);
    // The next day is a new period: the alert resolves, and nothing is spent in it yet.
    await h.evaluate(NOW + DAY);
    expect(h.received()[1]).toMatchObject({ subject: `budget:${b.id}@exhaustion`, state: 'resolved' });
    expect(h.received()).toHaveLength(2);
  });

  it('resolves when the rate slows enough that the limit outlasts the hours asked', async () => {
    await h.only('budget_exhaustion', { withinHours: 9 });
    await h.budget({ name: 'daily AI', period: 'day', limitUsd: '10', thresholds: [1] });
    await h.spend({ timeMs: NOW - 60_000, costNanos: 6n * USD });
    await h.evaluate();
    // An hour later with nothing spent: $6 in 845 minutes runs out at 23:28:20, 9 h 23 min away.
    await h.evaluate(NOW + HOUR);
    expect(h.received().map((r) => r.state)).toEqual(['firing', 'resolved']);
  });

  it('names each user of a perUser budget whose own rate runs out, each on their own', async () => {
    await h.only('budget_exhaustion', { withinHours: 24 });
    const b = await h.budget({ name: 'per user', scope: { perUser: true }, period: 'day', limitUsd: '10', thresholds: [1] });
    await h.spend({ user: 'alice', timeMs: NOW - 60_000, costNanos: 6n * USD }, { user: 'bob', timeMs: NOW - 60_000, costNanos: 5n * USD });
    await h.evaluate();
    expect(h.received().map((r) => r.subject)).toEqual([`budget:${b.id}:user:alice@exhaustion`]);
  });
});
