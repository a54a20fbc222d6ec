import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DEFAULT_FOLD_SETTINGS, type FoldSettings, RollupFolds } from '../../src/storage/sqlite/rollup-folds';
import { InlineWrites } from '../../src/storage/sqlite/store-writer';
import { prepareBatch } from '../../src/storage/sqlite/prepared-batch';
import { emptyFoldSums, foldPlan, foldSums, mergeFoldSums, packedFold, packFoldSums, rollupPlan } from '../../src/storage/sqlite/rollup-writer';
import { packedPlan, type WritePlan } from '../../src/storage/sqlite/store-writer.worker';
import { SqliteStore } from '../../src/storage/sqlite/sqlite.store';
import { record } from '../support/records';
import { sqliteStoresPerTest } from '../support/sqlite-stores';

// Stored batches reach the rollups through RollupFolds, moments after their ack. These cases hold a
// batch unfolded (an hour's delay) to reach the states a crash or a second process leaves behind.
const HELD: FoldSettings = { ...DEFAULT_FOLD_SETTINGS, delayMs: 3_600_000 };
const ALL = { tenant: 'default', fromMs: 0, toMs: Date.UTC(2100, 0, 1), filters: {} };

describe('sqlite: folding stored batches into the rollups', () => {
  const { open, path } = sqliteStoresPerTest('tokenledger-folds-');

  it('sums many held batches exactly at the first read, which sees every acknowledged one', async () => {
    const store = await open(HELD);
    for (let i = 0; i < 5; i++) await store.ingest(Array.from({ length: 40 }, (_, j) => record({ costNanos: BigInt(i * 100 + j), user: `u${j % 3}` })));
    const [total] = await store.aggregate({ ...ALL, groupBy: [] });
    expect(total).toMatchObject({ calls: 200, costNanos: 43_900n });
    const byUser = await store.aggregate({ ...ALL, groupBy: ['user'] });
    expect(byUser.reduce((sum, row) => sum + row.calls, 0)).toBe(200);
  });

  it('folds at start what a process stored and acknowledged but never folded (it died)', async () => {
    const crashed = await open(HELD);
    await crashed.ingest([record({ costNanos: 11n }), record({ costNanos: 31n, user: 'bob' })]);
    // `crashed` never folds (an hour's delay, and it is not closed before the next one starts).
    const restarted = await open();
    expect((await restarted.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 2, costNanos: 42n });
    expect((await restarted.aggregate({ ...ALL, filters: { user: 'bob' }, groupBy: [] }))[0].costNanos).toBe(31n);
    // The first process's own fold (on close) finds its batch taken and adds nothing.
    await crashed.close();
    expect((await restarted.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 2, costNanos: 42n });
  });

  it('lets a read in another process see a batch the writer has not folded yet, counted once', async () => {
    const writer = await open(HELD);
    const reader = await open(HELD);
    await writer.ingest([record({ costNanos: 5n }), record({ costNanos: 7n })]);
    expect((await reader.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 2, costNanos: 12n });
    expect((await writer.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 2, costNanos: 12n });
    await writer.ingest([record({ costNanos: 100n })]);
    expect((await writer.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 3, costNanos: 112n });
    expect((await reader.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 3, costNanos: 112n });
  });

  it('keeps records past retention until they are folded (a late span can be old)', async () => {
    const writer = await open(HELD);
    const purger = await open(HELD);
    await writer.ingest([record({ timeMs: Date.UTC(2020, 0, 1), costNanos: 9n })]);
    expect(await purger.purgeRecordsBefore(Date.UTC(2025, 0, 1))).toBe(0);
    expect((await purger.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 1, costNanos: 9n });
    // Folded now: retention may take the record, the rollups keep its amount.
    expect(await purger.purgeRecordsBefore(Date.UTC(2025, 0, 1))).toBe(1);
    expect((await writer.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 1, costNanos: 9n });
  });

  it('leaves a batch this process stores while a read folds to its own fold, not to its records', async () => {
    await (await open()).close(); // the schema
    const db = new DatabaseSync(path());
    /** The writer's folds, by the batches (first rowids) each one claimed. */
    const claimed: number[][] = [];
    const writes = new (class extends InlineWrites {
      override fold(claims: number[], plan: WritePlan) {
        claimed.push(claims);
        return super.fold(claims, plan);
      }
    })(db);
    const folds = new RollupFolds(db, writes, HELD);
    try {
      const stored = async (costNanos: bigint) => {
        const batch = [record({ costNanos })];
        const { firstRowid } = await writes.insert(batch);
        folds.queue(firstRowid, batch);
        return firstRowid;
      };
      const before = await stored(5n);
      const read = folds.foldForRead();
      const during = await stored(7n);
      await read;
      expect(claimed).toEqual([[before]]);
      await folds.fold();
      expect(claimed).toEqual([[before], [during]]);
      expect(db.prepare('SELECT SUM(cost_nanos) AS cost, SUM(calls) AS calls FROM rollup_totals').get()).toEqual({ cost: 12, calls: 2 });
    } finally {
      db.close();
    }
  });

  it('folds on its own shortly after a batch is stored', async () => {
    const writer = await open({ ...DEFAULT_FOLD_SETTINGS, delayMs: 20 });
    await writer.ingest([record({ costNanos: 3n })]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // A process that only reads the rollups' tables would see it: nothing is left unfolded.
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(path(), { readOnly: true });
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM unfolded').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT SUM(calls) AS calls FROM rollup_totals').get()).toEqual({ calls: 1 });
    } finally {
      db.close();
    }
  });
});

