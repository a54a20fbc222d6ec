// POST /v1/budgets/check latency (p50/p99) with 1,000 budgets over N stored records (1M by default;
// BENCH_RECORDS=10000000 for 10M) from 10,000 users, through the real service over HTTP. Records of
// the last 30 days are generated straight into the SQLite store's tables (cached per day in
// ~/.cache/tokenledger/bench), rollups computed the way ingest computes them; budgets are created
// through the API. Cold checks (first sight of a user, spend read from the rollups) and warm checks
// (spend from memory) are reported apart. The alert schedule is off so only checks are measured.
// With MONGODB_URI, the very same records are also stored through the mongo adapter's own ingest and
// compaction (a database per day, kept between runs of that day) and measured the same way after sqlite.
// Run: ./run node bench/budgets.bench.js     (MONGODB_URI=mongodb://127.0.0.1:27017/ for mongo too;
//      BENCH_SEEDED_ON=<YYYY-MM-DD> measures the complete stores seeded that day, as they are: records
//      ending that day, checks made now)
'use strict';
const http = require('node:http');
const { startService } = require('./service');
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { DatabaseSync } = require('node:sqlite');
const { benchCacheDir, seedStore } = require('./seeded-store');
const { percentile } = require('./stats');
const { dropOtherDatabases, mongodb, seedingState, seedMongo } = require('./mongo-seeded-store');
const { seededRandom } = require('./usage-records');

const N = Number(process.env.BENCH_RECORDS || 1_000_000);
const USERS = Number(process.env.BENCH_USERS || 10_000);
const BUDGETS = 1000;
const DAYS = 30;
const BUCKET = 15 * 60 * 1000;
const SEEDED_ON = process.env.BENCH_SEEDED_ON;
const END = Math.floor(Date.now() / BUCKET) * BUCKET;
const MODELS = [
  ['openai', 'gpt-4o', 2500, 10000],
  ['openai', 'gpt-4o-mini', 150, 600],
  ['anthropic', 'claude-3-5-sonnet', 3000, 15000],
  ['gcp.gemini', 'gemini-2.5-flash', 300, 2500],
  ['openai', 'o3', 2000, 8000],
];
const FEATURES = 12;
const cacheDir = benchCacheDir();
const TODAY = SEEDED_ON ?? new Date(END).toISOString().slice(0, 10);
const file = join(cacheDir, `budgets-${N}-${USERS}-${TODAY}-seeded.sqlite`);
const MONGO_DB = `bench_budgets_${N}_${USERS}_${TODAY.replaceAll('-', '')}`;

/** Record i, the same in every run and store: priced, over DAYS days in order of time, from USERS users. */
function makeRecord(i) {
  const random = seededRandom(i);
  const [provider, model, inNanos, outNanos] = MODELS[random.below(MODELS.length)];
  const input = 200 + random.below(4000);
  const output = 50 + random.below(1500);
  return {
    timeMs: END - DAYS * 86_400_000 + Math.floor(((i + random.next()) * DAYS * 86_400_000) / N),
    provider,
    model,
    type: 'llm',
    user: `user-${random.below(USERS)}`,
    agent: null,
    feature: `feature-${random.below(FEATURES)}`,
    status: 'ok',
    costNanos: BigInt(input * inNanos + output * outNanos),
    unpriced: 0,
    input,
    output,
    durationMs: 800,
  };
}

