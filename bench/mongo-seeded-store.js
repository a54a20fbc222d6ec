// The generating benchmarks' mongo store: the very records seeded-store.js writes into SQLite, stored
// through the mongo adapter's own write path (MongoStore.ingest in batches, compaction running as
// it does in the service), in a database of their own on MONGODB_URI. Seeding is resumable: the
// database records how many records are in, and a database found complete is used as it is (after
// compaction has given every month what this version's reads use).
'use strict';
const { join } = require('node:path');
const { MongoStore } = require('../collector-service/dist/storage/mongo/mongo.store');
const { usageRecord } = require('./usage-records');

/** Records per ingest call, and calls in flight (the service's senders). */
const BATCH = Number(process.env.BENCH_MONGO_BATCH || 2048);
const SENDERS = Number(process.env.BENCH_MONGO_SENDERS || 4);
/**
 * Stop seeding at this many records (a seeding too long for the time at hand): the store keeps what
 * it holds, compacted, and seeding resumes from there when this is unset.
 */
const STOP_AT = Number(process.env.BENCH_MONGO_RECORDS || Infinity);

const mongodb = () => require(require.resolve('mongodb', { paths: [join(__dirname, '..', 'collector-service')] }));

/** MONGODB_URI with `dbName` as its database. */
function databaseUri(dbName) {
  const url = new URL(process.env.MONGODB_URI);
  url.pathname = `/${dbName}`;
  return url.toString();
}

/**
 * Stores records 0 .. records-1 (`makeRecord(i)` describes record i as seedStore's generators do)
 * into database `dbName` unless it holds them already, and compacts them. Returns its URI.
 */
async function seedMongo(dbName, records, makeRecord) {
  const uri = databaseUri(dbName);
  const store = new MongoStore(uri);
  await store.init();
  const progress = store['db'].collection('bench_seeding');
  try {
    const state = (await progress.findOne({ _id: 'progress' })) ?? { done: 0, complete: false };
    if (state.complete) {
      await store.compact();
      return uri;
    }
    const started = Date.now();
    let done = state.done;
    let reported = done;
    let reportedAt = started;
    const target = Math.min(records, STOP_AT);
    while (done < target) {
      const calls = [];
      for (let s = 0; s < SENDERS && done < records; s++) {
        const from = done;
        done = Math.min(records, from + BATCH);
        calls.push(store.ingest(Array.from({ length: done - from }, (_, k) => usageRecord(from + k, makeRecord(from + k)))));
      }
      await Promise.all(calls);
      await progress.replaceOne({ _id: 'progress' }, { done, complete: false }, { upsert: true });
      // Every 5 % and at least once a minute: a 10M seeding runs for hours.
      if (done - reported >= records / 20 || Date.now() - reportedAt >= 60_000 || done === records) {
        reported = done;
        reportedAt = Date.now();
        const rate = (done - state.done) / ((Date.now() - started) / 1000);
        console.log(
          `${dbName}: ${done.toLocaleString('en-US')} of ${records.toLocaleString('en-US')} records stored through ingest (${Math.round(rate).toLocaleString('en-US')}/s this run, about ${Math.round((records - done) / rate / 60)} min left; stop and rerun to resume)`,
        );
      }
    }
    await store.compact();
    if (done < records) {
      console.log(`${dbName}: stopped at ${done.toLocaleString('en-US')} of ${records.toLocaleString('en-US')} records (BENCH_MONGO_RECORDS), compacted`);
      return uri;
    }
    await progress.replaceOne({ _id: 'progress' }, { done, complete: true }, { upsert: true });
    console.log(`${dbName}: seeded and compacted in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return uri;
  } finally {
    await store.close();
  }
}

/** How far seeding database `dbName` went ({ done, complete }), or null when it was never seeded. */
async function seedingState(dbName) {
  const client = await new (mongodb().MongoClient)(process.env.MONGODB_URI).connect();
  try {
    return await client.db(dbName).collection('bench_seeding').findOne({ _id: 'progress' });
  } finally {
    await client.close();
  }
}

/** Drops the databases whose name starts with `prefix` other than `keep` (a benchmark's stores of earlier days). */
async function dropOtherDatabases(prefix, keep) {
  const client = await new (mongodb().MongoClient)(process.env.MONGODB_URI).connect();
  try {
    const { databases } = await client.db().admin().listDatabases();
    for (const { name } of databases) if (name.startsWith(prefix) && name !== keep) await client.db(name).dropDatabase();
  } finally {
    await client.close();
  }
}

module.exports = { databaseUri, dropOtherDatabases, mongodb, seedingState, seedMongo };
