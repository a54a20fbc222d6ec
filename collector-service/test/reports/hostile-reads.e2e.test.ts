import { readFileSync } from 'node:fs';
import { MongoStore } from '../../src/storage/mongo/mongo.store';
import { SqliteStore } from '../../src/storage/sqlite/sqlite.store';
import type { RollupQuery, StoragePort } from '../../src/storage/storage.port';
import { STORAGE } from '../../src/storage/storage.tokens';
import { calendarPeriod } from '../../src/time/periods';
import type { UsageRecord } from '../../src/usage/usage-record';
import { ingestRecords, type OwnStore, type RunningCollector, startCollector, storeEnvironments } from '../support/app';
import { record } from '../support/records';
import { fillPath, type Route, routeName, routesOf } from '../support/route-map';
import { type ServiceProcess, startService } from '../support/service-process';

/**
 * No report, export or list can exhaust the service's heap, whatever a viewer asks: on each store,
 * a history of many distinct users, agents, features, services, models, conversations and tag sets,
 * the built service on it with a heap of HEAP_MB, and every GET route hit with the worst parameters a
 * viewer can send (all time and the widest range, every breakdown with and without filters, hour
 * steps, the largest pages and limits, every export). Each answer is below 500; a refusal is a 400
 * that names the limit; the process never dies and its resident memory stays under RSS_BOUND_MB.
 */

/**
 * Calls of the history, each a value of its own of every dimension: past MAX_VALUES, so a read of them
 * all is refused. Fewer on mongo, where FerretDB reads and writes at some 50 ms a request.
 */
const CALLS: Record<string, number> = { sqlite: Number(process.env.HOSTILE_CALLS ?? 30_000), mongo: Number(process.env.HOSTILE_MONGO_CALLS ?? 5_000) };
/** TOKENLEDGER_BREAKDOWN_MAX_VALUES of the service under test: the most groups a report may hold. */
const MAX_VALUES = 2_000;
/**
 * The service's V8 heap on each store: what it needs to start and answer is some 40 MB, and the mongo
 * adapter keeps up to about 100 MB of decoded rollup documents (CACHED_ROWS, rollup-docs.ts); the
 * rest bounds what one request may hold. A read of every user of this history needs more than that.
 */
const HEAP_MB: Record<string, number> = { sqlite: 64, mongo: 192 };
/** Heap, code, SQLite's page cache and the threads' own heaps: resident memory stays under this. */
const RSS_BOUND_MB = 600;

const HOUR_MS = 3_600_000;
const BREAKDOWN_BYS = ['type', 'provider', 'model', 'user', 'agent', 'feature', 'service', 'conversation', 'tag:team', 'tag:run'];
const FILTERS = ['', '&provider=openai', '&model=m-7', '&user=u-7', '&agent=a-7', '&feature=f-7', '&service=s-7', '&type=llm'];
const WIDEST = ['period=all', 'from=2000-01-01&to=2026-12-31'];

/** The seeded history: every call a value of its own of each dimension, in the two days before now. */
function history(now: number, calls: number) {
  return Array.from({ length: calls }, (_, i) =>
    record({
      timeMs: now - 2 * HOUR_MS - Math.floor((i / calls) * 46 * HOUR_MS),
      user: `u-${i}`,
      agent: `a-${i}`,
      feature: `f-${i}`,
      service: `s-${i}`,
      model: `m-${i}`,
      requestModel: `m-${i}`,
      conversation: `c-${i}`,
      tags: { team: `t-${i}`, run: `r-${i % 5}` },
      costNanos: BigInt(1_000 + i),
    }),
  );
}

/** The requests of one GET route with the worst parameters it takes; a route not named here gets the widest range and the largest page. */
function requestsOf(route: Route, ids: { record: string }): string[] {
  const path = fillPath(route.path, (param) => (param === 'id' && route.path.startsWith('/v1/reports/usage') ? ids.record : 'no-such-id'));
  switch (route.path) {
    case '/v1/reports/breakdown':
      return BREAKDOWN_BYS.flatMap((by) => [
        ...FILTERS.map((f) => `${path}?period=all&by=${by}&limit=1000${f}`),
        `${path}?from=2000-01-01&to=2100-01-01&by=${by}&limit=1000`,
      ]);
    case '/v1/reports/export':
      return [
        ...['csv', 'jsonl', 'focus'].map((format) => `${path}?period=all&format=${format}`),
        ...BREAKDOWN_BYS.map((by) => `${path}?period=all&by=${by}&limit=1000&provider=openai`),
        `${path}?from=2000-01-01&to=2100-01-01&format=focus`,
      ];
    case '/v1/reports/timeseries':
    case '/v1/reports/overview':
      return WIDEST.flatMap((range) => ['hour', 'day'].flatMap((interval) => FILTERS.slice(0, 2).map((f) => `${path}?${range}&interval=${interval}${f}`)));
    case '/v1/reports/usage':
      return FILTERS.slice(0, 3).map((f) => `${path}?period=all&limit=1000${f}`);
    case '/api/admin/costs':
      return WIDEST.flatMap((range) => ['summary', 'daily', 'top-users', 'projection'].map((view) => `${path}?${range}&view=${view}&limit=1000`));
    case '/api/cost-tracking':
    case '/api/cost-tracking/agents/:agentId':
      return ['period=all', 'startDate=2000-01-01&endDate=2100-01-01'].map((range) => `${path}?${range}`);
    case '/api/cost-monitoring/export':
      return [`${path}`, `${path}?startDate=2000-01-01&endDate=2100-01-01&format=jsonl`];
    case '/api/cost-monitoring/usage-logs':
    case '/api/cost-tracking/recent':
      return [`${path}?limit=1000`];
    default:
      return [`${path}?period=all&limit=1000`, path];
  }
}

