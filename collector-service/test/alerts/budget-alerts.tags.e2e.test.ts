import { type AlertHarness, alertStores, NOW, startAlertHarness, USD } from './harness';

describe.each(alertStores())('budget_threshold alerts of a budget scoped by tags (%s)', (_store, storeEnv) => {
  let h: AlertHarness;
  beforeEach(async () => {
    h = await startAlertHarness(storeEnv());
  });
  afterEach(() => h.close());

  it("fires on the spend of calls whose tags include the budget's, and on no other", async () => {
    await h.only('budget_threshold');
    const b = await h.budget({ name: 'search team', scope: { tags: { team: 'search' } }, period: 'day', limitUsd: '10', thresholds: [0.5, 1] });
    // $40 the budget does not cover: other tags, no tags.
    await h.spend({ tags: { team: 'ads' }, timeMs: NOW - 60_000, costNanos: 20n * USD }, { tags: {}, timeMs: NOW - 60_000, costNanos: 20n * USD });
    await h.evaluate();
    expect(h.received()).toEqual([]);
    await h.spend({ tags: { env: 'prod', team: 'search' }, timeMs: NOW - 60_000, costNanos: 6n * USD });
    await h.evaluate();
    expect(h.received()).toEqual([expect.objectContaining({ subject: `budget:${b.id}@0.5`, valueUsd: '6.000000000', thresholdUsd: '5.000000000' })]);
  });
});
