import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { breakdownGroups } from '../../src/reports/breakdown-groups';
import { SqliteStore } from '../../src/storage/sqlite/sqlite.store';
import type { UsageRecord } from '../../src/usage/usage-record';
import { record } from '../support/records';

const H = 3_600_000;
const DAY = 24 * H;
const MARCH = Date.UTC(2026, 2, 1);

async function open(path: string): Promise<SqliteStore> {
  const store = new SqliteStore(path);
  await store.init();
  return store;
}

/** Records over `days` days from `startMs`, with conversations and team tags, some without either. */
function records(n: number, startMs: number, days: number): UsageRecord[] {
  return Array.from({ length: n }, (_, i) =>
    record({
      timeMs: startMs + Math.floor((i * days * DAY) / n),
      conversation: i % 5 === 0 ? null : `chat-${i % 17}`,
      tags: i % 3 === 0 ? {} : { team: `team-${i % 4}` },
      costNanos: i % 11 === 0 ? null : BigInt(i) * 1_000_003n,
    }),
  );
}

/** Each value's cost and calls over the records, those without a value under null. */
function expectedBy(all: UsageRecord[], valueOf: (r: UsageRecord) => string | null) {
  const sums = new Map<string | null, { costNanos: bigint; calls: number }>();
  for (const r of all) {
    const s = sums.get(valueOf(r)) ?? { costNanos: 0n, calls: 0 };
    sums.set(valueOf(r), { costNanos: s.costNanos + (r.costNanos ?? 0n), calls: s.calls + 1 });
  }
  return [...sums].map(([key, s]) => ({ key, ...s })).sort((a, b) => String(a.key).localeCompare(String(b.key)));
}

async function breakdown(store: SqliteStore, by: string, fromMs: number, toMs: number, maxValues = 1000) {
  const groups = await breakdownGroups({ storage: store, tenant: 'default', range: { fromMs, toMs, tz: 'UTC' }, filters: {}, maxValues }, by);
  return groups.map((g) => ({ key: g.key, costNanos: g.totals.costNanos, calls: g.totals.calls })).sort((a, b) => String(a.key).localeCompare(String(b.key)));
}

describe('sqlite: value rollups (conversations, tag values)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tokenledger-sqlite-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers every day of a new store from the value rollups, whole days and partial ones', async () => {
    const store = await open(join(dir, 'db.sqlite'));
    const all = records(600, MARCH, 6);
    await store.ingest(all);
    const fromMs = MARCH + 5 * H + 45 * 60_000;
    const toMs = MARCH + 4 * DAY + 2 * H;
    const answer = await store.valueSums({ tenant: 'default', fromMs, toMs, by: 'conversation', maxValues: 1000 });
    expect(answer.uncovered).toEqual([]);
    const inRange = all.filter((r) => r.timeMs >= fromMs && r.timeMs < toMs);
    const fromRollups = answer.values.map((v) => ({ key: v.value, costNanos: v.totals.costNanos, calls: v.totals.calls }));
    expect(fromRollups.sort((a, b) => a.key.localeCompare(b.key))).toEqual(expectedBy(inRange, (r) => r.conversation).filter((e) => e.key !== null));
    await store.close();
  });

  it('says there are more values than asked for, and a breakdown over them is refused naming by', async () => {
    const store = await open(join(dir, 'db.sqlite'));
    await store.ingest(records(200, MARCH, 2));
    const answer = await store.valueSums({ tenant: 'default', fromMs: MARCH, toMs: MARCH + 2 * DAY, by: 'conversation', maxValues: 16 });
    expect(answer).toMatchObject({ more: true });
    expect(answer.values).toHaveLength(16);
    await expect(breakdown(store, 'conversation', MARCH, MARCH + 2 * DAY, 16)).rejects.toMatchObject({
      input: 'by',
      message: expect.stringContaining('more than 16 values of conversation'),
    });
    expect(await breakdown(store, 'conversation', MARCH, MARCH + 2 * DAY, 17)).toHaveLength(18);
    await store.close();
  });

  it('answers a store written before the value rollups exactly: its days from the records and tag sets, later days from the rollups', async () => {
    const path = join(dir, 'db.sqlite');
    const store = await open(path);
    const before = records(400, MARCH, 4);
    await store.ingest(before);
    await store.close();
    // The file as the version before the value rollups left it.
    const db = new DatabaseSync(path);
    db.exec(
      "DELETE FROM rollup_dims WHERE dim = 'conversation' OR dim LIKE 'tag:%'; DELETE FROM rollup_dims_day WHERE dim = 'conversation' OR dim LIKE 'tag:%';",
    );
    db.exec('DROP TABLE value_rollups_from; PRAGMA user_version = 9;');
    db.close();
    const upgraded = await open(path);
    // Later days, and calls arriving late for the days stored before.
    const after = [...records(300, MARCH + 4 * DAY, 3), ...records(100, MARCH + DAY, 2)];
    await upgraded.ingest(after);
    const all = [...before, ...after];
    const answer = await upgraded.valueSums({ tenant: 'default', fromMs: MARCH, toMs: MARCH + 7 * DAY, by: 'tag:team', maxValues: 1000 });
    expect(answer.uncovered).toEqual([{ fromMs: MARCH, toMs: MARCH + 4 * DAY }]);
    for (const [fromMs, toMs] of [
      [MARCH, MARCH + 7 * DAY],
      [MARCH + 2 * DAY + 6 * H, MARCH + 5 * DAY + 3 * H],
      [MARCH + 5 * DAY, MARCH + 6 * DAY],
    ]) {
      const inRange = all.filter((r) => r.timeMs >= fromMs && r.timeMs < toMs);
      expect(await breakdown(upgraded, 'conversation', fromMs, toMs)).toEqual(expectedBy(inRange, (r) => r.conversation));
      expect(await breakdown(upgraded, 'tag:team', fromMs, toMs)).toEqual(expectedBy(inRange, (r) => r.tags.team ?? null));
    }
    await upgraded.close();
  });
});
