import { randomUUID } from 'node:crypto';
import { MongoStore, type MongoFaults } from '../../src/storage/mongo/mongo.store';
import { record } from '../support/records';
import { storageContract } from './storage.contract';

/**
 * Runs against the MongoDB-wire server in MONGODB_URI: FerretDB (SQLite backend), started by the test
 * command, or any real MongoDB. Without one the suite fails rather than pass untested.
 */
const uri = process.env.MONGODB_URI;
if (!uri) {
  test('the mongo contract suite has a MongoDB-wire server to run against', () => {
    throw new Error('MONGODB_URI is not set: run the tests with ./run test (it starts FerretDB) or point MONGODB_URI at a MongoDB');
  });
} else {
  const open = async (dbName: string, faults?: MongoFaults) => {
    const store = new MongoStore(uri, { dbName, faults });
    await store.init();
    return store;
  };
  const dropDatabase = async (dbName: string) => {
    const store = await open(dbName);
    await (store as unknown as { db: { dropDatabase(): Promise<unknown> } }).db.dropDatabase();
    await store.close();
  };

  storageContract('mongo', {
    async create() {
      const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
      const store = await open(dbName);
      return {
        store,
        another: () => open(dbName),
        destroy: async () => {
          await store.close();
          await dropDatabase(dbName);
        },
      };
    },
  });

  describe('mongo: exact without transactions', () => {
    const ALL = { tenant: 'default', fromMs: 0, toMs: Date.UTC(2100, 0, 1), filters: {} };
    it.each<keyof MongoFaults>(['afterInsert', 'afterClaim', 'afterDeltas'])('ends exact when a crash at %s is followed by the sender retrying', async (step) => {
      const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
      const batch = Array.from({ length: 50 }, (_, i) => record({ costNanos: BigInt(1000 + i), tags: i % 3 ? { team: i % 2 ? 'search' : 'ads' } : {} }));
      const crashing = await open(dbName, { [step]: true });
      await expect(crashing.ingest(batch)).rejects.toThrow(`injected fault ${step}`);
      await crashing.close();
      const restarted = await open(dbName);
      await restarted.ingest(batch); // the sender's retry
      await restarted.ingest(batch.slice(0, 10)); // and a late duplicate
      const [total] = await restarted.aggregate({ ...ALL, groupBy: [] });
      expect(total.calls).toBe(50);
      expect(total.costNanos).toBe(batch.reduce((s, r) => s + r.costNanos!, 0n));
      const search = batch.filter((r) => r.tags.team === 'search');
      expect((await restarted.aggregate({ ...ALL, tags: { team: 'search' }, groupBy: [] }))[0]).toMatchObject({ calls: search.length, costNanos: search.reduce((s, r) => s + r.costNanos!, 0n) });
      await restarted.close();
      await dropDatabase(dbName);
    });

    it('finishes, at start, a batch left open by a crash the sender never retried', async () => {
      const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
      const crashing = await open(dbName, { afterClaim: true });
      await expect(crashing.ingest([record({ costNanos: 7n }), record({ costNanos: 8n })])).rejects.toThrow();
      await crashing.close();
      const restarted = await open(dbName);
      const [total] = await restarted.aggregate({ ...ALL, groupBy: [] });
      expect(total).toMatchObject({ calls: 2, costNanos: 15n });
      await restarted.close();
      await dropDatabase(dbName);
    });
  });
}
