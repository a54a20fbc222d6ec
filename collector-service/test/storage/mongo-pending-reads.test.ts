import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { MongoStore } from '../../src/storage/mongo/mongo.store';
import { BUCKET_MS, type RollupQuery, type RollupRow } from '../../src/storage/storage.port';
import type { UsageRecord } from '../../src/usage/usage-record';
import { record } from '../support/records';

/** Runs against the MongoDB-wire server in MONGODB_URI, as the mongo contract suite does. */
const uri = process.env.MONGODB_URI;
const START = Date.UTC(2026, 10, 24, 10);

/** Records over six buckets, three models and four users, money above 2^53 nanos in all. */
const batch = (n: number, offset: number): UsageRecord[] =>
  Array.from({ length: n }, (_, i) =>
    record({
      timeMs: START + ((i + offset) % 6) * BUCKET_MS + (i % 7) * 1000,
      model: ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet'][(i + offset) % 3],
      user: `u${i % 4}`,
      costNanos: i % 9 === 0 ? null : BigInt(1_000_000_007) * BigInt(i + offset + 1) * 1_000n,
      status: i % 5 === 0 ? 'error' : 'ok',
      durationMs: 100 + i,
    }),
  );

/** The rows a query should answer, summed record by record: key JSON → [calls, cost, error calls, input tokens]. */
function expected(records: readonly UsageRecord[], query: Pick<RollupQuery, 'fromMs' | 'toMs' | 'groupBy'>): Map<string, [number, bigint, number, number]> {
  const rows = new Map<string, [number, bigint, number, number]>();
  for (const r of records) {
    const bucket = Math.floor(r.timeMs / BUCKET_MS) * BUCKET_MS;
    if (bucket < query.fromMs || bucket >= query.toMs) continue;
    const key = JSON.stringify(query.groupBy.map((part) => (part === 'bucket' ? bucket : r[part as 'model' | 'user'])));
    const row = rows.get(key) ?? [0, 0n, 0, 0];
    rows.set(key, [row[0] + 1, row[1] + (r.costNanos ?? 0n), row[2] + (r.status === 'error' ? 1 : 0), row[3] + r.tokens.input]);
  }
  return rows;
}

const answered = (rows: readonly RollupRow[], groupBy: RollupQuery['groupBy']) =>
  new Map(
    rows.map((row) => [
      JSON.stringify(groupBy.map((part) => (row.key as Record<string, unknown>)[part])),
      [row.calls, row.costNanos, row.errorCalls, row.tokens.input] as [number, bigint, number, number],
    ]),
  );

(uri ? describe : describe.skip)('mongo: reads of batches not compacted yet', () => {
  let store: MongoStore;
  let dbName: string;
  beforeEach(async () => {
    dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
    // No compaction: every batch stays pending, and every read adds it.
    store = new MongoStore(uri!, { dbName, compaction: { everyMs: 0 } });
    await store.init();
  });
  afterEach(async () => {
    await store.close();
    const client = await MongoClient.connect(uri!);
    try {
      await client.db(dbName).dropDatabase();
    } finally {
      await client.close();
    }
  });

  it('sums pending batches per bucket exactly for every grouping and range, read after read, whatever a caller does with an answer', async () => {
    const records = [...batch(300, 0), ...batch(200, 1), ...batch(100, 4)];
    for (const [from, to] of [
      [0, 300],
      [300, 500],
      [500, 600],
    ])
      expect((await store.ingest(records.slice(from, to))).stored).toHaveLength(to - from);
    expect(records.reduce((sum, r) => sum + (r.costNanos ?? 0n), 0n) > 2n ** 53n).toBe(true);
    const ranges = [
      { fromMs: 0, toMs: Date.UTC(2100, 0, 1) },
      // Cuts every batch: its first bucket and its last two are out.
      { fromMs: START + BUCKET_MS, toMs: START + 4 * BUCKET_MS },
    ];
    const groupings: RollupQuery['groupBy'][] = [[], ['bucket'], ['model'], ['bucket', 'model'], ['user', 'model']];
    for (let round = 0; round < 2; round++)
      for (const range of ranges)
        for (const groupBy of groupings) {
          const rows = await store.aggregate({ tenant: 'default', ...range, filters: {}, groupBy });
          expect(answered(rows, groupBy)).toEqual(expected(records, { ...range, groupBy }));
          // An answer is the caller's: changing it changes no later answer.
          for (const row of rows) {
            row.costNanos += 1n;
            row.calls += 1;
            if (groupBy.includes('model')) row.key.model = 'changed';
          }
        }
    // A filtered read of the same batches adds their groups one by one: the same sums.
    const filtered = await store.aggregate({ tenant: 'default', ...ranges[1], filters: { user: 'u1' }, groupBy: ['model'] });
    expect(answered(filtered, ['model'])).toEqual(
      expected(
        records.filter((r) => r.user === 'u1'),
        { ...ranges[1], groupBy: ['model'] },
      ),
    );
  });
});
