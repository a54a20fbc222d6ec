import { randomUUID } from 'node:crypto';
import type { MongoClient } from 'mongodb';
import { BudgetClock } from '../../src/budgets/budget-clock';
import { BudgetsService } from '../../src/budgets/budgets.service';
import { IngestEvents } from '../../src/ingest/ingest-events';
import { MongoStore } from '../../src/storage/mongo/mongo.store';
import { repositoriesOf } from '../../src/storage/repositories/repositories';
import { record } from '../support/records';

// Against the MongoDB-wire server in MONGODB_URI (FerretDB, started by the test command). Without one
// the suite fails rather than pass untested.
const uri = process.env.MONGODB_URI;
if (!uri) {
  test('the mongo budget check suite has a MongoDB-wire server to run against', () => {
    throw new Error('MONGODB_URI is not set: run the tests with ./run test (it starts FerretDB) or point MONGODB_URI at a MongoDB');
  });
} else {
  jest.setTimeout(60_000);
  describe('budget checks on mongo', () => {
    it('answers a warm check from memory: not one command reaches the store, also right after this instance stored new spend', async () => {
      const url = new URL(uri);
      url.searchParams.set('monitorCommands', 'true');
      const store = new MongoStore(url.toString(), { dbName: `tokenledger_test_${randomUUID().slice(0, 8)}`, compaction: { everyMs: 0 } });
      await store.init();
      const commands: string[] = [];
      const client = (store as unknown as { connection: { getClient(): MongoClient } }).connection.getClient();
      client.on('commandStarted', (e) => commands.push(`${e.commandName} ${String(e.command[e.commandName])}`));
      const events = new IngestEvents();
      const budgets = new BudgetsService(store, repositoriesOf(store).budgets, events, new BudgetClock());
      const ingest = (records: ReturnType<typeof record>[]) => events.storing(records, (batch) => store.ingest(batch));
      for (const body of [
        { name: 'company', scope: {}, period: 'month', limitUsd: '1000', action: 'block' },
        { name: 'each user', scope: { perUser: true }, period: 'day', timezone: 'Europe/Madrid', limitUsd: '5', action: 'block' },
        { name: 'kim', scope: { user: 'kim' }, period: 'week', timezone: 'America/New_York', limitUsd: '2', action: 'notify' },
        { name: 'ana', scope: { user: 'ana' }, period: 'month', limitUsd: '2', action: 'notify' },
      ]) {
        await budgets.create('default', body);
      }
      await ingest([record({ user: 'kim', costNanos: 1_000n, timeMs: Date.now() }), record({ user: 'ana', costNanos: 20n, timeMs: Date.now() })]);
      await store.compact();
      const cold = await budgets.check('default', { user: 'kim' }); // reads the rollups once
      expect(cold.budgets.map((b) => b.spentNanos)).toEqual(['1020', '1000', '1000']);
      commands.length = 0;
      for (let i = 0; i < 50; i++) expect(await budgets.check('default', { user: 'kim' })).toEqual(cold);
      expect(commands).toEqual([]);
      await ingest([record({ user: 'kim', costNanos: 5n, timeMs: Date.now() })]);
      commands.length = 0;
      expect((await budgets.check('default', { user: 'kim' })).budgets.map((b) => b.spentNanos)).toEqual(['1025', '1005', '1005']);
      expect(commands).toEqual([]);
      await (store as unknown as { db: { dropDatabase(): Promise<unknown> } }).db.dropDatabase();
      await store.close();
    });
  });
}
