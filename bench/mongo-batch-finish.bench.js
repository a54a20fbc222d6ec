// What finishing a pending batch costs on the server in MONGODB_URI, on a store of BENCH_RECORDS
// records (stored through MongoStore.ingest, 2,048 a call, 4 calls at once): BENCH_ROUNDS times, a
// writer stores a 2,048-record batch and dies right after its records' insert (the batch pending,
// every record stored), then a new instance opens the store and finishes that batch as it starts.
// Prints the starts' times beside one `_id` lookup in usage_records: finishing such a batch used to
// read each record's owner, 2,048 of those lookups.
// Ends by checking the store's total against every record sent, to the call.
// Run: MONGODB_URI=mongodb://127.0.0.1:<port>/ BENCH_RECORDS=100000 ./run node bench/mongo-batch-finish.bench.js
//      (BENCH_ROUNDS=5)
'use strict';
const { MongoStore } = require('../collector-service/dist/storage/mongo/mongo.store');
const { percentile } = require('./stats');
const { usageRecord } = require('./usage-records');

const RECORDS = Number(process.env.BENCH_RECORDS || 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);
const BATCH = 2048;
const MANUAL = { everyMs: 0 };

let next = 0;
function batch(size = BATCH) {
  return Array.from({ length: size }, () => {
    const i = next++;
    return usageRecord(i, {
      timeMs: Date.UTC(2026, 9, 1) + i * 1000,
      provider: 'openai',
      model: 'gpt-4o',
      type: 'llm',
      user: `user-${i % 1000}`,
      agent: null,
      feature: null,
      status: 'ok',
      costNanos: 1000n + BigInt(i % 97),
      unpriced: 0,
      input: 200,
      output: 50,
      durationMs: 800,
    });
  });
}

const ms = (since) => Number(process.hrtime.bigint() - since) / 1e6;

(async () => {
  if (!process.env.MONGODB_URI) throw new Error('set MONGODB_URI to the MongoDB-wire server to measure');
  const dbName = `bench_finish_${RECORDS}_${Date.now()}`;
  const seeder = new MongoStore(process.env.MONGODB_URI, { dbName, compaction: { everyMs: 1000 } });
  await seeder.init();
  const seeding = process.hrtime.bigint();
  for (let sent = 0; sent < RECORDS;) {
    const calls = [];
    for (let c = 0; c < 4 && sent < RECORDS; c++, sent += BATCH) calls.push(seeder.ingest(batch(Math.min(BATCH, RECORDS - sent))));
    await Promise.all(calls);
  }
  await seeder.compact();
  console.log(`seeded ${RECORDS.toLocaleString('en-US')} records in ${(ms(seeding) / 1000).toFixed(0)} s`);
  const lookup = process.hrtime.bigint();
  await seeder['records'].findOne({ _id: 'absent' });
  const lookupMs = ms(lookup);
  await seeder.close();

  const starts = [];
  for (let round = 0; round < ROUNDS; round++) {
    const crashing = new MongoStore(process.env.MONGODB_URI, { dbName, faults: { afterInsert: true }, compaction: MANUAL });
    await crashing.init();
    await crashing.ingest(batch()).then(
      () => Promise.reject(new Error('the writer was to die after its insert')),
      (err) => (String(err).includes('injected fault afterInsert') ? undefined : Promise.reject(err)),
    );
    await crashing.close();
    const restarted = new MongoStore(process.env.MONGODB_URI, { dbName, compaction: MANUAL });
    const start = process.hrtime.bigint();
    await restarted.init(); // finishes the pending batch before it returns
    starts.push(ms(start));
    await restarted.close();
  }
  const check = new MongoStore(process.env.MONGODB_URI, { dbName, compaction: MANUAL });
  await check.init();
  const [total] = await check.aggregate({ tenant: 'default', fromMs: 0, toMs: Date.UTC(2100, 0, 1), filters: {}, groupBy: [] });
  const expected = RECORDS + ROUNDS * BATCH;
  const sorted = [...starts].sort((a, b) => a - b);
  console.log(
    `a start finishing a pending ${BATCH}-record batch whose records are stored: p50 ${percentile(sorted, 0.5).toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms (${ROUNDS} rounds)`,
  );
  console.log(
    `one _id lookup in usage_records (${RECORDS.toLocaleString('en-US')} records): ${lookupMs.toFixed(0)} ms; ${BATCH} of them, as finishing read owners before: about ${((lookupMs * BATCH) / 1000).toFixed(0)} s`,
  );
  console.log(`total calls ${total?.calls} of ${expected} sent: ${total?.calls === expected ? 'exact' : 'NOT EXACT'}`);
  await check['db'].dropDatabase();
  await check.close();
  if (total?.calls !== expected) process.exit(1);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
