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
const { SqliteStore } = require('../collector-service/dist/storage/sqlite/sqlite.store');

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
 * status, costNanos (bigint), unpriced (0 or 1), input, output, durationMs }.
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
    "INSERT INTO records (id, tenant, time_ms, provider, model, cost_type, user_id, agent, feature, service, status, doc) VALUES (?, 'default', ?, ?, ?, ?, ?, ?, ?, 'shop', ?, '{}')",
  );
  const upsert = db.prepare(
    `INSERT INTO rollups (tenant, bucket, provider, model, cost_type, user_id, agent, feature, service, status, cost_nanos, calls, error_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, duration_ms_sum)
     VALUES ('default', ?, ?, ?, ?, ?, ?, ?, 'shop', ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?)
     ON CONFLICT (tenant, bucket, provider, model, cost_type, user_id, agent, feature, service, status) DO UPDATE SET
       cost_nanos = cost_nanos + excluded.cost_nanos, calls = calls + excluded.calls, error_calls = error_calls + excluded.error_calls,
       unpriced_calls = unpriced_calls + excluded.unpriced_calls, input_tokens = input_tokens + excluded.input_tokens,
       output_tokens = output_tokens + excluded.output_tokens, duration_ms_sum = duration_ms_sum + excluded.duration_ms_sum`,
  );
  const rollups = new Map();
  const flush = () => {
    for (const r of rollups.values()) upsert.run(r.bucket, r.provider, r.model, r.type, r.user, r.agent ?? '', r.feature, r.status, r.costNanos, r.calls, r.errors, r.unpriced, r.input, r.output, r.durationMs);
    rollups.clear();
  };
  const started = Date.now();
  db.exec('BEGIN');
  for (let i = 0; i < records; i++) {
    const r = makeRecord(i);
    insert.run(`${i.toString(16).padStart(32, '0')}${'0'.repeat(16)}`, r.timeMs, r.provider, r.model, r.type, r.user, r.agent, r.feature, r.status);
    const bucket = Math.floor(r.timeMs / BUCKET_MS) * BUCKET_MS;
    const key = `${bucket}|${r.provider}|${r.model}|${r.type}|${r.user}|${r.agent}|${r.feature}|${r.status}`;
    const errors = r.status === 'error' ? 1 : 0;
    const sums = rollups.get(key);
    if (sums) {
      sums.costNanos += r.costNanos;
      sums.calls++;
      sums.errors += errors;
      sums.unpriced += r.unpriced;
      sums.input += r.input;
      sums.output += r.output;
      sums.durationMs += r.durationMs;
    } else rollups.set(key, { ...r, bucket, calls: 1, errors });
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

/** The value at quantile `p` (0.5, 0.95, 0.99) of a list of numbers. */
const percentile = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

module.exports = { benchCacheDir, percentile, randomBelow, seedStore };
