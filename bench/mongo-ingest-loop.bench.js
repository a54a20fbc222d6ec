// The event loop's CPU time for one mongo batch of 512 spans, from the pricing thread's answer to the
// store's: the answer received (a structured clone of what the thread sends) and the batch stored
// (MongoStore.ingest: day capacity, batch document, records through the inserter thread, groups). The
// ingest benchmark's OTLP batches, priced on one pricing thread preparing for mongo, stored one at a
// time into a fresh database; CPU time of the main thread only (process.threadCpuUsage), so the figure
// holds on a shared machine better than a latency. With BENCH_BASELINE=<another checkout, built>, that
// checkout's build runs the same batches too, each build in a process of its own, taking turns twice.
// Run: MONGODB_URI=mongodb://127.0.0.1:<port>/ ./run node bench/mongo-ingest-loop.bench.js (BENCH_BATCHES=40)
'use strict';
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');
const { loadavg } = require('node:os');

const BATCHES = Number(process.env.BENCH_BATCHES || 40);
const uri = process.env.MONGODB_URI;
if (!uri) throw new Error('MONGODB_URI is required');

const { median, threadCpuMs: cpuMs } = require('./stats');

/** One build's run, in this process: the medians of receiving and storing a batch. */
async function measure(root) {
  const service = join(root, 'collector-service');
  require(require.resolve('reflect-metadata', { paths: [service] }));
  const dist = join(service, 'dist');
  const { BATCH, makeBatches } = require('./otlp-batches');
  const { PricingService } = require(join(dist, 'pricing/pricing.service'));
  const { UsageService } = require(join(dist, 'usage/usage.service'));
  const { SpanPricingPool } = require(join(dist, 'ingest/span-pricing.pool'));
  const { MongoStore } = require(join(dist, 'storage/mongo/mongo.store'));
  const usage = new UsageService(new PricingService({ pricesFile: null }));
  const pool = new SpanPricingPool(usage, null, 1, 'mongo');
  const dbName = `bench_ingest_loop_${process.pid}_${Date.now()}`;
  const store = new MongoStore(uri, { dbName, compaction: { everyMs: 0 } });
  await store.init();
  const sender = { tenant: 'default', openMode: true };
  const times = { receive: [], store: [] };
  try {
    // The first batches start the threads and load the price book: not counted.
    const warm = 3;
    for (const [i, body] of makeBatches(BATCHES + warm).entries()) {
      const start = cpuMs();
      const priced = await pool.price(body, 'protobuf', sender);
      const received = cpuMs();
      await store.ingest(priced.records, priced.prepared);
      const stored = cpuMs();
      if (i < warm) continue;
      times.receive.push(received - start);
      times.store.push(stored - received);
    }
  } finally {
    await pool.onModuleDestroy();
    await store.close();
    const { MongoClient } = require(require.resolve('mongodb', { paths: [dist] }));
    const client = await MongoClient.connect(uri);
    await client.db(dbName).dropDatabase();
    await client.close();
  }
  return { batch: BATCH, receive: median(times.receive), store: median(times.store) };
}

if (process.argv[2] === '--child') {
  measure(process.argv[3]).then(
    (result) => console.log(JSON.stringify(result)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
} else {
  const builds = [
    { label: process.env.BENCH_BASELINE ? 'this build' : '', root: join(__dirname, '..') },
    ...(process.env.BENCH_BASELINE ? [{ label: 'baseline', root: process.env.BENCH_BASELINE }] : []),
  ];
  const load = [loadavg()[0]];
  const rounds = builds.length > 1 ? 2 : 1;
  for (let round = 1; round <= rounds; round++) {
    for (const { label, root } of builds) {
      const out = execFileSync(process.execPath, [__filename, '--child', root], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      const { batch, receive, store } = JSON.parse(out.trim().split('\n').pop());
      const name = label ? `${label}, round ${round}` : `round ${round}`;
      console.log(
        `${name}: event-loop CPU per batch of ${batch} spans (median of ${BATCHES}): the answer received ${receive.toFixed(2)} ms, the batch stored ${store.toFixed(2)} ms, together ${(receive + store).toFixed(2)} ms`,
      );
    }
  }
  load.push(loadavg()[0]);
  console.log(`load average ${load[0].toFixed(1)} → ${load[1].toFixed(1)}`);
}
