// Report and budget-check latency while 8 senders ingest: p50/p99 of POST /v1/budgets/check, GET
// /v1/reports/summary and GET /v1/reports/timeseries (by hour) through the real service over HTTP,
// first with nothing else going on, then while BENCH_SENDERS senders (in a worker thread, so the
// probes' event loop is free) post OTLP protobuf batches of 512 new spans as fast as they are
// acknowledged. Each probe is its own client on one keep-alive socket, asking again 10 ms (checks)
// or 50 ms (reports) after each answer, as apps and dashboards do. A fresh store per run, with 20
// budgets of the usual shapes and 40 batches (20,480 spans) stored before the first probe.
// Run: ./run node bench/reports-under-load.bench.js
//      (MONGODB_URI=mongodb://127.0.0.1:27017/ for mongo too; BENCH_SECONDS=30 a phase, BENCH_SENDERS=8;
//       BENCH_PROFILE=<dir> writes the service's CPU profile there; BENCH_INGEST_WORKERS=0,1 runs each
//       store once per TOKENLEDGER_INGEST_WORKERS value, taking turns: 0 prices on the event loop;
//       BENCH_BASELINE=<another checkout, built> runs its service after this one's on each store, to
//       compare builds side by side: git worktree add /tmp/tl-base main && (cd /tmp/tl-base && ./run build);
//       BENCH_STORES=mongo leaves sqlite out, BENCH_STORES=sqlite mongo)
// Each phase also prints the service's event-loop delay (perf_hooks, loop-delay.preload.js), and under
// load the CPU time its main thread and all its threads spent per batch of 512 spans (Linux, /proc):
// unlike latency on a shared machine, CPU time says how much work a build leaves on the event loop.
'use strict';
const http = require('node:http');
const { mkdtempSync, rmSync } = require('node:fs');
const { loadavg, tmpdir } = require('node:os');
const { join } = require('node:path');
const { isMainThread, parentPort, Worker, workerData } = require('node:worker_threads');
const { BATCH, makeBatches, renewTraceIds } = require('./otlp-batches');
const { startService } = require('./service');
const { percentile, processCpuMs } = require('./stats');

const SECONDS = Number(process.env.BENCH_SECONDS || 30);
const SENDERS = Number(process.env.BENCH_SENDERS || 8);
/** Batches the senders cycle through, each sent again with new trace ids. */
const POOL = 64;
/** TOKENLEDGER_INGEST_WORKERS values to compare, one run each; empty: the service's default only. */
const WORKER_SETTINGS = (process.env.BENCH_INGEST_WORKERS || '').split(',').filter((w) => w !== '');
/** The stores to run (mongo only with MONGODB_URI). */
const STORES = (process.env.BENCH_STORES || 'sqlite,mongo').split(',');
/** This checkout's build, then (BENCH_BASELINE=<another built checkout>) that one's, taking turns on each store. */
const BUILDS = [
  { label: process.env.BENCH_BASELINE ? ' (this build)' : '', root: join(__dirname, '..') },
  ...(process.env.BENCH_BASELINE ? [{ label: ' (baseline)', root: process.env.BENCH_BASELINE }] : []),
];

