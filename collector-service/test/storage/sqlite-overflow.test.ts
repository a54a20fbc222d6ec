import { DEFAULT_FOLD_SETTINGS, type FoldSettings } from '../../src/storage/sqlite/rollup-folds';
import { record } from '../support/records';
import { sqliteStoresPerTest } from '../support/sqlite-stores';

/** The largest amount one SQLite integer holds: about $9.2 billion in nano-USD. */
const INT64_MAX = 9_223_372_036_854_775_807n;
const HELD: FoldSettings = { ...DEFAULT_FOLD_SETTINGS, delayMs: 3_600_000 };
const DAY_1 = Date.UTC(2026, 10, 24, 12);
const DAY_2 = Date.UTC(2026, 10, 25, 12);
const ALL = { tenant: 'default', fromMs: 0, toMs: Date.UTC(2100, 0, 1), filters: {} };

describe('sqlite: money never wraps', () => {
  const { open } = sqliteStoresPerTest('tokenledger-overflow-');

  it("refuses the records a tenant's day cannot hold, stores the rest, and starts again", async () => {
    const store = await open();
    const fits = record({ timeMs: DAY_1, costNanos: INT64_MAX - 10n });
    const outcome = await store.ingest([
      fits,
      record({ timeMs: DAY_1, costNanos: 11n }),
      record({ timeMs: DAY_1, costNanos: 10n }),
      record({ timeMs: DAY_1, tenant: 'acme', costNanos: 11n }),
    ]);
    expect(outcome.stored.map((r) => r.costNanos)).toEqual([INT64_MAX - 10n, 10n, 11n]);
    expect(outcome.refused).toEqual([
      { id: expect.any(String), reason: expect.stringMatching(/tenant "default" on 2026-11-24 \(UTC\) would exceed what the store can hold/) },
    ]);
    // A retried batch of records already stored is not refused: duplicates need no room.
    const retried = await store.ingest([fits]);
    expect(retried).toMatchObject({ stored: [], duplicates: 1 });
    expect(retried.refused ?? []).toEqual([]);
    await store.close();
    const restarted = await open();
    expect((await restarted.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 2, costNanos: INT64_MAX });
    expect((await restarted.aggregate({ ...ALL, tenant: 'acme', groupBy: [] }))[0].costNanos).toBe(11n);
  });

  it('keeps every token count of a tenant day exact in a JavaScript number', async () => {
    const store = await open();
    const half = 2 ** 52;
    const outcome = await store.ingest([
      record({ timeMs: DAY_1, tokens: { input: half, output: 1, cacheRead: 0, cacheWrite: 0, reasoning: 0 } }),
      record({ timeMs: DAY_1, tokens: { input: half, output: 1, cacheRead: 0, cacheWrite: 0, reasoning: 0 } }),
    ]);
    expect(outcome.stored).toHaveLength(1);
    expect(outcome.refused![0].reason).toMatch(/input tokens/);
  });

  it('sums a range whose days together exceed one integer, exactly', async () => {
    const store = await open();
    const big = INT64_MAX / 2n;
    await store.ingest([
      record({ timeMs: DAY_1, costNanos: big }),
      record({ timeMs: DAY_1, costNanos: big, user: 'bob' }),
      record({ timeMs: DAY_2, costNanos: big }),
      record({ timeMs: DAY_2, costNanos: big, user: 'bob' }),
    ]);
    expect((await store.aggregate({ ...ALL, groupBy: [] }))[0].costNanos).toBe(4n * big);
    const byUser = await store.aggregate({ ...ALL, groupBy: ['user'] });
    expect(Object.fromEntries(byUser.map((r) => [r.key.user, r.costNanos]))).toEqual({ alice: 2n * big, bob: 2n * big });
    const byUserAndModel = await store.aggregate({ ...ALL, groupBy: ['user', 'model'] });
    expect(byUserAndModel.reduce((sum, r) => sum + r.costNanos, 0n)).toBe(4n * big);
    const tagged = { tenant: 'tagged', tags: { team: 'a' } };
    await store.ingest([
      record({ ...tagged, timeMs: DAY_1, costNanos: big }),
      record({ ...tagged, timeMs: DAY_2, costNanos: big }),
      record({ ...tagged, timeMs: DAY_2 + 1, costNanos: big }),
    ]);
    expect((await store.aggregate({ ...ALL, tenant: 'tagged', tags: { team: 'a' }, groupBy: [] }))[0].costNanos).toBe(3n * big);
  });

  it('sets aside, and says so, a batch another process stored that no rollup can add, and keeps serving', async () => {
    const reader = await open();
    await reader.ingest([record({ timeMs: DAY_1, costNanos: 1n })]); // its view of the day, before the other process writes
    const other = await open(HELD);
    await other.ingest([record({ timeMs: DAY_1, costNanos: INT64_MAX - 5n })]);
    await reader.ingest([record({ timeMs: DAY_1, costNanos: INT64_MAX - 5n })]);
    // Folding both would pass what a rollup row holds: the batch folded second is set aside.
    const [total] = await reader.aggregate({ ...ALL, groupBy: [] });
    expect(total).toMatchObject({ calls: 2, costNanos: INT64_MAX - 4n });
    expect(reader.setAside()).toEqual([expect.objectContaining({ records: 1, reason: expect.stringMatching(/cannot hold/) })]);
    const restarted = await open();
    expect((await restarted.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 2, costNanos: INT64_MAX - 4n });
  });
});
