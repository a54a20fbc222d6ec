// p50/p95 of the summary, timeseries and breakdown reports over N stored records (1M by default;
// BENCH_RECORDS=10000000 for 10M), through the real service over HTTP, against a naive aggregation
// over the raw records table. Records are generated straight into the SQLite store's tables (the
// file is cached in ~/.cache/tokenledger/bench), with rollups computed the way ingest computes them.
// Run: ./run node bench/reports.bench.js   (BENCH_NAIVE_ROUNDS=0 skips the slow naive scans)
'use strict';
const { startService } = require('./service');
const { existsSync, mkdirSync, renameSync, rmSync } = require('node:fs');
const { homedir } = require('node:os');
const { join } = require('node:path');
const { DatabaseSync } = require('node:sqlite');
const { deriveNarrowRollups } = require('./narrow-rollups');
const { SqliteStore } = require('../collector-service/dist/storage/sqlite/sqlite.store');

const N = Number(process.env.BENCH_RECORDS || 1_000_000);
const USERS = Number(process.env.BENCH_USERS || 1000);
const DAYS = 30;
// Rounds of the naive scan of raw records (a minute and a half each at 10M); 0 skips it.
const NAIVE_ROUNDS = Number(process.env.BENCH_NAIVE_ROUNDS ?? 3);
const BUCKET = 15 * 60 * 1000;
const END = Date.UTC(2026, 10, 1);
const cacheDir = join(process.env.TOKENLEDGER_CACHE || join(homedir(), '.cache', 'tokenledger'), 'bench');
const file = join(cacheDir, `reports-${N}-${USERS}.sqlite`);

