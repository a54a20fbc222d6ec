// The generating benchmarks' store: N records written straight into a SQLite file of the store's own
// schema, with the full rollups summed in memory per row (as ingest sums them) and upserted, and the
// narrow rollups derived from them in SQL (narrow-rollups.js), instead of paying ingest's per-batch
// work for millions of records. Cached in ~/.cache/tokenledger/bench: an existing file is used as is.
'use strict';
const { existsSync, mkdirSync, renameSync, rmSync } = require('node:fs');
const { homedir } = require('node:os');
const { join } = require('node:path');
const { DatabaseSync } = require('node:sqlite');
const { deriveNarrowRollups } = require('./narrow-rollups');
const { addRecord, zeroSums } = require('../collector-service/dist/storage/rollup-measures');
const { ACCUMULATE, DIMENSION_KEY, MEASURE_COLUMNS, dimensionValues, measuresOf } = require('../collector-service/dist/storage/sqlite/rollup-columns');
const { SqliteStore } = require('../collector-service/dist/storage/sqlite/sqlite.store');
const { emptyFoldSums, foldPlan, foldSums } = require('../collector-service/dist/storage/sqlite/rollup-writer');
const { ROLLUP_DIMENSIONS } = require('../collector-service/dist/storage/storage.port');
const { encodeRecord } = require('../collector-service/dist/storage/record-codec');
const { usageRecord } = require('./usage-records');

const BUCKET_MS = 15 * 60 * 1000;
/** Rollups are flushed every this many records, so memory stays bounded at any N. */
const FLUSH_EVERY = 500_000;

/** Where generated stores are kept between runs. */
const benchCacheDir = () => join(process.env.TOKENLEDGER_CACHE || join(homedir(), '.cache', 'tokenledger'), 'bench');

/** A uniform random integer in [0, n). */
const randomBelow = (n) => Math.floor(Math.random() * n);

/**
 * Writes `records` records into `file` unless it exists. `makeRecord(i)` returns one record of tenant
 * "default" and service "shop": { timeMs, provider, model, type, user, agent (or null), feature,
 * status, costNanos (bigint), unpriced (0 or 1), input, output, durationMs, and optionally
 * conversation and tags }. Each record's row holds the record itself, as the store keeps it, tagged
 * records are in the tag rollups too, and records with a conversation or tags in the value rollups.
 */
async function seedStore(file, records, makeRecord) {
  if (existsSync(file)) return;
  mkdirSync(benchCacheDir(), { recursive: true });
  const tmp = `${file}.tmp`;
  rmSync(tmp, { force: true });
  const store = new SqliteStore(tmp); // the schema, through the store's own migrations
  await store.init();
  await store.close();
  const db = new DatabaseSync(tmp);
  db.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;');
  const insert = db.prepare(
    "INSERT INTO records (id, tenant, time_ms, provider, model, cost_type, user_id, agent, feature, service, status, doc) VALUES (?, 'default', ?, ?, ?, ?, ?, ?, ?, 'shop', ?, ?)",
  );
  // The rollups' columns and how a record adds to them come from the store's own measure list.
  const placeholders = Array.from({ length: DIMENSION_KEY.split(', ').length + MEASURE_COLUMNS.length }, () => '?').join(', ');
  const upsert = db.prepare(
    `INSERT INTO rollups (tenant, bucket, ${DIMENSION_KEY}, ${MEASURE_COLUMNS.join(', ')}) VALUES ('default', ?, ${placeholders})
     ON CONFLICT (tenant, bucket, ${DIMENSION_KEY}) DO UPDATE SET ${ACCUMULATE}`,
  );
  const rollups = new Map();
  let tagged = [];
  // Records with a conversation or tags are added to the tag and value rollups as a fold adds them,
  // some thousands at a time: of a fold's sums, the tag rollups and the value rows (the dimensions'
  // rows are derived in SQL).
  const dimensions = new Set(ROLLUP_DIMENSIONS);
  const valuesOnly = (sheet) => new Map([...sheet].filter(([, row]) => !dimensions.has(row.key[1])));
  const flushTagged = () => {
    const sums = foldSums(tagged);
    for (const step of foldPlan({ ...emptyFoldSums(), dims: valuesOnly(sums.dims), dimsDay: valuesOnly(sums.dimsDay), tags: sums.tags })) {
      const statement = db.prepare(step.sql);
      for (const row of step.rows) statement.run(...row);
    }
    tagged = [];
  };
  const flush = () => {
    for (const g of rollups.values()) upsert.run(g.bucket, ...g.dimensions, ...measuresOf(g.sums));
    rollups.clear();
    flushTagged();
  };
  const started = Date.now();
  db.exec('BEGIN');
  for (let i = 0; i < records; i++) {
    const r = makeRecord(i);
    const record = usageRecord(i, r);
    insert.run(record.id, r.timeMs, r.provider, r.model, r.type, r.user, r.agent, r.feature, r.status, encodeRecord(record));
    if ((record.conversation !== null || Object.keys(record.tags).length > 0) && tagged.push(record) === 20_000) flushTagged();
    const bucket = Math.floor(r.timeMs / BUCKET_MS) * BUCKET_MS;
    const dimensions = dimensionValues(record);
    const key = `${bucket}|${dimensions.join('|')}`;
    let group = rollups.get(key);
    if (!group) rollups.set(key, (group = { bucket, dimensions, sums: zeroSums() }));
    addRecord(group.sums, record);
    if (i % FLUSH_EVERY === FLUSH_EVERY - 1) {
      flush();
      db.exec('COMMIT');
      db.exec('BEGIN');
    }
  }
  flush();
  deriveNarrowRollups(db);
  db.exec('COMMIT');
  db.close();
  renameSync(tmp, file);
  console.log(`generated ${records.toLocaleString('en-US')} records in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

module.exports = { benchCacheDir, randomBelow, seedStore };