/** Peak resident memory of a process in MB (VmHWM), null when /proc cannot tell. */
function peakRssMb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** A GET whose body is read to the end and counted, only its first bytes kept. */
async function hit(url: string): Promise<{ status: number; bytes: number; head: string }> {
  const res = await fetch(url);
  let bytes = 0;
  let head = '';
  const reader = res.body?.getReader();
  for (let part = await reader?.read(); part && !part.done; part = await reader!.read()) {
    bytes += part.value.length;
    if (head.length < 2_000) head += Buffer.from(part.value).toString();
  }
  return { status: res.status, bytes, head };
}

/** Stores the calls straight into the store the settings name, compacted (mongo), as a service long at work would hold them. */
async function seed(env: Record<string, string>, calls: UsageRecord[]): Promise<void> {
  const store: SqliteStore | MongoStore =
    env.TOKENLEDGER_STORE === 'mongo' ? new MongoStore(env.MONGODB_URI, { compaction: { everyMs: 0 } }) : new SqliteStore(env.TOKENLEDGER_SQLITE_PATH);
  await store.init();
  try {
    for (let i = 0; i < calls.length; i += 5_000) await store.ingest(calls.slice(i, i + 5_000));
    if (store instanceof MongoStore) await store.compact();
  } finally {
    await store.close();
  }
}

describe.each(storeEnvironments('hostile_reads'))('no read can exhaust the heap (%s)', (storeName, environment) => {
  let store: OwnStore;
  let service: ServiceProcess;
  let routes: Route[];
  const ids = { record: '' };

  beforeAll(async () => {
    const probe = await startCollector();
    routes = routesOf(probe.app).filter((r) => r.method === 'GET' && !r.path.startsWith('/dashboard') && !r.path.startsWith('/docs'));
    await probe.close();
    store = environment.own();
    const calls = history(Date.now(), CALLS[storeName]);
    ids.record = calls[0].id;
    await seed(store.env, calls);
    service = await startService({
      ...store.env,
      NODE_OPTIONS: `--max-old-space-size=${HEAP_MB[storeName]}`,
      TOKENLEDGER_BREAKDOWN_MAX_VALUES: String(MAX_VALUES),
      TOKENLEDGER_ALERT_INTERVAL_SECONDS: '0',
      TOKENLEDGER_BILL_SYNC_HOURS: '0',
    });
  }, 240_000);

  afterAll(async () => {
    await service?.stop();
    await store?.drop();
  });

  it('answers every GET route with the worst parameters below 500, refusing with a 400 that names the limit, and stays up', async () => {
    const answers: string[] = [];
    const refusals: string[] = [];
    for (const route of routes) {
      for (const request of requestsOf(route, ids)) {
        let answer: Awaited<ReturnType<typeof hit>>;
        try {
          answer = await hit(`${service.url}${request}`);
        } catch (err) {
          throw new Error(`GET ${request} (${routeName(route)}) failed: ${String(err)}; the service wrote:\n${service.output().slice(-3_000)}`);
        }
        answers.push(`${answer.status} GET ${request}`);
        if (answer.status >= 500) throw new Error(`GET ${request} answered ${answer.status}: ${answer.head}`);
        if (answer.status === 400 && /TOKENLEDGER_BREAKDOWN_MAX_VALUES|at most/.test(answer.head)) refusals.push(request);
        expect(service.child.exitCode).toBeNull();
      }
    }
    // The reads of every value of a dimension of this history are refused, naming the limit.
    for (const by of ['user', 'agent', 'model', 'conversation', 'tag:team']) {
      expect(refusals).toContain(`/v1/reports/breakdown?period=all&by=${by}&limit=1000`);
    }
    expect(refusals).toContain('/v1/ui/models?period=all&limit=1000');
    expect(answers.length).toBeGreaterThan(150);
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
    const peak = peakRssMb(service.child.pid!);
    if (peak !== null) expect(peak).toBeLessThan(RSS_BOUND_MB);
  }, 600_000);

  it('refuses the status of a per-user budget whose period holds more users than the limit, with a 400 naming it', async () => {
    // The budget whose period holds most of the history: a month's or a week's, starting earliest at either end of the world's time zones.
    const now = Date.now();
    const [period, timezone] = (['month', 'week'] as const)
      .flatMap((p) => ['Pacific/Kiritimati', 'Etc/GMT+12'].map((tz) => [p, tz] as const))
      .sort(([pa, ta], [pb, tb]) => calendarPeriod(pa, now, ta).startMs - calendarPeriod(pb, now, tb).startMs)[0];
    const created = await fetch(`${service.url}/v1/budgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'each user', scope: { perUser: true }, period, timezone, limitUsd: '5', action: 'block' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const res = await fetch(`${service.url}/v1/budgets/${id}/status`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ parameter: 'id', message: expect.stringMatching(/more than 2,000 users \(TOKENLEDGER_BREAKDOWN_MAX_VALUES\)/) });
    // Enforcement is not a read of a request: the check still answers for a user.
    const check = await fetch(`${service.url}/v1/budgets/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'u-7' }),
    });
    expect(check.status).toBe(200);
  });

  it('refuses a breakdown of more values than the limit with a 400 naming it and what to do', async () => {
    const res = await fetch(`${service.url}/v1/reports/breakdown?period=all&by=user`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      parameter: 'by',
      message: expect.stringMatching(/more than 2,000 values of user \(TOKENLEDGER_BREAKDOWN_MAX_VALUES\): narrow from\/to/),
    });
  });
});

