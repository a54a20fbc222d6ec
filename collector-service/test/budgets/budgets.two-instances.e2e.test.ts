import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/app';
import type { BudgetCheckDto, BudgetDto } from '../../src/budgets/budget-answers.dto';
import { AlertSchedule } from '../../src/alerts/alert-schedule.service';
import { BudgetsService } from '../../src/budgets/budgets.service';
import { IngestEvents } from '../../src/ingest/ingest-events';
import { loadConfig } from '../../src/config/config';
import type { StoragePort } from '../../src/storage/storage.port';
import { STORAGE } from '../../src/storage/storage.tokens';
import { ingestRecords } from '../support/app';
import { json } from '../support/json';
import { record } from '../support/records';

const NANOS = 23_750_000n;

// Two replicas behind a load balancer share a store: one SQLite file, or one MongoDB database (FerretDB
// in the test command; the mongo run is left out only when MONGODB_URI is unset).
const STORES = [
  { TOKENLEDGER_STORE: 'sqlite' },
  ...(process.env.MONGODB_URI
    ? [{ TOKENLEDGER_STORE: 'mongo', MONGODB_URI: `${process.env.MONGODB_URI.replace(/\/?$/, '/')}tokenledger_test_${randomUUID().slice(0, 8)}` }]
    : []),
];

describe.each(STORES)('budgets on two collector instances sharing one store ($TOKENLEDGER_STORE)', (storeEnv) => {
  jest.setTimeout(60_000);
  let dir: string;
  let a: { app: INestApplication; url: string };
  let b: { app: INestApplication; url: string };
  const start = async () => {
    // Each instance syncs where the test calls sync, never on a timer: what one instance sees of the other's
    // writes is then what the test's syncs brought it, not what a timed round happened to read before.
    const app = await createApp(
      loadConfig({
        ...storeEnv,
        TOKENLEDGER_SQLITE_PATH: join(dir, 'shared.sqlite'),
        TOKENLEDGER_ALERT_INTERVAL_SECONDS: '0',
        TOKENLEDGER_BUDGET_SYNC_MS: '0',
      }),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    return { app, url: `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}` };
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenledger-budgets-'));
    a = await start();
    b = await start();
  });
  // The budget evaluations the last test's ingests started are over before the next test begins: one still
  // running would load the spend of that test's budget on its own time (on A, before B's write it then lags
  // until A's next sync), not when that test's first check or ingest on the instance loads it.
  beforeEach(() => Promise.all([a, b].map((on) => on.app.get(AlertSchedule).settled())));
  afterAll(async () => {
    await a.app.close();
    await b.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = async <T>(on: { url: string }, path: string, body: unknown) =>
    json<T>(await fetch(`${on.url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }));
  const spentOn = async (on: { url: string }, user = 'kim') => (await post<BudgetCheckDto>(on, '/v1/budgets/check', { user })).budgets.map((x) => x.spentNanos);
  const sync = (on: { app: INestApplication }) => on.app.get(BudgetsService).sync();

  it("learns the other instance's budgets and spend on its next sync, and never counts a record twice", async () => {
    const { id } = await post<BudgetDto>(a, '/v1/budgets', { name: 'kim', scope: { user: 'kim' }, period: 'month', limitUsd: '0.06', action: 'block' });
    await sync(b);
    expect(await spentOn(b)).toEqual(['0']);
    const batch = [record({ user: 'kim', timeMs: Date.now() }), record({ user: 'kim', timeMs: Date.now() })];
    await ingestRecords(a.app, batch);
    expect(await spentOn(a)).toEqual([(2n * NANOS).toString()]);
    await sync(b);
    expect(await spentOn(b)).toEqual([(2n * NANOS).toString()]);
    // The same batch retried through B, plus one new record: only the new one counts, on both.
    await ingestRecords(b.app, [...batch, record({ user: 'kim', timeMs: Date.now() })]);
    expect(await spentOn(b)).toEqual([(3n * NANOS).toString()]);
    await sync(a);
    await sync(b);
    expect(await spentOn(a)).toEqual([(3n * NANOS).toString()]);
    expect(await spentOn(b)).toEqual([(3n * NANOS).toString()]);
    expect((await post<BudgetCheckDto>(b, '/v1/budgets/check', { user: 'kim' })).decision).toBe('block');
    // A budget deleted on A stops governing checks on B after B's sync.
    await fetch(`${a.url}/v1/budgets/${id}`, { method: 'DELETE' });
    await sync(b);
    expect(await post(b, '/v1/budgets/check', { user: 'kim' })).toMatchObject({ decision: 'allow', budgets: [] });
  });

  it('answers a block made by spend on the other instance on its next sync while it ingests the same user without pause', async () => {
    await post<BudgetDto>(a, '/v1/budgets', { name: 'lee', scope: { user: 'lee' }, period: 'month', limitUsd: '0.06', action: 'block' });
    await ingestRecords(b.app, [record({ user: 'lee', timeMs: Date.now() })]);
    await sync(b);
    expect(await post<BudgetCheckDto>(b, '/v1/budgets/check', { user: 'lee' })).toMatchObject({
      decision: 'allow',
      budgets: [{ spentNanos: NANOS.toString() }],
    });
    // B's next batch of lee's is held before its commit: one is in flight through every sync of B's below.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const storage = b.app.get<StoragePort>(STORAGE);
    const inFlight = b.app.get(IngestEvents).storing([record({ user: 'lee', timeMs: Date.now() })], async (batch) => {
      await held;
      return storage.ingest(batch);
    });
    await ingestRecords(a.app, [record({ user: 'lee', timeMs: Date.now() }), record({ user: 'lee', timeMs: Date.now() })]);
    expect(await post<BudgetCheckDto>(a, '/v1/budgets/check', { user: 'lee' })).toMatchObject({
      decision: 'block',
      budgets: [{ spentNanos: (3n * NANOS).toString() }],
    });
    await sync(b);
    expect(await post<BudgetCheckDto>(b, '/v1/budgets/check', { user: 'lee' })).toMatchObject({
      decision: 'block',
      budgets: [{ spentNanos: (3n * NANOS).toString() }],
    });
    release();
    await inFlight;
    await sync(b);
    await sync(a);
    expect(await spentOn(b, 'lee')).toEqual([(4n * NANOS).toString()]);
    expect(await spentOn(a, 'lee')).toEqual([(4n * NANOS).toString()]); // nothing counted twice, on either
  });
});