if (!isMainThread) {
  // The senders: until told to stop, each posts the next batch of the pool with new ids and counts what was stored.
  const batches = makeBatches(POOL);
  let next = 0;
  let stopped = false;
  let spans = 0;
  parentPort.on('message', (message) => {
    if (message === 'stop') stopped = true;
    if (message === 'count') parentPort.postMessage({ spans });
  });
  const sender = async () => {
    while (!stopped) {
      const body = renewTraceIds(batches[next++ % POOL]);
      const res = await fetch(`${workerData.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
      spans += BATCH;
    }
  };
  parentPort.postMessage({ ready: true });
  Promise.all(Array.from({ length: workerData.senders }, sender)).then(
    () => parentPort.postMessage({ done: true, spans }),
    (err) => parentPort.postMessage({ error: err.message }),
  );
  return;
}

/** One keep-alive client: request(method, path, body) resolves with the milliseconds the answer took. */
function client(url) {
  const { hostname, port } = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const request = (method, path, body) =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
      const started = process.hrtime.bigint();
      const req = http.request(
        { host: hostname, port, path, method, agent, headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode !== 200) return reject(new Error(`${method} ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 200)}`));
            resolve(Number(process.hrtime.bigint() - started) / 1e6);
          });
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  return { request, close: () => agent.destroy() };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The probes, side by side for `seconds`: each one's times in milliseconds. */
async function probe(url, seconds) {
  const until = Date.now() + seconds * 1000;
  const loop = async (pauseMs, ask) => {
    const c = client(url);
    const times = [];
    try {
      for (let i = 0; Date.now() < until; i++) {
        times.push(await ask(c.request, i));
        await sleep(pauseMs);
      }
    } finally {
      c.close();
    }
    return times;
  };
  const [check, summary, timeseries] = await Promise.all([
    loop(10, (request, i) =>
      request('POST', '/v1/budgets/check', { user: `user-${i % 200}`, model: 'gpt-4o-2024-08-06', provider: 'openai', agent: `agent-${i % 5}` }),
    ),
    loop(50, (request) => request('GET', '/v1/reports/summary')),
    loop(50, (request) => request('GET', '/v1/reports/timeseries?interval=hour')),
  ]);
  return { check, summary, timeseries };
}

/** 20 budgets: the company's month, per model, per agent, each user's day, and some users' own. */
async function createBudgets(url) {
  const bodies = [
    { name: 'company month', scope: {}, period: 'month', limitUsd: '1000000', action: 'block' },
    { name: 'each user day', scope: { perUser: true }, period: 'day', limitUsd: '50', action: 'block' },
    { name: 'gpt-4o month', scope: { model: 'gpt-4o-2024-08-06' }, period: 'month', limitUsd: '50000', action: 'notify' },
    { name: 'claude week', scope: { model: 'claude-3-5-sonnet-20241022' }, period: 'week', timezone: 'Europe/Madrid', limitUsd: '20000', action: 'notify' },
    ...Array.from({ length: 5 }, (_, a) => ({
      name: `agent-${a} day`,
      scope: { agent: `agent-${a}` },
      period: 'day',
      timezone: 'America/New_York',
      limitUsd: '5000',
      action: 'notify',
    })),
    ...Array.from({ length: 11 }, (_, u) => ({
      name: `user-${u} month`,
      scope: { user: `user-${u}` },
      period: 'month',
      limitUsd: '500',
      action: u % 2 ? 'block' : 'notify',
    })),
  ];
  for (const body of bodies) {
    const res = await fetch(`${url}/v1/budgets`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    if (res.status !== 201) throw new Error(`budget: ${res.status} ${await res.text()}`);
  }
}

function startSenders(url) {
  const worker = new Worker(__filename, { workerData: { url, senders: SENDERS } });
  const replies = [];
  let failure = null;
  worker.on('message', (m) => {
    if (m.error) failure = new Error(m.error);
    else replies.push(m);
  });
  worker.on('error', (err) => (failure = err));
  const reply = async (test) => {
    for (;;) {
      if (failure) throw failure;
      const found = replies.findIndex(test);
      if (found >= 0) return replies.splice(found, 1)[0];
      await sleep(20);
    }
  };
  return {
    ready: () => reply((m) => m.ready),
    spans: async () => {
      worker.postMessage('count');
      return (await reply((m) => 'spans' in m && !m.done)).spans;
    },
    stop: async () => {
      worker.postMessage('stop');
      await reply((m) => m.done);
      await worker.terminate();
    },
  };
}

const ms = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(0));
const summarise = (times) => `p50 ${ms(percentile(times, 0.5))} ms, p99 ${ms(percentile(times, 0.99))} ms, max ${ms(Math.max(...times))} ms (${times.length})`;

/**
 * The service's event-loop delay since it was last asked (see loop-delay.preload.js): how long a
 * request that arrived at a random moment waited for the loop before any of its own work.
 */
function loopDelays(child) {
  return () =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send('loop-delay');
    });
}

const delaysText = (d) => `p50 ${ms(d.p50)} ms, p99 ${ms(d.p99)} ms, max ${ms(d.max)} ms`;

async function run(label, env, root) {
  const options = [`--require=${join(__dirname, 'loop-delay.preload.js')}`];
  if (process.env.BENCH_PROFILE) options.push(`--cpu-prof --cpu-prof-dir=${process.env.BENCH_PROFILE}`);
  const service = await startService({ TOKENLEDGER_ALERT_INTERVAL_SECONDS: '0', ...env, NODE_OPTIONS: options.join(' ') }, { root, ipc: true });
  const loopDelay = loopDelays(service.child);
  try {
    await createBudgets(service.url);
    const seed = client(service.url);
    for (const body of makeBatches(40)) {
      await new Promise((resolve, reject) => {
        const { hostname, port } = new URL(service.url);
        const req = http.request(
          { host: hostname, port, path: '/v1/traces', method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } },
          (res) => {
            res.resume();
            res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`seed: ${res.statusCode}`))));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    }
    seed.close();
    await loopDelay();
    const idle = await probe(service.url, Math.min(SECONDS, 10));
    const idleDelays = await loopDelay();
    const senders = startSenders(service.url);
    await senders.ready();
    await sleep(3000); // the senders up to speed
    const load = [loadavg()[0]];
    const before = await senders.spans();
    const started = Date.now();
    await loopDelay();
    const cpuBefore = processCpuMs(service.child.pid);
    const busy = await probe(service.url, SECONDS);
    const busyDelays = await loopDelay();
    const cpuAfter = processCpuMs(service.child.pid);
    const sent = (await senders.spans()) - before;
    const rate = sent / ((Date.now() - started) / 1000);
    load.push(loadavg()[0]);
    await senders.stop();
    for (const [name, times] of Object.entries(idle)) console.log(`${label}, idle: ${name} ${summarise(times)}`);
    console.log(`${label}, idle: event-loop delay ${delaysText(idleDelays)}`);
    const busyLabel = `${label}, ${SENDERS} senders at ${Math.round(rate).toLocaleString('en-US')} spans/s (load average ${load[0].toFixed(1)} → ${load[1].toFixed(1)})`;
    for (const [name, times] of Object.entries(busy)) console.log(`${busyLabel}: ${name} ${summarise(times)}`);
    console.log(`${busyLabel}: event-loop delay ${delaysText(busyDelays)}`);
    if (cpuBefore && cpuAfter && sent > 0) {
      const perBatch = (ms) => ((ms * BATCH) / sent).toFixed(1);
      console.log(
        `${busyLabel}: CPU per batch of ${BATCH} spans: main thread ${perBatch(cpuAfter.main - cpuBefore.main)} ms, all threads ${perBatch(cpuAfter.all - cpuBefore.all)} ms (the probes' requests included)`,
      );
    }
  } finally {
    service.child.kill('SIGTERM');
    await new Promise((resolve) => service.child.once('exit', resolve));
  }
}