/** 1,000 budgets the way a company sets them: a few wide ones, per model, per feature, per user. */
function budgetBodies() {
  const bodies = [{ name: 'company month', scope: {}, period: 'month', limitUsd: '1000000', action: 'block' }];
  for (const [, model] of MODELS) bodies.push({ name: `${model} month`, scope: { model }, period: 'month', limitUsd: '50000', action: 'notify' });
  for (let f = 0; f < FEATURES; f++)
    bodies.push({ name: `feature-${f} day`, scope: { feature: `feature-${f}` }, period: 'day', timezone: 'Europe/Madrid', limitUsd: '2000', action: 'notify' });
  bodies.push({ name: 'each user day', scope: { perUser: true }, period: 'day', limitUsd: '5', action: 'block' });
  bodies.push({ name: 'each user week', scope: { perUser: true }, period: 'week', timezone: 'America/New_York', limitUsd: '20', action: 'block' });
  for (let u = 0; bodies.length < BUDGETS; u++)
    bodies.push({ name: `user-${u} month`, scope: { user: `user-${u}` }, period: 'month', limitUsd: '15', action: u % 2 ? 'block' : 'notify' });
  return bodies;
}

async function post(url, body) {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

// Checks go through node:http on one keep-alive socket, each request written at once: on this kind
// of machine fetch (undici) adds several milliseconds to every POST, which would hide the service's time.
function overHttp(url) {
  const { hostname, port } = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const check = (body) =>
    new Promise((resolve, reject) => {
      const data = Buffer.from(JSON.stringify(body));
      const req = http.request(
        {
          host: hostname,
          port,
          path: '/v1/budgets/check',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': data.length },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString())) : reject(new Error(`check: ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  return { check, close: () => agent.destroy() };
}

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
async function inProcess(label, env) {
  const { createApp } = require('../collector-service/dist/app');
  const { loadConfig } = require('../collector-service/dist/config/config');
  const { BudgetsService } = require('../collector-service/dist/budgets/budgets.service');
  const app = await createApp(loadConfig({ ...env, TOKENLEDGER_ALERT_INTERVAL_SECONDS: '0' }), { logger: false });
  await app.init();
  const budgets = app.get(BudgetsService);
  const check = (body) => budgets.check('default', body);
  const users = Array.from({ length: 2000 }, (_, i) => i);
  const cold = await timeChecks(check, users);
  const warm = await timeChecks(
    check,
    Array.from({ length: 10_000 }, (_, i) => users[i % 2000]),
  );
  console.log(
    `${label}, in process: warm p50 ${warm.p50.toFixed(3)} ms, p99 ${warm.p99.toFixed(3)} ms; cold p50 ${cold.p50.toFixed(2)} ms, p99 ${cold.p99.toFixed(2)} ms`,
  );
  await app.close();
}

/** Every figure for the store `env` names (its budgets removed first by `clearBudgets`). */
async function measure(store, env, clearBudgets) {
  await clearBudgets();
  const service = await startService({ ...env, TOKENLEDGER_ALERT_INTERVAL_SECONDS: '0' });
  const label = `budgets check, ${store}, ${BUDGETS.toLocaleString('en-US')} budgets, ${N.toLocaleString('en-US')} records, ${USERS.toLocaleString('en-US')} users`;
  const http = overHttp(service.url);
  try {
    for (const body of budgetBodies()) await post(`${service.url}/v1/budgets`, body);
    const shuffled = Array.from({ length: USERS }, (_, i) => i).sort(() => Math.random() - 0.5);
    const cold = await timeChecks(http.check, shuffled.slice(0, 2000)); // each user's first check
    const warm = await timeChecks(
      http.check,
      Array.from({ length: 10_000 }, (_, i) => shuffled[i % 2000]),
    );
    console.log(
      `${label}: warm p50 ${warm.p50.toFixed(2)} ms, p99 ${warm.p99.toFixed(2)} ms (10,000 checks over HTTP, ${warm.meanBudgets.toFixed(1)} matching budgets each, ${warm.blocked} blocked)`,
    );
    console.log(
      `${label}: cold (a user's first check) p50 ${cold.p50.toFixed(2)} ms, p99 ${cold.p99.toFixed(2)} ms, max ${cold.max.toFixed(1)} ms (2,000 checks)`,
    );
    // Scopes of one dimension read the narrow rollups; two dimensions read the full ones, once per period.
    await post(`${service.url}/v1/budgets`, {
      name: 'gpt-4o in feature-0',
      scope: { model: 'gpt-4o', feature: 'feature-0' },
      period: 'month',
      limitUsd: '100',
      action: 'block',
    });
    const twoDims = await timeChecks(http.check, [0]);
    console.log(`${label}: first check under a budget scoped by two dimensions (model + feature) ${twoDims.p50.toFixed(1)} ms`);
    if (env.MONGODB_URI) {
      // The mongo store keeps that pair's day rollups from the budget's creation on, and rewrites the
      // days stored before in the background: a budget of the same scope created after reads those.
      const waitedMs = await pairDaysHeld(env.MONGODB_URI);
      await post(`${service.url}/v1/budgets`, {
        name: 'gpt-4o in feature-0, again',
        scope: { model: 'gpt-4o', feature: 'feature-0' },
        period: 'month',
        limitUsd: '100',
        action: 'block',
      });
      const kept = await timeChecks(http.check, [0]);
      console.log(
        `${label}: first check under a second budget of that scope, once every day holds the pair (${(waitedMs / 1000).toFixed(1)} s after the first) ${kept.p50.toFixed(1)} ms`,
      );
    }
  } finally {
    service.child.kill('SIGTERM');
    http.close();
  }
  await new Promise((resolve) => service.child.once('exit', resolve));
  await inProcess(label, env);
}

/** Waits until the mongo store holds a pair day document for every UTC day of the records (10 minutes at most); the time waited. */
async function pairDaysHeld(uri) {
  const days = new Set();
  for (let day = Math.floor((END - DAYS * 86_400_000) / 86_400_000); day * 86_400_000 < END; day++) days.add(day * 86_400_000);
  const client = await new (mongodb().MongoClient)(uri).connect();
  const since = Date.now();
  try {
    for (;;) {
      const held = new Set();
      for (const { name } of await client
        .db()
        .listCollections({ name: /^rollup_pair_days_/ }, { nameOnly: true })
        .toArray())
        for (const doc of await client
          .db()
          .collection(name)
          .find({}, { projection: { _id: 1 } })
          .toArray())
          held.add(JSON.parse(doc._id)[1]);
      if ([...days].every((day) => held.has(day))) return Date.now() - since;
      if (Date.now() - since > 600_000)
        throw new Error(`the mongo store did not hold the pair for every day within 10 minutes (${held.size} of ${days.size} days)`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  } finally {
    await client.close();
  }
}

(async () => {
  if (SEEDED_ON && !existsSync(file)) throw new Error(`BENCH_SEEDED_ON=${SEEDED_ON}: no store of that day in ${file}`);
  // Records are made from the time of the run: resuming a store of another day would mix two ENDs.
  if (SEEDED_ON && process.env.MONGODB_URI && !(await seedingState(MONGO_DB))?.complete)
    throw new Error(`BENCH_SEEDED_ON=${SEEDED_ON}: database ${MONGO_DB} is not seeded completely on MONGODB_URI`);
  await seedStore(file, N, makeRecord);
  if (process.env.MONGODB_URI) await dropOtherDatabases('bench_budgets_', MONGO_DB);
  const mongoUri = process.env.MONGODB_URI ? await seedMongo(MONGO_DB, N, makeRecord) : null;
  await measure('sqlite', { TOKENLEDGER_SQLITE_PATH: file }, async () => {
    const db = new DatabaseSync(file);
    db.exec("DELETE FROM documents WHERE kind = 'budget'");
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'budgets'").get()) db.exec('DELETE FROM budgets');
    db.close();
  });
  if (mongoUri) {
    await measure('mongo', { TOKENLEDGER_STORE: 'mongo', MONGODB_URI: mongoUri }, async () => {
      const client = await new (mongodb().MongoClient)(mongoUri).connect();
      await client.db().collection('documents').deleteMany({ kind: 'budget' });
      await client.db().collection('budgets').deleteMany({});
      await client.close();
    });
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
