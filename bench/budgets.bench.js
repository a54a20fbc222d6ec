// POST /v1/budgets/check latency (p50/p99) with 1,000 budgets over N stored records (1M by default;
// BENCH_RECORDS=10000000 for 10M) from 10,000 users, through the real service over HTTP. Records of
// the last 30 days are generated straight into the SQLite store's tables (cached per day in
// ~/.cache/tokenledger/bench), rollups computed the way ingest computes them; budgets are created
// through the API. Cold checks (first sight of a user, spend read from the rollups) and warm checks
// (spend from memory) are reported apart. The alert schedule is off so only checks are measured.
// Run: ./run node bench/budgets.bench.js
'use strict';
const http = require('node:http');
const { startService } = require('./service');
const { existsSync, mkdirSync, renameSync, rmSync } = require('node:fs');
const { homedir } = require('node:os');
const { join } = require('node:path');
const { DatabaseSync } = require('node:sqlite');
const { SqliteStore } = require('../collector-service/dist/storage/sqlite/sqlite.store');

const N = Number(process.env.BENCH_RECORDS || 1_000_000);
const USERS = Number(process.env.BENCH_USERS || 10_000);
const BUDGETS = 1000;
const DAYS = 30;
const BUCKET = 15 * 60 * 1000;
const END = Math.floor(Date.now() / BUCKET) * BUCKET;
const MODELS = [['openai', 'gpt-4o', 2500, 10000], ['openai', 'gpt-4o-mini', 150, 600], ['anthropic', 'claude-3-5-sonnet', 3000, 15000], ['gcp.gemini', 'gemini-2.5-flash', 300, 2500], ['openai', 'o3', 2000, 8000]];
const FEATURES = 12;
const cacheDir = join(process.env.TOKENLEDGER_CACHE || join(homedir(), '.cache', 'tokenledger'), 'bench');
const file = join(cacheDir, `budgets-${N}-${USERS}-${new Date(END).toISOString().slice(0, 10)}.sqlite`);

async function generate() {
  if (existsSync(file)) return;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${file}.tmp`;
  rmSync(tmp, { force: true });
  const store = new SqliteStore(tmp); // the schema through the real migrations
  await store.init();
  await store.close();
  const db = new DatabaseSync(tmp);
  db.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;');
  const up = db.prepare(
    `INSERT INTO rollups (tenant, bucket, provider, model, cost_type, user_id, agent, feature, service, status, cost_nanos, calls, error_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, duration_ms_sum)
     VALUES ('default', ?, ?, ?, 'llm', ?, '', ?, 'shop', 'ok', ?, ?, 0, 0, ?, ?, 0, 0, 0, ?)
     ON CONFLICT (tenant, bucket, provider, model, cost_type, user_id, agent, feature, service, status) DO UPDATE SET
       cost_nanos = cost_nanos + excluded.cost_nanos, calls = calls + excluded.calls, input_tokens = input_tokens + excluded.input_tokens,
       output_tokens = output_tokens + excluded.output_tokens, duration_ms_sum = duration_ms_sum + excluded.duration_ms_sum`,
  );
  const insert = db.prepare("INSERT INTO records (id, tenant, time_ms, provider, model, cost_type, user_id, agent, feature, service, status, doc) VALUES (?, 'default', ?, ?, ?, 'llm', ?, NULL, ?, 'shop', 'ok', '{}')");
  const rollups = new Map();
  const flush = () => {
    for (const r of rollups.values()) up.run(r.bucket, r.provider, r.model, r.user, r.feature, r.cost, r.calls, r.input, r.output, r.calls * 800);
    rollups.clear();
  };
  const next = (n) => Math.floor(Math.random() * n);
  const start = Date.now();
  db.exec('BEGIN');
  for (let i = 0; i < N; i++) {
    const [provider, model, inNanos, outNanos] = MODELS[next(MODELS.length)];
    const time = END - 1 - next(DAYS * 86_400_000);
    const user = `user-${next(USERS)}`;
    const feature = `feature-${next(FEATURES)}`;
    const input = 200 + next(4000);
    const output = 50 + next(1500);
    const cost = BigInt(input * inNanos + output * outNanos);
    insert.run(`${i.toString(16).padStart(32, '0')}${'0'.repeat(16)}`, time, provider, model, user, feature);
    const bucket = Math.floor(time / BUCKET) * BUCKET;
    const key = `${bucket}|${model}|${user}|${feature}`;
    const r = rollups.get(key);
    if (r) {
      r.cost += cost;
      r.calls++;
      r.input += input;
      r.output += output;
    } else rollups.set(key, { bucket, provider, model, user, feature, cost, calls: 1, input, output });
    if (i % 500_000 === 499_999) {
      flush();
      db.exec('COMMIT');
      db.exec('BEGIN');
    }
  }
  flush();
  db.exec('COMMIT');
  // The narrow rollups are built by the store's own migration from the full ones.
  db.exec('DROP TABLE rollup_totals; DROP TABLE rollup_dims; DROP TABLE rollup_dims_day; DROP TABLE documents; PRAGMA user_version = 2;');
  db.close();
  const migrated = new SqliteStore(tmp);
  await migrated.init();
  await migrated.close();
  renameSync(tmp, file);
  console.log(`generated ${N.toLocaleString('en-US')} records from ${USERS.toLocaleString('en-US')} users in ${((Date.now() - start) / 1000).toFixed(0)} s`);
}

/** 1,000 budgets the way a company sets them: a few wide ones, per model, per feature, per user. */
function budgetBodies() {
  const bodies = [{ name: 'company month', scope: {}, period: 'month', limitUsd: '1000000', action: 'block' }];
  for (const [, model] of MODELS) bodies.push({ name: `${model} month`, scope: { model }, period: 'month', limitUsd: '50000', action: 'notify' });
  for (let f = 0; f < FEATURES; f++) bodies.push({ name: `feature-${f} day`, scope: { feature: `feature-${f}` }, period: 'day', timezone: 'Europe/Madrid', limitUsd: '2000', action: 'notify' });
  bodies.push({ name: 'each user day', scope: { perUser: true }, period: 'day', limitUsd: '5', action: 'block' });
  bodies.push({ name: 'each user week', scope: { perUser: true }, period: 'week', timezone: 'America/New_York', limitUsd: '20', action: 'block' });
  for (let u = 0; bodies.length < BUDGETS; u++) bodies.push({ name: `user-${u} month`, scope: { user: `user-${u}` }, period: 'month', limitUsd: '15', action: u % 2 ? 'block' : 'notify' });
  return bodies;
}

const percentile = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

async function post(url, body) {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

// Checks go through node:http on one keep-alive socket, each request written at once: on this kind
// of machine fetch (undici) adds several milliseconds to every POST, which would hide the service's time.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const overHttp = (url) => {
  const { hostname, port } = new URL(url);
  return (body) =>
    new Promise((resolve, reject) => {
      const data = Buffer.from(JSON.stringify(body));
      const req = http.request({ host: hostname, port, path: '/v1/budgets/check', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString())) : reject(new Error(`check: ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(data);
    });
};