(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-bench-load-'));
  try {
    const settings = WORKER_SETTINGS.length > 0 ? WORKER_SETTINGS : [null];
    for (const workers of STORES.includes('sqlite') ? settings : []) {
      for (const build of BUILDS) {
        const label = `sqlite${build.label}${workers === null ? '' : `, ${workers} ingest workers`}`;
        const file = join(dir, `load-${workers}-${BUILDS.indexOf(build)}.sqlite`);
        await run(label, { TOKENLEDGER_SQLITE_PATH: file, ...(workers === null ? {} : { TOKENLEDGER_INGEST_WORKERS: workers }) }, build.root);
      }
    }
    if (process.env.MONGODB_URI && STORES.includes('mongo')) {
      const mongoose = require(require.resolve('mongoose', { paths: [join(__dirname, '..', 'collector-service')] }));
      for (const build of BUILDS) {
        const url = new URL(process.env.MONGODB_URI);
        url.pathname = `/bench_load_${Date.now()}`;
        try {
          await run(`mongo${build.label}`, { TOKENLEDGER_STORE: 'mongo', MONGODB_URI: url.toString() }, build.root);
        } finally {
          const conn = await mongoose.createConnection(url.toString()).asPromise();
          await conn.db.dropDatabase();
          await conn.close();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
