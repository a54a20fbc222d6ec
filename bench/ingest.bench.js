// Spans per second priced and durably stored from OTLP protobuf batches of 512 spans, through the
// real service over HTTP, next to the raw insert rate of the same store without our pipeline.
// Run: ./run node bench/ingest.bench.js        (sqlite; set MONGODB_URI to measure mongo too;
//      BENCH_SENDERS=2,8 concurrent senders, BENCH_BATCHES=200 batches per run)
'use strict';
const { startService } = require('./service');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { DatabaseSync } = require('node:sqlite');
const { BATCH, makeBatches } = require('./otlp-batches');
const { decodeRecord, encodeRecord } = require('../collector-service/dist/storage/record-codec');

// 200 batches (102,400 spans) by default: a much shorter run is mostly warm-up (see the README).
const BATCHES = Number(process.env.BENCH_BATCHES || 200);
/**
 * Concurrent senders. The OpenTelemetry Collector's OTLP exporters send with 10 consumers by default
 * (sending_queue.num_consumers); an SDK's batch processor with one. Each figure is for a fresh store.
 */
const SENDERS = (process.env.BENCH_SENDERS || '2,8').split(',').map(Number);

async function send(url, batches, senders) {
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const body = batches[next++];
      const res = await fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
      await res.arrayBuffer();
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: senders }, worker));
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * The limit: the very records the run stored, read back from the service's file and inserted again
 * into a fresh one as plain id + JSON rows, serialised in the loop (as any insert of an object is),
 * in 512-row transactions, each durable (synchronous = FULL) before the next; nothing else: no HTTP,
 * no decoding, no pricing, no rollups, no second index.
 */
function rawSqlite(path, storedPath) {
  const source = new DatabaseSync(storedPath, { readOnly: true });
  const records = source
    .prepare('SELECT doc FROM records')
    .all()
    .map((row) => decodeRecord(row.doc));
  source.close();
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE raw (id TEXT PRIMARY KEY, doc TEXT NOT NULL) STRICT');
  const insert = db.prepare('INSERT INTO raw (id, doc) VALUES (?, ?)');
  const start = process.hrtime.bigint();
  for (let i = 0; i < records.length; i += BATCH) {
    db.exec('BEGIN');
    for (const r of records.slice(i, i + BATCH)) insert.run(r.id, encodeRecord(r));
    db.exec('COMMIT');
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  db.close();
  return records.length / seconds;
}

/**
 * The same limit for a MongoDB-wire store: the very records the run stored, read back from the run's
 * records collection and inserted again, as the same plain documents (_id = record id), into a fresh
 * collection with no secondary index, by unordered insertMany of 512, each acknowledged before the
 * next; nothing else: no HTTP, no decoding, no pricing, no rollups, no batch documents.
 */
async function rawMongo(storedUri) {
  const mongoose = require(require.resolve('mongoose', { paths: [join(__dirname, '..', 'collector-service')] }));
  const stored = await mongoose.createConnection(storedUri, { useBigInt64: true }).asPromise();
  const records = await stored.db.collection('usage_records').find().toArray();
  await stored.close();
  const conn = await mongoose.createConnection(storedUri, { dbName: `bench_raw_${Date.now()}`, useBigInt64: true }).asPromise();
  const col = conn.db.collection('raw');
  const start = process.hrtime.bigint();
  for (let i = 0; i < records.length; i += BATCH) await col.insertMany(records.slice(i, i + BATCH), { ordered: false });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await conn.db.dropDatabase();
  await conn.close();
  return records.length / seconds;
}

async function dropDatabases(uris) {
  const mongoose = require(require.resolve('mongoose', { paths: [join(__dirname, '..', 'collector-service')] }));
  for (const uri of uris) {
    const conn = await mongoose.createConnection(uri).asPromise();
    await conn.db.dropDatabase();
    await conn.close();
  }
}

/** Spans per second through the service with `senders` concurrent senders, on the store `env` names. */
async function measure(env, senders) {
  const batches = makeBatches(BATCHES);
  const service = await startService(env);
  try {
    await send(service.url, makeBatches(4), senders); // warm-up
    return (BATCHES * BATCH) / (await send(service.url, batches, senders));
  } finally {
    service.child.kill('SIGTERM');
  }
}

async function report(label, envFor, raw) {
  const rates = [];
  for (const senders of SENDERS) rates.push([senders, await measure(envFor(senders), senders)]);
  const limit = await raw();
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  for (const [senders, rate] of rates) {
    console.log(
      `ingest (${label}, ${senders} senders): ${fmt(rate)} spans/s priced and stored = ${Math.round((rate / limit) * 100)} % of the raw insert limit, ${fmt(limit)} rows/s (${BATCHES} × ${BATCH}-span protobuf batches)`,
    );
  }
}

(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-bench-'));
  const file = (senders) => join(dir, `bench-${senders}.sqlite`);
  try {
    await report(
      'sqlite',
      (senders) => ({ TOKENLEDGER_SQLITE_PATH: file(senders) }),
      () => rawSqlite(join(dir, 'raw.sqlite'), file(SENDERS[0])),
    );
    if (process.env.MONGODB_URI) {
      const run = Date.now();
      const url = (senders) => {
        const u = new URL(process.env.MONGODB_URI);
        u.pathname = `/bench_ingest_${run}_${senders}`;
        return u.toString();
      };
      try {
        await report(
          'mongo',
          (senders) => ({ TOKENLEDGER_STORE: 'mongo', MONGODB_URI: url(senders) }),
          () => rawMongo(url(SENDERS[0])),
        );
      } finally {
        await dropDatabases(SENDERS.map(url));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
