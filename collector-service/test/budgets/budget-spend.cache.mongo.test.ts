import { randomUUID } from 'node:crypto';
import { MongoStore } from '../../src/storage/mongo/mongo.store';
import { spendCacheSuite } from './budget-spend.cache';

// Against the MongoDB-wire server in MONGODB_URI (FerretDB, started by the test command), where reads
// and writes of one process really interleave. Without one the suite fails rather than pass untested.
const uri = process.env.MONGODB_URI;
if (!uri) {
  test('the mongo spend cache suite has a MongoDB-wire server to run against', () => {
    throw new Error('MONGODB_URI is not set: run the tests with ./run test (it starts FerretDB) or point MONGODB_URI at a MongoDB');
  });
} else {
  jest.setTimeout(60_000);
  spendCacheSuite('mongo', async () => {
    const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
    const store = new MongoStore(uri, { dbName });
    await store.init();
    return {
      store,
      destroy: async () => {
        await (store as unknown as { db: { dropDatabase(): Promise<unknown> } }).db.dropDatabase();
        await store.close();
      },
    };
  });
}
