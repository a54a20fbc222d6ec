// p50/p95 of the summary, timeseries and breakdown reports over N stored records (1M by default;
// BENCH_RECORDS=10000000 for 10M), through the real service over HTTP, against a naive aggregation
// over the raw records table. Records are generated straight into the SQLite store's tables (the
// file is cached in ~/.cache/tokenledger/bench), with rollups computed the way ingest computes them.
// Run: ./run node bench/reports.bench.js   (BENCH_NAIVE_ROUNDS=0 skips the slow naive scans)
'use strict';
const { startService } = require('./service');
const { join } = require('node:path');
const { DatabaseSync } = require('node:sqlite');
const { benchCacheDir, percentile, randomBelow, seedStore } = require('./seeded-store');

const N = Number(process.env.BENCH_RECORDS || 1_000_000);
const USERS = Number(process.env.BENCH_USERS || 1000);
const DAYS = 30;
// Rounds of the naive scan of raw records (a minute and a half each at 10M); 0 skips it.
const NAIVE_ROUNDS = Number(process.env.BENCH_NAIVE_ROUNDS ?? 3);
const END = Date.UTC(2026, 10, 1);
const cacheDir = benchCacheDir();
const file = join(cacheDir, `reports-${N}-${USERS}.sqlite`);

const MODELS = [['openai', 'gpt-4o', 'llm', 2500, 10000], ['openai', 'gpt-4o-mini', 'llm', 150, 600], ['anthropic', 'claude-3-5-sonnet', 'llm', 3000, 15000], ['gcp.gemini', 'gemini-2.5-flash', 'llm', 300, 2500], ['openai', 'text-embedding-3-small', 'embedding', 20, 0]];

/** Records over DAYS days from USERS users, 8 agents and 12 features; 2 % of calls failed. */
const generate = () =>
  seedStore(file, N, () => {
    const [provider, model, type, inNanos, outNanos] = MODELS[randomBelow(MODELS.length)];
    const input = 200 + randomBelow(4000);
    const output = type === 'llm' ? 50 + randomBelow(1500) : 0;
    return {
      timeMs: END - 1 - randomBelow(DAYS * 86_400_000), provider, model, type, user: `user-${randomBelow(USERS)}`, agent: `agent-${randomBelow(8)}`,
      feature: `feature-${randomBelow(12)}`, status: randomBelow(50) === 0 ? 'error' : 'ok', costNanos: BigInt(input * inNanos + output * outNanos), unpriced: 0, input, output, durationMs: 800,
    };
  });



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
