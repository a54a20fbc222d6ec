// What the records' claims cost ingest on the server in MONGODB_URI: two fresh stores, one written by
// this checkout's build, one by another built checkout (BENCH_BASELINE=<dir>, e.g. one from before
// records held claims), take the same 2,048-record MongoStore.ingest calls in turn (alternating which
// goes first), compaction running as in the service. Prints each store's ingest times and records/s.
// Run: MONGODB_URI=mongodb://127.0.0.1:<port>/ BENCH_BASELINE=<dir> ./run node bench/mongo-claims-ingest.bench.js
//      (BENCH_ROUNDS=10 calls per store)
'use strict';
const path = require('node:path');
const { percentile } = require('./stats');
const { steadyCall } = require('./usage-records');

const ROUNDS = Number(process.env.BENCH_ROUNDS || 10);
const BATCH = 2048;
const BASELINE = process.env.BENCH_BASELINE && path.resolve(process.env.BENCH_BASELINE);
const storeOf = (root) => require(path.join(root, 'collector-service/dist/storage/mongo/mongo.store')).MongoStore;

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
        const records = steadyCall(round, BATCH); // both stores get the very same records
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
