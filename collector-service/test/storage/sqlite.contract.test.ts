import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FOLD_SETTINGS } from '../../src/storage/sqlite/rollup-folds';
import { SqliteStore } from '../../src/storage/sqlite/sqlite.store';
import { record } from '../support/records';
import { storageContract } from './storage.contract';

async function open(path: string): Promise<SqliteStore> {
  const store = new SqliteStore(path);
  await store.init();
  return store;
}

storageContract('sqlite', {
  // A fold is one transaction: it can only be interrupted before it starts (a process that stored
  // batches and died), and its batches are then folded at the next read or start.
  capabilities: { compaction: { crashPoints: ['beforeFold'] } },
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'tokenledger-sqlite-'));
    const path = join(dir, 'db.sqlite');
    const store = await open(path);
    return {
      store,
      another: () => open(path),
      destroy: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
      compaction: {
        async interrupted() {
          // Folds an hour after its ingests: until it is closed, what it stores waits like a dead process's batches.
          const held = new SqliteStore(path, { ...DEFAULT_FOLD_SETTINGS, delayMs: 3_600_000 });
          await held.init();
          return { store: held, compact: async () => {} };
        },
        // Every read folds what is stored and not folded yet, in any process.
        compact: async (s) => void (await s.aggregate({ tenant: 'default', fromMs: 0, toMs: 1, filters: {}, groupBy: [] })),
      },
    };
  },
});

describe('sqlite: one transaction per batch', () => {
  it('leaves records and rollups untouched when a batch fails half way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenledger-sqlite-'));
    const store = await open(join(dir, 'db.sqlite'));
    const ALL = { tenant: 'default', fromMs: 0, toMs: Date.UTC(2100, 0, 1), filters: {} };
    await store.ingest([record({ tags: { team: 'search' } })]);
    const broken = record();
    (broken as unknown as { costNanos: unknown }).costNanos = { not: 'money' };
    await expect(store.ingest([record({ tags: { team: 'search' } }), broken])).rejects.toThrow();
    expect((await store.aggregate({ ...ALL, groupBy: [] }))[0].calls).toBe(1);
    expect((await store.aggregate({ ...ALL, tags: { team: 'search' }, groupBy: [] }))[0].calls).toBe(1);
    expect((await store.listRecords({ ...ALL, limit: 10 })).records).toHaveLength(1);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('sqlite: narrow rollups', () => {
  it('answers summaries, one-dimension breakdowns and multi-dimension filters with the same exact sums', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenledger-sqlite-'));
    const store = await open(join(dir, 'db.sqlite'));
    const ALL = { tenant: 'default', fromMs: 0, toMs: Date.UTC(2100, 0, 1), filters: {} };
    const users = ['alice', 'bob', null];
    const recs = Array.from({ length: 300 }, (_, i) =>
      record({ user: users[i % 3], model: i % 2 ? 'gpt-4o' : 'o3', costNanos: BigInt(i * 1000 + 7), timeMs: Date.UTC(2026, 0, 1) + i * 600_000 }),
    );
    await store.ingest(recs);
    const sumOf = (rs: typeof recs) => rs.reduce((s, r) => s + r.costNanos!, 0n);
    expect((await store.aggregate({ ...ALL, groupBy: [] }))[0].costNanos).toBe(sumOf(recs));
    const byUser = await store.aggregate({ ...ALL, groupBy: ['user'] });
    expect(byUser.find((r) => r.key.user === null)?.costNanos).toBe(sumOf(recs.filter((r) => r.user === null)));
    const bobByBucket = await store.aggregate({ ...ALL, filters: { user: 'bob' }, groupBy: ['bucket'] });
    expect(bobByBucket.reduce((s, r) => s + r.costNanos, 0n)).toBe(sumOf(recs.filter((r) => r.user === 'bob')));
    // A range of whole days plus partial edges (day rollups in the middle, 15-minute ones at the edges).
    const from = Date.UTC(2026, 0, 1, 5, 45);
    const to = Date.UTC(2026, 0, 3, 2, 15);
    const edged = await store.aggregate({ ...ALL, fromMs: from, toMs: to, groupBy: ['user'] });
    expect(edged.find((r) => r.key.user === 'alice')?.costNanos).toBe(sumOf(recs.filter((r) => r.user === 'alice' && r.timeMs >= from && r.timeMs < to)));
    const bobO3 = await store.aggregate({ ...ALL, filters: { user: 'bob', model: 'o3' }, groupBy: [] });
    expect(bobO3[0].costNanos).toBe(sumOf(recs.filter((r) => r.user === 'bob' && r.model === 'o3')));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the narrow rollups from existing data when an older database is upgraded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenledger-sqlite-'));
    const path = join(dir, 'db.sqlite');
    const store = await open(path);
    await store.ingest([record({ costNanos: 11n }), record({ costNanos: 31n, user: 'bob' })]);
    await store.close();
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(path);
    db.exec('DROP TABLE rollup_totals; DROP TABLE rollup_dims; DROP TABLE rollup_dims_day; DROP TABLE documents; PRAGMA user_version = 2;');
    db.close();
    const upgraded = await open(path);
    const ALL = { tenant: 'default', fromMs: 0, toMs: Date.UTC(2100, 0, 1), filters: {} };
    expect((await upgraded.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ costNanos: 42n, calls: 2 });
    expect((await upgraded.aggregate({ ...ALL, filters: { user: 'bob' }, groupBy: [] }))[0].costNanos).toBe(31n);
    await upgraded.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