async function timeChecks(check, users) {
  const ms = [];
  let blocked = 0;
  let matched = 0;
  for (const u of users) {
    const [provider, model] = MODELS[u % MODELS.length];
    const body = { user: `user-${u}`, provider, model, feature: `feature-${u % FEATURES}`, service: 'shop' };
    const t = process.hrtime.bigint();
    const decision = await check(body);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (!decision.allowed) blocked++;
    matched += decision.budgets.length;
  }
  return { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99), max: Math.max(...ms), blocked, meanBudgets: matched / users.length };
}

/** The same checks inside one process: the service's own time, without HTTP and the client. */
async function inProcess(label) {
  const { createApp } = require('../collector-service/dist/app');
  const { loadConfig } = require('../collector-service/dist/config/config');
  const { BudgetsService } = require('../collector-service/dist/budgets/budgets.service');
  const app = await createApp(loadConfig({ TOKENLEDGER_SQLITE_PATH: file, TOKENLEDGER_ALERT_INTERVAL_SECONDS: '0' }), { logger: false });
  await app.init();
  const budgets = app.get(BudgetsService);
  const check = (body) => budgets.check('default', body);
  const users = Array.from({ length: 2000 }, (_, i) => i);
  const cold = await timeChecks(check, users);
  const warm = await timeChecks(check, Array.from({ length: 10_000 }, (_, i) => users[i % 2000]));
  console.log(`${label}, in process: warm p50 ${warm.p50.toFixed(3)} ms, p99 ${warm.p99.toFixed(3)} ms; cold p50 ${cold.p50.toFixed(2)} ms, p99 ${cold.p99.toFixed(2)} ms`);
  await app.close();
}

(async () => {
  await generate();
  const db = new DatabaseSync(file);
  db.exec("DELETE FROM documents WHERE kind = 'budget'");
  db.close();
  const service = await startService({ TOKENLEDGER_SQLITE_PATH: file, TOKENLEDGER_ALERT_INTERVAL_SECONDS: '0' });
  const label = `budgets check, ${BUDGETS.toLocaleString('en-US')} budgets, ${N.toLocaleString('en-US')} records, ${USERS.toLocaleString('en-US')} users`;
  try {
    for (const body of budgetBodies()) await post(`${service.url}/v1/budgets`, body);
    const http = overHttp(service.url);
    const shuffled = Array.from({ length: USERS }, (_, i) => i).sort(() => Math.random() - 0.5);
    const cold = await timeChecks(http, shuffled.slice(0, 2000)); // each user's first check
    const warm = await timeChecks(http, Array.from({ length: 10_000 }, (_, i) => shuffled[i % 2000]));
    console.log(`${label}: warm p50 ${warm.p50.toFixed(2)} ms, p99 ${warm.p99.toFixed(2)} ms (10,000 checks over HTTP, ${warm.meanBudgets.toFixed(1)} matching budgets each, ${warm.blocked} blocked)`);
    console.log(`${label}: cold (a user's first check) p50 ${cold.p50.toFixed(2)} ms, p99 ${cold.p99.toFixed(2)} ms, max ${cold.max.toFixed(1)} ms (2,000 checks)`);
    // Scopes of one dimension read the narrow rollups; two dimensions read the full ones, once per period.
    await post(`${service.url}/v1/budgets`, { name: 'gpt-4o in feature-0', scope: { model: 'gpt-4o', feature: 'feature-0' }, period: 'month', limitUsd: '100', action: 'block' });
    const twoDims = await timeChecks(http, [0]);
    console.log(`${label}: first check under a budget scoped by two dimensions (model + feature) ${twoDims.p50.toFixed(1)} ms`);
  } finally {
    service.child.kill('SIGTERM');
    agent.destroy();
  }
  await new Promise((resolve) => service.child.once('exit', resolve));
  await inProcess(label);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