async function generate() {
  if (existsSync(file)) return;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${file}.tmp`;
  rmSync(tmp, { force: true });
  const store = new SqliteStore(tmp); // creates the schema through the real migrations
  await store.init();
  await store.close();
  const db = new DatabaseSync(tmp);
  db.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;');
  const up = db.prepare(
    `INSERT INTO rollups (tenant, bucket, provider, model, cost_type, user_id, agent, feature, service, status, cost_nanos, calls, error_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, duration_ms_sum)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, 0, 0, 0, ?)
     ON CONFLICT (tenant, bucket, provider, model, cost_type, user_id, agent, feature, service, status) DO UPDATE SET
       cost_nanos = cost_nanos + excluded.cost_nanos, calls = calls + excluded.calls, error_calls = error_calls + excluded.error_calls,
       input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, duration_ms_sum = duration_ms_sum + excluded.duration_ms_sum`,
  );
  // Rollups are flushed every 500k records so memory stays bounded at any N.
  const flush = () => {
    for (const r of rollups.values()) up.run('default', r.bucket, r.provider, r.model, r.type, r.user, r.agent, r.feature, 'shop', r.status, r.cost, r.calls, r.errors, r.input, r.output, r.duration);
    rollups.clear();
  };
  let rollupRows = 0;
  const insert = db.prepare('INSERT INTO records (id, tenant, time_ms, provider, model, cost_type, user_id, agent, feature, service, status, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const models = [['openai', 'gpt-4o', 'llm', 2500, 10000], ['openai', 'gpt-4o-mini', 'llm', 150, 600], ['anthropic', 'claude-3-5-sonnet', 'llm', 3000, 15000], ['gcp.gemini', 'gemini-2.5-flash', 'llm', 300, 2500], ['openai', 'text-embedding-3-small', 'embedding', 20, 0]];
  const rollups = new Map();
  const next = (n) => Math.floor(Math.random() * n);
  const start = Date.now();
  db.exec('BEGIN');
  for (let i = 0; i < N; i++) {
    const [provider, model, type, inNanos, outNanos] = models[next(models.length)];
    const time = END - 1 - next(DAYS * 86_400_000);
    const user = `user-${next(USERS)}`;
    const agent = `agent-${next(8)}`;
    const feature = `feature-${next(12)}`;
    const status = next(50) === 0 ? 'error' : 'ok';
    const input = 200 + next(4000);
    const output = type === 'llm' ? 50 + next(1500) : 0;
    const cost = BigInt(input * inNanos + output * outNanos);
    insert.run(`${i.toString(16).padStart(32, '0')}${'0'.repeat(16)}`, 'default', time, provider, model, type, user, agent, feature, 'shop', status, '{}');
    const bucket = Math.floor(time / BUCKET) * BUCKET;
    const key = `${bucket}|${provider}|${model}|${type}|${user}|${agent}|${feature}|shop|${status}`;
    const r = rollups.get(key);
    if (r) {
      r.cost += cost;
      r.calls++;
      r.errors += status === 'error' ? 1 : 0;
      r.input += input;
      r.output += output;
      r.duration += 800;
    } else rollups.set(key, { bucket, provider, model, type, user, agent, feature, status, cost, calls: 1, errors: status === 'error' ? 1 : 0, input, output, duration: 800 });
    if (i % 500_000 === 499_999) {
      flush();
      db.exec('COMMIT');
      db.exec('BEGIN');
    }
  }
  flush();
  db.exec('COMMIT');
  rollupRows = Number(db.prepare('SELECT COUNT(*) AS n FROM rollups').get().n);
  // The narrow rollups, derived from the full ones in SQL as the store's migrations derive them.
  db.exec('BEGIN');
  deriveNarrowRollups(db);
  db.exec('COMMIT');
  db.close();
  renameSync(tmp, file);
  console.log(`generated ${N.toLocaleString('en-US')} records (${rollupRows.toLocaleString('en-US')} rollup rows) in ${((Date.now() - start) / 1000).toFixed(0)} s`);
}


const percentile = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

async function time(fn, rounds = 20) {
  await fn();
  const ms = [];
  for (let i = 0; i < rounds; i++) {
    const t = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95) };
}

function rssMb(pid) {
  const status = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024);
}

(async () => {
  await generate();
  const service = await startService({ TOKENLEDGER_SQLITE_PATH: file });
  const range = `from=2026-10-02&to=2026-11-01`;
  const queries = {
    summary: `/v1/reports/summary?${range}`,
    'timeseries (day, Europe/Madrid)': `/v1/reports/timeseries?${range}&interval=day&tz=Europe/Madrid`,
    'breakdown by model': `/v1/reports/breakdown?${range}&by=model`,
    'breakdown by user (top 10)': `/v1/reports/breakdown?${range}&by=user`,
  };
  const naive = new DatabaseSync(file, { readOnly: true });
  const from = Date.UTC(2026, 9, 2);
  const naiveQueries = {
    summary: 'SELECT COUNT(*), SUM(status = \'error\') FROM records WHERE tenant = ? AND time_ms >= ? AND time_ms < ?',
    'breakdown by model': 'SELECT model, COUNT(*) FROM records WHERE tenant = ? AND time_ms >= ? AND time_ms < ? GROUP BY model',
    'breakdown by user (top 10)': 'SELECT user_id, COUNT(*) c FROM records WHERE tenant = ? AND time_ms >= ? AND time_ms < ? GROUP BY user_id ORDER BY c DESC LIMIT 10',
  };
  let peakRss = rssMb(service.child.pid);
  try {
    const api = {};
    for (const [name, path] of Object.entries(queries)) {
      api[name] = await time(async () => {
        const res = await fetch(service.url + path);
        if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
        await res.arrayBuffer();
      });
      peakRss = Math.max(peakRss, rssMb(service.child.pid));
    }
    // The naive scans run after the API timings (they take seconds; the API's keep-alive sockets would idle out).
    for (const [name, t] of Object.entries(api)) {
      const naiveSql = NAIVE_ROUNDS > 0 ? naiveQueries[name] : undefined;
      const n = naiveSql ? await time(async () => naive.prepare(naiveSql).all('default', from, END), NAIVE_ROUNDS) : null;
      console.log(`reports ${N.toLocaleString('en-US')} records, ${name}: p50 ${t.p50.toFixed(1)} ms, p95 ${t.p95.toFixed(1)} ms` + (n ? `; naive scan of raw records p50 ${n.p50.toFixed(0)} ms` : ''));
    }
    console.log(`service RSS peak ${peakRss} MB`);
  } finally {
    service.child.kill('SIGTERM');
    naive.close();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
