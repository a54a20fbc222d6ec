// p50/p95 of the summary, timeseries and breakdown reports over N stored records (1M by default;
// BENCH_RECORDS=10000000 for 10M), through the real service over HTTP, against a naive aggregation
// over the raw records table. Records are generated straight into the SQLite store's tables (the
// file is cached in ~/.cache/tokenledger/bench), with rollups computed the way ingest computes them.
// With MONGODB_URI, the very same records are also stored through the mongo adapter's own ingest and
// compaction (a database per N, kept between runs; seeding resumes where it stopped) and the same
// queries are timed against a service on it, in the same run.
// Run: ./run node bench/reports.bench.js   (BENCH_NAIVE_ROUNDS=0 skips the slow naive scans;
//      BENCH_MONGO_RECORDS=<n> measures a mongo store whose seeding stopped at n records)
//      MONGODB_URI=mongodb://127.0.0.1:27017/ ./run node bench/reports.bench.js
// 10M on mongo, where a 10M SQLite file (18 GB) is not wanted: BENCH_MONGO_ONLY=1 measures the mongo
// store alone, beside the 1M mongo store of the same server when it is seeded (else compare with an
// earlier run's 1M figures); BENCH_SEED_ONLY=1 seeds and stops (resumable: rerun after a stop).
//      MONGODB_URI=… BENCH_RECORDS=10000000 BENCH_MONGO_ONLY=1 BENCH_SEED_ONLY=1 ./run node bench/reports.bench.js
//      MONGODB_URI=… BENCH_RECORDS=10000000 BENCH_MONGO_ONLY=1 ./run node bench/reports.bench.js
// A request unanswered after BENCH_REQUEST_TIMEOUT_S (60 s) shows as "over 60 s" and the run goes on;
// a query is timed again only while it has taken less than BENCH_QUERY_SECONDS (60 s), 3 timings at
// least (see timed-queries.js). Each query's line is printed as it ends, the comparison at the end.
'use strict';
const http = require('node:http');
const { startService } = require('./service');
const { join } = require('node:path');
const { DatabaseSync } = require('node:sqlite');
const { benchCacheDir, seedStore } = require('./seeded-store');
const { percentile } = require('./stats');
const { databaseUri, seedingState, seedMongo } = require('./mongo-seeded-store');
const { seededRandom } = require('./usage-records');
const { figures, get, timeQuery } = require('./timed-queries');

const N = Number(process.env.BENCH_RECORDS || 1_000_000);
const USERS = Number(process.env.BENCH_USERS || 1000);
const DAYS = 30;
// Rounds of the naive scan of raw records (a minute and a half each at 10M); 0 skips it.
const NAIVE_ROUNDS = Number(process.env.BENCH_NAIVE_ROUNDS ?? 3);
const MONGO_ONLY = process.env.BENCH_MONGO_ONLY === '1';
const SEED_ONLY = process.env.BENCH_SEED_ONLY === '1';
/** The store a mongo-only run of another size is compared with. */
const BASELINE_RECORDS = 1_000_000;
// Named for the store's format: a database seeded before the conversations per group is not read as one.
const mongoDbName = (records) => `bench_reports_conversation_groups_${records}_${USERS}`;
const END = Date.UTC(2026, 10, 1);
const cacheDir = benchCacheDir();
// Named for what the store holds: conversations and tags, and their value rollups since those exist.
const file = join(cacheDir, `reports-${N}-${USERS}-value-rollups-seeded.sqlite`);

const MODELS = [
  ['openai', 'gpt-4o', 'llm', 2500, 10000],
  ['openai', 'gpt-4o-mini', 'llm', 150, 600],
  ['anthropic', 'claude-3-5-sonnet', 'llm', 3000, 15000],
  ['gcp.gemini', 'gemini-2.5-flash', 'llm', 300, 2500],
  ['openai', 'text-embedding-3-small', 'embedding', 20, 0],
];

/**
 * Record i, the same in every run and store: spread over DAYS days in order of time (as a service
 * receives them; a batch of consecutive records spans minutes), from USERS users, 8 agents and 12
 * features; 2 % of calls failed. A chat is 8 consecutive calls (N / 8 conversations), 1 call in 10
 * has none; 7 calls in 10 carry a team tag (6 teams), half of those an env tag too.
 */
function makeRecord(i) {
  const random = seededRandom(i);
  const [provider, model, type, inNanos, outNanos] = MODELS[random.below(MODELS.length)];
  const input = 200 + random.below(4000);
  const output = type === 'llm' ? 50 + random.below(1500) : 0;
  return {
    timeMs: END - DAYS * 86_400_000 + Math.floor(((i + random.next()) * DAYS * 86_400_000) / N),
    provider,
    model,
    type,
    user: `user-${random.below(USERS)}`,
    agent: `agent-${random.below(8)}`,
    feature: `feature-${random.below(12)}`,
    status: random.below(50) === 0 ? 'error' : 'ok',
    costNanos: BigInt(input * inNanos + output * outNanos),
    unpriced: 0,
    input,
    output,
    durationMs: 800,
    conversation: random.below(10) === 0 ? null : `chat-${Math.floor(i / 8)}`,
    tags: teamTags(random),
  };
}

