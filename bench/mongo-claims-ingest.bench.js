// What the records' claims cost ingest on the server in MONGODB_URI: two fresh stores, one written by
// this checkout's build, one by another built checkout (BENCH_BASELINE=<dir>, e.g. one from before
// records held claims), take the same 2,048-record MongoStore.ingest calls in turn (alternating which
// goes first), compaction running as in the service. Prints each store's ingest times and records/s.
// Run: MONGODB_URI=mongodb://127.0.0.1:<port>/ BENCH_BASELINE=<dir> ./run node bench/mongo-claims-ingest.bench.js
//      (BENCH_ROUNDS=10 calls per store)
'use strict';
const path = require('node:path');
const { percentile } = require('./seeded-store');
const { usageRecord } = require('./usage-records');

const ROUNDS = Number(process.env.BENCH_ROUNDS || 10);
const BATCH = 2048;
const BASELINE = process.env.BENCH_BASELINE && path.resolve(process.env.BENCH_BASELINE);
const storeOf = (root) => require(path.join(root, 'collector-service/dist/storage/mongo/mongo.store')).MongoStore;

/** Call `call`'s records: one tenant, a second apart; both stores get the very same ones. */
function batch(call) {
  return Array.from({ length: BATCH }, (_, k) => {
    const i = call * BATCH + k;
    return usageRecord(i, {
      timeMs: Date.UTC(2026, 9, 5) + i * 1000,
      provider: 'openai',
      model: 'gpt-4o',
      type: 'llm',
      user: `user-${i % 1000}`,
      agent: `agent-${i % 8}`,
      feature: `feature-${i % 12}`,
      status: 'ok',
      costNanos: 1000n + BigInt(i % 97),
      unpriced: 0,
      input: 200 + (i % 4000),
      output: 50 + (i % 1500),
      durationMs: 800,
    });
  });
}

(async () => {
  if (!process.env.MONGODB_URI) throw new Error('set MONGODB_URI to the MongoDB-wire server to measure');
  if (!BASELINE) throw new Error('set BENCH_BASELINE to another built checkout of this repository');
  const run = Date.now();
  const stores = {
    'this build': new (storeOf(path.join(__dirname, '..')))(process.env.MONGODB_URI, { dbName: `bench_claims_this_${run}` }),
    [`baseline ${BASELINE}`]: new (storeOf(BASELINE))(process.env.MONGODB_URI, { dbName: `bench_claims_base_${run}` }),
  };
  for (const store of Object.values(stores)) await store.init();
  const ms = Object.fromEntries(Object.keys(stores).map((name) => [name, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? Object.entries(stores) : Object.entries(stores).reverse();
      for (const [name, store] of order) {
        const records = batch(round);
        const t = process.hrtime.bigint();
        await store.ingest(records);
        ms[name].push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
    for (const [name, times] of Object.entries(ms)) {
      const sorted = [...times].sort((a, b) => a - b);
      const recordsPerS = (BATCH * times.length) / (times.reduce((a, b) => a + b, 0) / 1000);
      console.log(
        `${name}: ${BATCH}-record ingest p50 ${percentile(sorted, 0.5).toFixed(0)} ms, min ${sorted[0].toFixed(0)}, max ${sorted[sorted.length - 1].toFixed(0)}; ${recordsPerS.toFixed(0)} records/s`,
      );
    }
  } finally {
    for (const store of Object.values(stores)) {
      await store['db'].dropDatabase();
      await store.close();
    }
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
