// What the records' time index costs ingest on the server in MONGODB_URI: two fresh stores, one given
// the index { tenant, timeMs, _id } on usage_records (as every store had before; MongoDB stores still
// have it), one as the adapter now creates it on FerretDB (only `_id`), take the same 2,048-record
// MongoStore.ingest calls in turn (alternating which goes first), compaction running as in the service.
// It also prints where the server's time went for the store as created now: every command the
// driver sent (ingest's and compaction's, which run at once), summed by command and collection.
// Run: MONGODB_URI=mongodb://127.0.0.1:<port>/ ./run node bench/mongo-records-index.bench.js
//      (BENCH_ROUNDS=10 calls per store)
'use strict';
const { MongoStore } = require('../collector-service/dist/storage/mongo/mongo.store');
const { percentile } = require('./stats');
const { steadyCall } = require('./usage-records');

const ROUNDS = Number(process.env.BENCH_ROUNDS || 10);
const BATCH = 2048;

(async () => {
  if (!process.env.MONGODB_URI) throw new Error('set MONGODB_URI to the MongoDB-wire server to measure');
  const run = Date.now();
  const watched = new URL(process.env.MONGODB_URI);
  watched.searchParams.set('monitorCommands', 'true');
  const stores = {
    'with the time index': new MongoStore(process.env.MONGODB_URI, { dbName: `bench_index_with_${run}` }),
    'as created now': new MongoStore(watched.toString(), { dbName: `bench_index_without_${run}` }),
  };
  for (const store of Object.values(stores)) await store.init();
  const commands = new Map();
  const client = stores['as created now']['connection'].getClient();
  const started = new Map();
  client.on('commandStarted', (e) => started.set(e.requestId, `${e.commandName} ${e.command[e.commandName]}`));
  client.on('commandSucceeded', (e) => {
    const key = started.get(e.requestId);
    const sum = commands.get(key) ?? { count: 0, ms: 0 };
    commands.set(key, { count: sum.count + 1, ms: sum.ms + e.duration });
  });
  const withIndex = stores['with the time index'];
  await withIndex['records'].createIndex({ tenant: 1, timeMs: 1, _id: 1 });
  const ms = Object.fromEntries(Object.keys(stores).map((name) => [name, []]));
  let calls = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? Object.entries(stores) : Object.entries(stores).reverse();
      for (const [name, store] of order) {
        const records = steadyCall(calls++, BATCH); // each call new records, as a service receives them
        const t = process.hrtime.bigint();
        await store.ingest(records);
        ms[name].push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
    const indexes = {};
    for (const [name, store] of Object.entries(stores)) indexes[name] = (await store['records'].indexes()).map((i) => JSON.stringify(i.key)).join(' ');
    for (const [name, times] of Object.entries(ms)) {
      const sorted = [...times].sort((a, b) => a - b);
      const recordsPerS = (BATCH * times.length) / (times.reduce((a, b) => a + b, 0) / 1000);
      console.log(
        `${name} (${indexes[name]}): ${BATCH}-record ingest p50 ${percentile(sorted, 0.5).toFixed(0)} ms, min ${sorted[0].toFixed(0)}, max ${sorted[sorted.length - 1].toFixed(0)}; ${recordsPerS.toFixed(0)} records/s`,
      );
    }
    console.log('server time by command, store as created now:');
    for (const [key, { count, ms: total }] of [...commands].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8))
      console.log(`  ${key}: ${count} × ${(total / count).toFixed(0)} ms = ${(total / 1000).toFixed(1)} s`);
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