function teamTags(random) {
  if (random.below(10) >= 7) return {};
  const tags = { team: `team-${random.below(6)}` };
  if (random.below(2) === 0) tags.env = random.below(3) === 0 ? 'dev' : 'prod';
  return tags;
}

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

const ALL_QUERIES = {
  summary: '/v1/reports/summary?from=2026-10-02&to=2026-11-01',
  'timeseries (day, Europe/Madrid)': '/v1/reports/timeseries?from=2026-10-02&to=2026-11-01&interval=day&tz=Europe/Madrid',
  'breakdown by model': '/v1/reports/breakdown?from=2026-10-02&to=2026-11-01&by=model',
  'breakdown by user (top 10)': '/v1/reports/breakdown?from=2026-10-02&to=2026-11-01&by=user',
  'breakdown by tag:team': '/v1/reports/breakdown?from=2026-10-02&to=2026-11-01&by=tag:team',
  'breakdown by conversation (one day)': '/v1/reports/breakdown?from=2026-10-20&to=2026-10-21&by=conversation',
  'breakdown by conversation (5 days)': '/v1/reports/breakdown?from=2026-10-20&to=2026-10-25&by=conversation',
  'breakdown by conversation (month, Asia/Kathmandu)': '/v1/reports/breakdown?from=2026-10-02&to=2026-11-01&by=conversation&tz=Asia/Kathmandu',
  // Filtered: tag values from the tag-set rollups (group days on mongo), conversations from the records
  // the filter keeps (sqlite) or the conversations per group (mongo).
  'breakdown by tag:team, user=user-7 (month)': '/v1/reports/breakdown?from=2026-10-02&to=2026-11-01&by=tag:team&user=user-7',
  // Filtered on dimensions no kept pair covers: from the group days (a user filter reads the user's part only).
  'breakdown by model, user=user-7 (month)': '/v1/reports/breakdown?from=2026-10-02&to=2026-11-01&by=model&user=user-7',
  'breakdown by user, feature=feature-3 & agent=agent-1 (month)': '/v1/reports/breakdown?from=2026-10-02&to=2026-11-01&by=user&feature=feature-3&agent=agent-1',
  'breakdown by conversation, model=gpt-4o (one day)': '/v1/reports/breakdown?from=2026-10-20&to=2026-10-21&by=conversation&model=gpt-4o',
  'breakdown by conversation, user=user-7 (month)': '/v1/reports/breakdown?from=2026-10-02&to=2026-11-01&by=conversation&user=user-7',
};

/** BENCH_QUERIES=<words, comma-separated> times only the queries whose name holds one of them (e.g. summary,user). */
const QUERIES = Object.fromEntries(
  Object.entries(ALL_QUERIES).filter(([name]) => !process.env.BENCH_QUERIES || process.env.BENCH_QUERIES.split(',').some((word) => name.includes(word))),
);

/**
 * p50/p95 of every query against a service on the store `env` names (each printed as it ends, under
 * `label`), its RSS peak, and the month's total (to compare stores; null when it was not answered).
 */
async function timeService(label, env) {
  const service = await startService(env);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let peakRss = rssMb(service.child.pid);
  try {
    const timings = {};
    for (const [name, path] of Object.entries(QUERIES)) {
      timings[name] = await timeQuery(service.url + path, { agent });
      peakRss = Math.max(peakRss, rssMb(service.child.pid));
      console.log(`reports on ${label}, ${name}: ${figures(timings[name])}`);
    }
    const summary = await get(service.url + ALL_QUERIES.summary, 60_000, agent).catch(() => null);
    const total = summary?.status === 200 ? JSON.parse(summary.body.toString()).totalCostNanos : null;
    return { timings, peakRss, total };
  } finally {
    agent.destroy();
    service.child.kill('SIGTERM');
    await new Promise((resolve) => service.child.once('exit', resolve));
  }
}

/** "(p95 1.23x …)" of `t` over `base` when both were answered. */
const ratio = (t, base, digits, of) => (t?.p95 !== undefined && base?.p95 !== undefined ? ` (p95 ${(t.p95 / base.p95).toFixed(digits)}x${of})` : '');