describe('sqlite: batches an ingest thread prepared (rows encoded, rollups summed)', () => {
  const { open } = sqliteStoresPerTest('tokenledger-prepared-');
  const batch = (from: number) =>
    Array.from({ length: 30 }, (_, j) =>
      record({
        costNanos: BigInt(from + j),
        user: `u${j % 4}`,
        timeMs: Date.UTC(2026, 10, 24, j % 3, 0, 0),
        tags: j % 2 === 0 ? { team: `t${j % 3}` } : {},
        conversation: j % 5 === 0 ? null : `c${j % 7}`,
      }),
    );
  const reads = async (store: SqliteStore) => [
    await store.aggregate({ ...ALL, groupBy: [] }),
    await store.aggregate({ ...ALL, fromMs: Date.UTC(2026, 10, 24, 1), toMs: Date.UTC(2026, 10, 24, 2), groupBy: ['bucket'] }),
    await store.aggregate({ ...ALL, tenant: 'other', groupBy: [] }),
    await store.aggregate({ ...ALL, groupBy: ['user', 'bucket'] }),
    await store.aggregate({ ...ALL, groupBy: ['user'] }),
    await store.aggregate({ ...ALL, tags: { team: 't1' }, groupBy: ['bucket'] }),
    await store.aggregate({ ...ALL, filters: { user: 'u1' }, groupBy: ['bucket'] }),
    await store.aggregate({ ...ALL, filters: { user: 'u2' }, groupBy: ['model', 'provider'] }),
    await store.aggregate({ ...ALL, filters: { user: 'u3', model: 'none' }, groupBy: [] }),
    await store.aggregate({ ...ALL, byTagSet: true, groupBy: ['user'] }),
    await store.aggregate({ ...ALL, tags: { team: 't2' }, byTagSet: true, groupBy: ['bucket'] }),
    await store.valueSums({ ...ALL, by: 'tag:team', maxValues: 10 }),
    await store.valueSums({ ...ALL, by: 'conversation', maxValues: 10 }),
  ];

  it('sums two batches row by row as one pass over both records would', () => {
    const [a, b] = [batch(0), batch(1000)];
    expect(foldPlan(mergeFoldSums(mergeFoldSums(emptyFoldSums(), foldSums(a)), foldSums(b)))).toEqual(rollupPlan([...a, ...b]));
  });

  it('merges and plans packed sums on the writer as the event loop merges and plans the sums themselves', () => {
    const [a, b] = [batch(0), batch(1000)];
    const merged = foldPlan(mergeFoldSums(mergeFoldSums(emptyFoldSums(), foldSums(a)), foldSums(b)));
    expect(packedPlan(packedFold([packFoldSums(foldSums(a)), packFoldSums(foldSums(b))]))).toEqual(merged.filter((s) => s.rows.length > 0));
  });

  it('folds prepared batches from their packed sums, beside batches folded from their records, exactly as the records themselves', async () => {
    const [a, b, c] = [batch(0), batch(1000), batch(2000)];
    const prepared = await open(HELD);
    await prepared.ingest(a, prepareBatch(a));
    await prepared.ingest(b);
    await prepared.ingest(c, prepareBatch(c));
    // Folds what waits (one fold: two packed batches and one of records), then reads the rollups alone.
    await prepared.ping();
    const plain = new SqliteStore(':memory:', HELD);
    await plain.init();
    for (const records of [a, b, c]) await plain.ingest(records);
    await plain.ping();
    expect(await reads(prepared)).toEqual(await reads(plain));
    await plain.close();
    expect((await prepared.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 90, costNanos: 91_305n });
  });

  it('stores and counts a prepared batch exactly as the records themselves, in every rollup', async () => {
    const [a, b] = [batch(0), batch(1000)];
    const prepared = await open(HELD);
    await prepared.ingest(a, prepareBatch(a));
    await prepared.ingest(b, prepareBatch(b));
    const plain = new SqliteStore(':memory:', HELD);
    await plain.init();
    await plain.ingest(a);
    await plain.ingest(b);
    expect(await reads(prepared)).toEqual(await reads(plain));
    await plain.close();
    expect((await prepared.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 60, costNanos: 30_870n });
    expect(await prepared.getRecord('default', b[7].id)).toEqual(b[7]);
  });

  it('folds a batch partly stored before from the records it stored now, not from what was prepared for all of them', async () => {
    const [a, b] = [batch(0), batch(1000)];
    const store = await open(HELD);
    await store.ingest(a.slice(0, 10));
    const retried = [...a, ...b];
    const outcome = await store.ingest(retried, prepareBatch(retried));
    expect(outcome).toMatchObject({ duplicates: 10 });
    expect((await store.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 60, costNanos: 30_870n });
  });
});

