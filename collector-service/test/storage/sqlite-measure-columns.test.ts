import { DatabaseSync } from 'node:sqlite';
import { record } from '../support/records';
import { sqliteStoresPerTest } from '../support/sqlite-stores';

const AT = Date.UTC(2026, 10, 24, 12);
const ALL = { tenant: 'default', fromMs: 0, toMs: Date.UTC(2100, 0, 1), filters: {} };
const ROLLUP_TABLES = ['rollups', 'rollup_totals', 'rollup_dims', 'rollup_dims_day', 'tag_rollups'];

describe('sqlite: rollup measures', () => {
  const { open, path } = sqliteStoresPerTest('tokenledger-measures-');

  it('opens a store made before one of its measures existed, reads 0 for that measure in what it held, and counts it from then on', async () => {
    const tokens = (reasoning: number) => ({ input: 10, output: 5, cacheRead: 0, cacheWrite: 0, reasoning });
    const before = await open();
    await before.ingest([record({ timeMs: AT, user: 'ann', tags: { team: 'search' }, costNanos: 7n, tokens: tokens(3) })]);
    expect((await before.aggregate({ ...ALL, groupBy: [] }))[0].tokens.reasoning).toBe(3); // folded into every rollup
    await before.close();
    // The same file as a version without the reasoning measure left it.
    const db = new DatabaseSync(path());
    for (const table of ROLLUP_TABLES) db.exec(`ALTER TABLE ${table} DROP COLUMN reasoning_tokens`);
    db.close();

    const store = await open();
    expect((await store.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 1, costNanos: 7n, tokens: tokens(0) });
    await store.ingest([record({ timeMs: AT, user: 'ann', tags: { team: 'search' }, costNanos: 1n, tokens: tokens(4) })]);
    const twice = { calls: 2, costNanos: 8n, tokens: { input: 20, output: 10, reasoning: 4 } };
    expect((await store.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject(twice);
    expect((await store.aggregate({ ...ALL, groupBy: ['user', 'model'] }))[0]).toMatchObject(twice);
    expect((await store.aggregate({ ...ALL, groupBy: ['user'] }))[0]).toMatchObject(twice);
    expect((await store.aggregate({ ...ALL, tags: { team: 'search' }, groupBy: [] }))[0]).toMatchObject(twice);
  });
});