/** The mongo store alone, and the 1M store of the same server beside it when that one is complete. */
async function mongoAlone(uri) {
  const at = (records) => `${records.toLocaleString('en-US')} records`;
  const mongo = await timeService(`mongo, ${at(N)}`, { TOKENLEDGER_STORE: 'mongo', MONGODB_URI: uri });
  const baselineSeeded = N !== BASELINE_RECORDS && (await seedingState(mongoDbName(BASELINE_RECORDS)))?.complete;
  const baseline = baselineSeeded
    ? await timeService(`mongo, ${at(BASELINE_RECORDS)}`, { TOKENLEDGER_STORE: 'mongo', MONGODB_URI: databaseUri(mongoDbName(BASELINE_RECORDS)) })
    : null;
  if (baseline) console.log('\nside by side:');
  for (const [name, t] of Object.entries(mongo.timings)) {
    const b = baseline && baseline.timings[name];
    if (b) console.log(`reports on mongo, ${name}: ${at(N)} ${figures(t)}; ${at(BASELINE_RECORDS)} ${figures(b)}${ratio(t, b, 2, '')}`);
  }
  console.log(`service RSS peak: ${at(N)} ${mongo.peakRss} MB` + (baseline ? `, ${at(BASELINE_RECORDS)} ${baseline.peakRss} MB` : ''));
  console.log(`month's total on mongo, ${at(N)}: ${mongo.total} nano-USD`);
  if (N !== BASELINE_RECORDS && !baseline)
    console.log(`no complete store of ${at(BASELINE_RECORDS)} on this server: compare with the mongo figures of an earlier run at 1M`);
}

(async () => {
  if (MONGO_ONLY && !process.env.MONGODB_URI) throw new Error('BENCH_MONGO_ONLY=1 measures the mongo store: set MONGODB_URI');
  if (!MONGO_ONLY) await seedStore(file, N, makeRecord);
  const mongoUri = process.env.MONGODB_URI ? await seedMongo(mongoDbName(N), N, makeRecord) : null;
  if (SEED_ONLY) return console.log(`seeded ${N.toLocaleString('en-US')} records; rerun without BENCH_SEED_ONLY to measure`);
  if (MONGO_ONLY) return mongoAlone(mongoUri);
  const sqlite = await timeService('sqlite', { TOKENLEDGER_SQLITE_PATH: file });
  const mongo = mongoUri ? await timeService('mongo', { TOKENLEDGER_STORE: 'mongo', MONGODB_URI: mongoUri }) : null;
  console.log('\nside by side:');
  const naive = new DatabaseSync(file, { readOnly: true });
  const from = Date.UTC(2026, 9, 2);
  const naiveQueries = {
    summary: "SELECT COUNT(*), SUM(status = 'error') FROM records WHERE tenant = ? AND time_ms >= ? AND time_ms < ?",
    'breakdown by model': 'SELECT model, COUNT(*) FROM records WHERE tenant = ? AND time_ms >= ? AND time_ms < ? GROUP BY model',
    'breakdown by user (top 10)':
      'SELECT user_id, COUNT(*) c FROM records WHERE tenant = ? AND time_ms >= ? AND time_ms < ? GROUP BY user_id ORDER BY c DESC LIMIT 10',
  };
  try {
    for (const [name, t] of Object.entries(sqlite.timings)) {
      const naiveSql = NAIVE_ROUNDS > 0 ? naiveQueries[name] : undefined;
      const n = naiveSql ? await time(async () => naive.prepare(naiveSql).all('default', from, END), NAIVE_ROUNDS) : null;
      const m = mongo && mongo.timings[name];
      console.log(
        `reports ${N.toLocaleString('en-US')} records, ${name}: sqlite ${figures(t)}` +
          (m ? `; mongo ${figures(m)}${ratio(m, t, 1, " sqlite's")}` : '') +
          (n ? `; naive scan of raw records p50 ${n.p50.toFixed(0)} ms` : ''),
      );
    }
    console.log(`service RSS peak: sqlite ${sqlite.peakRss} MB` + (mongo ? `, mongo ${mongo.peakRss} MB` : ''));
    // A mongo store stopped part way (BENCH_MONGO_RECORDS) holds fewer records than sqlite's.
    if (mongo && process.env.BENCH_MONGO_RECORDS) console.log(`month's total: sqlite ${sqlite.total}, mongo (stopped part way) ${mongo.total} nano-USD`);
    else if (mongo && (mongo.total === null || sqlite.total === null))
      console.log(`month's total (null: not answered in 60 s): sqlite ${sqlite.total}, mongo ${mongo.total} nano-USD`);
    else if (mongo && mongo.total !== sqlite.total)
      throw new Error(`the stores disagree on the month's total: sqlite ${sqlite.total}, mongo ${mongo.total} nanos`);
    else if (mongo) console.log(`both stores give the month's total as ${sqlite.total} nano-USD`);
  } finally {
    naive.close();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
