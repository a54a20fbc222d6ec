import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { MongoClient } from 'mongodb';
import { AlertSchedule } from '../../src/alerts/alert-schedule.service';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { BudgetClock } from '../../src/budgets/budget-clock';
import { BudgetsService } from '../../src/budgets/budgets.service';
import type { CreateBudgetDto } from '../../src/budgets/budget.dto';
import { IngestEvents } from '../../src/ingest/ingest-events';
import { MongoStore } from '../../src/storage/mongo/mongo.store';
import { repositoriesOf } from '../../src/storage/repositories/repositories';
import { ingestRecords } from '../support/app';
import { record } from '../support/records';

/** A store on its own database of the server, whose client reports every command it sends into `commands`. */
async function monitoredStore(uri: string, dbName: string, commands: string[]): Promise<MongoStore> {
  const url = new URL(uri);
  url.searchParams.set('monitorCommands', 'true');
  const store = new MongoStore(url.toString(), { dbName, compaction: { everyMs: 0 } });
  await store.init();
  const client = (store as unknown as { connection: { getClient(): MongoClient } }).connection.getClient();
  client.on('commandStarted', (e) => commands.push(`${e.commandName} ${String(e.command[e.commandName])}`));
  return store;
}

/** The service on that store, listening on an ephemeral loopback port. */
async function serviceOn(store: MongoStore, env: Record<string, string> = {}): Promise<{ app: INestApplication; url: string }> {
  const config = loadConfig({
    TOKENLEDGER_STORE: 'mongo',
    MONGODB_URI: 'mongodb://unused/',
    TOKENLEDGER_PORT: '0',
    TOKENLEDGER_ALERT_INTERVAL_SECONDS: '0',
    ...env,
  });
  const app = await createApp(config, { logger: false, store });
  await app.listen(0, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}` };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The budget sync's interval the services below run with (the default). */
const BUDGET_SYNC_MS = loadConfig({}).budgetSyncMs;

const spentOf = (decision: { body: Record<string, unknown> }) => (decision.body.budgets as Array<{ spentNanos: string }>).map((b) => b.spentNanos);

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
      const commands: string[] = [];
      const store = await monitoredStore(uri, `tokenledger_test_${randomUUID().slice(0, 8)}`, commands);
      const events = new IngestEvents();
      const budgets = new BudgetsService(store, repositoriesOf(store).budgets, events, new BudgetClock(), { budgetSyncMs: 0 });
      const ingest = (records: ReturnType<typeof record>[]) => events.storing(records, (batch) => store.ingest(batch));
      const bodies: CreateBudgetDto[] = [
        { name: 'company', scope: {}, period: 'month', limitUsd: '1000', action: 'block' },
        { name: 'each user', scope: { perUser: true }, period: 'day', timezone: 'Europe/Madrid', limitUsd: '5', action: 'block' },
        { name: 'kim', scope: { user: 'kim' }, period: 'week', timezone: 'America/New_York', limitUsd: '2', action: 'notify' },
        { name: 'ana', scope: { user: 'ana' }, period: 'month', limitUsd: '2', action: 'notify' },
      ];
      for (const body of bodies) await budgets.create('default', body);
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

    it("reads a two-dimension scope's spend from the pair rollups its budgets keep: the first check reads a document per day, no bucket's groups", async () => {
      const commands: string[] = [];
      const store = await monitoredStore(uri, `tokenledger_test_${randomUUID().slice(0, 8)}`, commands);
      const events = new IngestEvents();
      const budgets = new BudgetsService(store, repositoriesOf(store).budgets, events, new BudgetClock(), { budgetSyncMs: 0 });
      await budgets.create('default', { name: 'kim on search', scope: { user: 'kim', feature: 'search' }, period: 'month', limitUsd: '1', action: 'block' });
      await budgets.create('default', {
        name: 'search per user',
        scope: { feature: 'search', perUser: true },
        period: 'month',
        limitUsd: '1',
        action: 'block',
      });
      const now = Date.now();
      const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1);
      // Calls every 20 minutes back to the month's start, by two users on two features.
      const records = Array.from({ length: 300 }, (_, i) =>
        record({
          user: i % 2 ? 'kim' : 'ana',
          feature: i % 3 ? 'search' : 'chat',
          costNanos: BigInt(1_000 + i),
          timeMs: Math.max(monthStart, now - i * 20 * 60_000),
        }),
      );
      await events.storing(records, (batch) => store.ingest(batch));
      await store.compact();
      const kimOnSearch = records.filter((r) => r.user === 'kim' && r.feature === 'search').reduce((sum, r) => sum + r.costNanos!, 0n);
      commands.length = 0;
      const decision = await budgets.check('default', { user: 'kim', feature: 'search' });
      expect(decision.budgets.map((b) => b.spentNanos)).toEqual([String(kimOnSearch), String(kimOnSearch)]);
      expect(commands.filter((c) => c.startsWith('find rollup_pair_days_')).length).toBeGreaterThan(0);
      expect(commands.filter((c) => c.startsWith('find rollup_groups_'))).toEqual([]);
      await (store as unknown as { db: { dropDatabase(): Promise<unknown> } }).db.dropDatabase();
      await store.close();
    });

    it.each([
      ['in open mode', false],
      ['with a stored API key', true],
    ])('answers warm checks over HTTP %s without one command to the store', async (_mode, withKey) => {
      // Now stands still and no interval fires: the background rounds (the budget sync, which reads the
      // store by design) wait, and what is counted is the checks' own commands.
      jest.useFakeTimers({
        doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout'],
      });
      const commands: string[] = [];
      const store = await monitoredStore(uri, `tokenledger_test_${randomUUID().slice(0, 8)}`, commands);
      const adminKey = 'tl_admin_0123456789ab_warm-check-test-key';
      const { app, url } = await serviceOn(store, withKey ? { TOKENLEDGER_ADMIN_KEY: adminKey } : {});
      try {
        const created = withKey ? await post(`${url}/v1/keys`, { role: 'ingest', tenant: 'default' }, { authorization: `Bearer ${adminKey}` }) : null;
        const headers: Record<string, string> = created ? { authorization: `Bearer ${String(created.body.key)}` } : {};
        const budget = { name: 'each user', scope: { perUser: true }, period: 'day', limitUsd: '5', action: 'block' };
        expect((await post(`${url}/v1/budgets`, budget, withKey ? { authorization: `Bearer ${adminKey}` } : {})).status).toBe(201);
        await ingestRecords(app, [record({ user: 'kim', costNanos: 700n, timeMs: Date.now() })]);
        await app.get(AlertSchedule).settled();
        expect(spentOf(await post(`${url}/v1/budgets/check`, { user: 'kim' }, headers))).toEqual(['700']); // reads the rollups once
        commands.length = 0;
        for (let i = 0; i < 20; i++) expect(spentOf(await post(`${url}/v1/budgets/check`, { user: 'kim' }, headers))).toEqual(['700']);
        expect(commands).toEqual([]);
      } finally {
        jest.useRealTimers();
        await (store as unknown as { db: { dropDatabase(): Promise<unknown> } }).db.dropDatabase();
        await app.close();
      }
    });

    it("sees another instance's spend within a sync interval of it, over HTTP", async () => {
      const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
      const storeA = await monitoredStore(uri, dbName, []);
      const a = await serviceOn(storeA);
      const b = await serviceOn(await monitoredStore(uri, dbName, []));
      try {
        expect((await post(`${a.url}/v1/budgets`, { name: 'company', scope: {}, period: 'month', limitUsd: '1', action: 'block' })).status).toBe(201);
        await ingestRecords(b.app, [record({ costNanos: 400_000_000n, timeMs: Date.now() })]);
        // B's budget index sees A's budget on its next sync; A's check sees B's spend on its next.
        const seen = async (service: { url: string }, spent: string) => {
          const since = Date.now();
          while (spentOf(await post(`${service.url}/v1/budgets/check`, {}))[0] !== spent) {
            // A sync interval, plus a round's reads on a shared machine.
            if (Date.now() - since > 5 * BUDGET_SYNC_MS) throw new Error(`spend ${spent} not seen within ${5 * BUDGET_SYNC_MS} ms`);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        };
        await seen(a, '400000000');
        await ingestRecords(a.app, [record({ costNanos: 700_000_000n, timeMs: Date.now() })]);
        expect(await post(`${a.url}/v1/budgets/check`, {})).toMatchObject({ body: { decision: 'block' } }); // its own spend: at once
        await seen(b, '1100000000');
        expect(await post(`${b.url}/v1/budgets/check`, {})).toMatchObject({ body: { decision: 'block' } });
      } finally {
        await (storeA as unknown as { db: { dropDatabase(): Promise<unknown> } }).db.dropDatabase();
        await a.app.close();
        await b.app.close();
      }
    });
  });
}