describe('sqlite: reads while batches wait to be folded', () => {
  const { open, path } = sqliteStoresPerTest('tokenledger-unfolded-');
  const unfolded = () => {
    const db = new DatabaseSync(path(), { readOnly: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM unfolded').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  /** Lets only promise callbacks run (never a message from the writer thread) until `done`. */
  const microtasksUntil = async (done: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error('the writer thread never committed');
      await Promise.resolve();
    }
  };

  it('answers from the rollups and the batches not folded yet, without folding them', async () => {
    const store = await open(HELD);
    await store.ingest([record({ costNanos: 5n, user: 'bob' }), record({ costNanos: 7n })]);
    await store.ingest([record({ costNanos: 100n, user: 'bob', tags: { team: 'a' } })]);
    expect((await store.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 3, costNanos: 112n });
    expect(await store.aggregate({ ...ALL, filters: { user: 'bob' }, groupBy: ['user'] })).toMatchObject([{ key: { user: 'bob' }, calls: 2, costNanos: 105n }]);
    expect(await store.aggregate({ ...ALL, tags: { team: 'a' }, groupBy: [] })).toMatchObject([{ calls: 1, costNanos: 100n }]);
    expect(unfolded()).toBe(2);
  });

  it('counts a batch once when its fold commits just before the read, its answer not yet back', async () => {
    const store = await open(HELD);
    await store.ingest([record({ costNanos: 5n }), record({ costNanos: 7n })]);
    await store.ingest([record({ costNanos: 100n })]);
    const folding = store.purgeRecordsBefore(0); // folds what waits first
    await microtasksUntil(() => unfolded() === 0);
    const read = store.aggregate({ ...ALL, groupBy: [] });
    await folding;
    expect((await read)[0]).toMatchObject({ calls: 3, costNanos: 112n });
    expect((await store.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 3, costNanos: 112n });
  });

  it('counts a batch once when its insert commits just before the read, its answer not yet back', async () => {
    const store = await open(HELD);
    await store.ingest([record({ costNanos: 5n })]);
    const ingesting = store.ingest([record({ costNanos: 7n }), record({ costNanos: 100n })]);
    await microtasksUntil(() => unfolded() === 2);
    const read = store.aggregate({ ...ALL, groupBy: [] });
    await ingesting;
    expect((await read)[0]).toMatchObject({ calls: 3, costNanos: 112n });
  });
});

describe('sqlite: the checkpointer thread', () => {
  it('copies the WAL into the database file although no writer checkpoints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenledger-wal-'));
    const path = join(dir, 'db.sqlite');
    const store = new SqliteStore(path);
    await store.init();
    try {
      const padding = 'x'.repeat(2_000);
      for (let round = 0; round < 30; round++) await store.ingest(Array.from({ length: 200 }, () => record({ conversation: padding })));
      const written = 30 * 200 * padding.length;
      // Without checkpoints every page stays in the WAL and the database file keeps its first few
      // pages until the last connection closes; the checkpointer copies them within moments.
      const deadline = Date.now() + 20_000;
      while (statSync(path).size < written && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(statSync(path).size).toBeGreaterThanOrEqual(written);
      expect((await store.aggregate({ ...ALL, groupBy: [] }))[0].calls).toBe(30 * 200);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sqlite: closing', () => {
  it('keeps the process alive until the writer threads have stopped, so what follows a close runs', () => {
    // A script, not this jest process (whose own handles keep it alive), on the built store.
    const dir = mkdtempSync(join(tmpdir(), 'tokenledger-close-'));
    const dist = join(__dirname, '..', '..', 'dist', 'storage', 'sqlite', 'sqlite.store.js');
    const script = `const { SqliteStore } = require(${JSON.stringify(dist)});
      (async () => { const store = new SqliteStore(process.argv[1]); await store.init(); await store.close(); console.log('after close'); })();`;
    try {
      const run = spawnSync(process.execPath, ['-e', script, join(dir, 'db.sqlite')], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe('after close\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