/**
 * A read over all time (period=all: from the epoch) finds the first day with calls without a read of
 * every bucket with calls: the largest answer the store gives while the request is served holds at
 * most a day's buckets (96) more than the points it answers with. Here one call long ago and one in
 * each of many recent buckets: a time series from the first would be more points than allowed, a 400
 * naming `from` before any bucket is read.
 */
describe.each(storeEnvironments('hostile_first_day'))('the first day with calls of all time (%s)', (_storeName, environment) => {
  const RECENT_BUCKETS = 3_000;
  let store: OwnStore;
  let collector: RunningCollector;
  let largest = 0;

  beforeAll(async () => {
    store = environment.own();
    collector = await startCollector({ ...store.env, TOKENLEDGER_ALERT_INTERVAL_SECONDS: '0', TOKENLEDGER_BILL_SYNC_HOURS: '0' });
    const now = Date.now();
    const calls = [
      record({ timeMs: Date.UTC(1990, 0, 2, 12) }),
      ...Array.from({ length: RECENT_BUCKETS }, (_, i) => record({ timeMs: now - HOUR_MS - i * 15 * 60_000, feature: 'recent' })),
    ];
    for (let i = 0; i < calls.length; i += 1_000) await ingestRecords(collector.app, calls.slice(i, i + 1_000));
    // What the store answers each read with, counted as it leaves the store.
    const storage = collector.app.get<StoragePort>(STORAGE);
    const aggregate = storage.aggregate.bind(storage);
    storage.aggregate = async (query: RollupQuery) => {
      const rows = await aggregate(query);
      largest = Math.max(largest, rows.length);
      return rows;
    };
  }, 120_000);

  afterAll(async () => {
    await collector?.close();
    await store?.drop();
  });

  beforeEach(() => {
    largest = 0;
  });

  it.each(['/api/cost-tracking?period=all', '/v1/reports/timeseries?period=all&interval=day', '/v1/reports/overview?period=all&interval=day'])(
    '%s: a 400 naming from, from reads of at most a day of buckets',
    async (request) => {
      const res = await fetch(`${collector.url}${request}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ parameter: 'from', message: expect.stringMatching(/a time series has at most 10,000/) });
      expect(largest).toBeLessThanOrEqual(96);
    },
  );

  it('answers a filter that keeps only the recent calls from the first day of those', async () => {
    const res = await fetch(`${collector.url}/v1/reports/timeseries?period=all&interval=day&feature=recent`);
    expect(res.status).toBe(200);
    const { points } = (await res.json()) as { points: { calls: number }[] };
    expect(points[0].calls).toBeGreaterThan(0);
    expect(points.reduce((sum, p) => sum + p.calls, 0)).toBe(RECENT_BUCKETS);
    expect(points.length).toBeLessThanOrEqual(Math.ceil(RECENT_BUCKETS / 96) + 2);
  });
});
