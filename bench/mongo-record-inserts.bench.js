// The event loop's CPU time for a batch's record inserts on mongo: the record documents built,
// serialised and written by the store's own driver connection (how a batch not prepared on a thread is
// inserted), against the documents an ingest thread encoded handed to the store's inserter thread
// (RecordInserter). Batches of 512 records priced from the ingest benchmark's OTLP batches, each
// inserted once into a fresh database per way, taking turns; CPU time of this thread only
// (process.threadCpuUsage), so the figure holds on a shared machine better than a latency.
// Run: MONGODB_URI=mongodb://127.0.0.1:<port>/ ./run node bench/mongo-record-inserts.bench.js (BENCH_BATCHES=40)
'use strict';
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');
require(require.resolve('reflect-metadata', { paths: [join(__dirname, '..', 'collector-service')] }));
const { loadavg } = require('node:os');
const dist = join(__dirname, '..', 'collector-service', 'dist');
const { MongoClient } = require(require.resolve('mongodb', { paths: [dist] }));
const { BATCH, makeBatches } = require('./otlp-batches');
const { PricingService } = require(join(dist, 'pricing/pricing.service'));
const { UsageService } = require(join(dist, 'usage/usage.service'));
const { priceSpans } = require(join(dist, 'ingest/span-pricing'));
const { prepareMongoBatch } = require(join(dist, 'storage/mongo/prepared-batch'));
const { toRecordDoc } = require(join(dist, 'storage/mongo/record-docs'));
const { encodeRecord } = require(join(dist, 'storage/record-codec'));
const { insertIgnoringDuplicates } = require(join(dist, 'storage/mongo/inserts'));
const { RecordInserter } = require(join(dist, 'storage/mongo/record-inserter'));

const BATCHES = Number(process.env.BENCH_BATCHES || 40);
const uri = process.env.MONGODB_URI;
if (!uri) throw new Error('MONGODB_URI is required');

const { median, threadCpuMs: cpuMs } = require('./stats');

(async () => {
  const usage = new UsageService(new PricingService({ pricesFile: null }));
  const suffix = Date.now();
  const [loopName, threadName] = [`bench_inserts_loop_${suffix}`, `bench_inserts_thread_${suffix}`];
  const client = await MongoClient.connect(uri, { writeConcern: { w: 'majority', journal: true } });
  const loopRecords = client.db(loopName).collection('usage_records');
  const inserter = new RecordInserter({ uri, dbName: threadName, serverSelectionTimeoutMS: 2000 });
  const times = { loop: [], thread: [] };
  const load = [loadavg()[0]];
  try {
    for (const body of makeBatches(BATCHES)) {
      const { records } = priceSpans(usage, body, 'protobuf', { tenant: 'default', openMode: true });
      const [part] = prepareMongoBatch(records).tenants;
      // Encoded as the ingest thread encodes them, outside the time (the documents' `doc`).
      const texts = records.map(encodeRecord);
      let start = cpuMs();
      await insertIgnoringDuplicates(
        loopRecords,
        records.map((r, i) => toRecordDoc(r, randomUUID(), texts[i])),
      );
      times.loop.push(cpuMs() - start);
      start = cpuMs();
      await inserter.insert(randomUUID(), part.recordDocs);
      times.thread.push(cpuMs() - start);
    }
  } finally {
    await inserter.close();
    for (const name of [loopName, threadName]) await client.db(name).dropDatabase();
    await client.close();
  }
  load.push(loadavg()[0]);
  const text = (xs) => `median ${median(xs).toFixed(2)} ms, min ${Math.min(...xs).toFixed(2)} ms`;
  console.log(`event-loop CPU per batch of ${BATCH} records, ${BATCHES} batches (load average ${load[0].toFixed(1)} → ${load[1].toFixed(1)}):`);
  console.log(`  built, serialised and written on the event loop: ${text(times.loop)}`);
  console.log(`  encoded on the ingest thread, inserted by the inserter thread: ${text(times.thread)}`);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
