// Time of one alert evaluation run (every default rule, a spike rule and 1,000 budgets' thresholds)
// over N stored records (1M by default; BENCH_RECORDS=10000000 for 10M) from 10,000 users in the last
// 30 days, and of the budget-only run that follows an ingest. Records and their rollups are generated
// straight into the SQLite store's tables (cached in ~/.cache/tokenledger/bench), 1 % of them unpriced;
// the built service's modules run in this process (evaluation has no HTTP endpoint), schedule off,
// no channels, so only evaluation and the alerts' writes are measured. The after-ingest figure is an
// ingest of 100 priced records from random users as ingest stores them, and the budget-threshold
// run it triggers; those rounds add 500 records to the cached store each time the benchmark runs.
// With MONGODB_URI, the very same records are also stored through the mongo adapter's own ingest and
// compaction (a database per day, kept between runs of that day) and measured the same way after sqlite.
// Run: ./run node bench/alerts.bench.js     (MONGODB_URI=mongodb://127.0.0.1:27017/ for mongo too)
'use strict';
require('reflect-metadata');
const { randomBytes } = require('node:crypto');
const { join } = require('node:path');
const { DatabaseSync } = require('node:sqlite');
const { benchCacheDir, seedStore } = require('./seeded-store');
const { median } = require('./stats');
const { dropOtherDatabases, mongodb, seedMongo } = require('./mongo-seeded-store');
const { seededRandom } = require('./usage-records');
const { createApp } = require('../collector-service/dist/app');
const { loadConfig } = require('../collector-service/dist/config/config');
const { AlertEvaluator } = require('../collector-service/dist/alerts/alert-evaluator.service');
const { AlertRulesService } = require('../collector-service/dist/alerts/alert-rules.service');
const { AlertSchedule } = require('../collector-service/dist/alerts/alert-schedule.service');
const { AlertClock } = require('../collector-service/dist/alerts/alert-clock');
const { BudgetClock } = require('../collector-service/dist/budgets/budget-clock');
const { STORAGE } = require('../collector-service/dist/storage/storage.tokens');
const { IngestEvents } = require('../collector-service/dist/ingest/ingest-events');
const { BudgetsService } = require('../collector-service/dist/budgets/budgets.service');

const N = Number(process.env.BENCH_RECORDS || 1_000_000);
const USERS = Number(process.env.BENCH_USERS || 10_000);
const BUDGETS = 1000;
const DAYS = 30;
const BUCKET = 15 * 60 * 1000;
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
const TODAY = new Date(END).toISOString().slice(0, 10);
const file = join(cacheDir, `alerts-${N}-${USERS}-${TODAY}-seeded.sqlite`);
const MONGO_DB = `bench_alerts_${N}_${USERS}_${TODAY.replaceAll('-', '')}`;

/** Record i, the same in every run and store: over DAYS days in order of time from USERS users, 1 % of them to a model with no price. */
function makeRecord(i) {
  const random = seededRandom(i);
  const unpriced = random.below(100) === 0;
  const [provider, model, inNanos, outNanos] = unpriced ? ['openai', 'mystery-model', 0, 0] : MODELS[random.below(MODELS.length)];
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
    unpriced: unpriced ? 1 : 0,
    input,
    output,
    durationMs: 800,
  };
}

/** 1,000 budgets as a company sets them: a few wide ones, per model, per feature, per user, and two perUser ones. */
function budgetBodies() {
  const bodies = [{ name: 'company month', scope: {}, period: 'month', limitUsd: '1000', thresholds: [0.5, 0.8, 1] }];
  for (const [provider, model] of MODELS) bodies.push({ name: `${model} month`, scope: { provider, model }, period: 'month', limitUsd: '500' });
  for (let f = 0; f < FEATURES; f++)
    bodies.push({ name: `feature-${f} day`, scope: { feature: `feature-${f}` }, period: 'day', timezone: 'Europe/Madrid', limitUsd: '20' });
  bodies.push({ name: 'each user day', scope: { perUser: true }, period: 'day', limitUsd: '0.50' });
  bodies.push({ name: 'each user week', scope: { perUser: true, service: 'shop' }, period: 'week', timezone: 'America/New_York', limitUsd: '2' });
  for (let u = 0; bodies.length < BUDGETS; u++) bodies.push({ name: `user-${u} month`, scope: { user: `user-${u}` }, period: 'month', limitUsd: '5' });
  return bodies;
}

/** Priced gpt-4o calls from random users, made a second before `atMs`: what an app's exporter sends under steady use. */
function ingestBatch(size, atMs) {
  const records = [];
  for (let i = 0; i < size; i++) {
    const id = randomBytes(24).toString('hex');
    const input = 200 + Math.floor(Math.random() * 4000);
    const output = 50 + Math.floor(Math.random() * 1500);
    records.push({
      id,
      traceId: id.slice(0, 32),
      spanId: id.slice(32),
      tenant: 'default',
      timeMs: atMs - 1000,
      service: 'shop',
      environment: null,
      provider: 'openai',
      model: 'gpt-4o',
      requestModel: 'gpt-4o',
      operation: 'chat',
      costType: 'llm',
      tokens: { input, output, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      imageCount: null,
      imageSize: null,
      imageQuality: null,
      audioSeconds: null,
      characters: null,
      paymentAmountUsd: null,
      paymentGateway: null,
      user: `user-${Math.floor(Math.random() * USERS)}`,
      agent: null,
      conversation: null,
      feature: `feature-${Math.floor(Math.random() * FEATURES)}`,
      tags: {},
      status: 'ok',
      errorType: null,
      durationMs: 800,
      costNanos: BigInt(input * 2500 + output * 10000),
      unpricedReason: null,
      unitPrices: { input_tokens: '0.0000025', output_tokens: '0.00001' },
      priceSource: 'bench',
      priceBookVersion: 'bench',
      providedCostNanos: null,
      estimated: false,
      batch: false,
      source: 'tokenledger',
    });
  }
  return records;
}

async function timed(fn) {
  const t = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, result };
}

/**
 * The tables (sqlite) and collections (mongo) of what a run writes besides records: budgets, rules,
 * alerts and what became of them; each run starts without them. `documents` is what stores written
 * before the entities had tables held them in.
 */
const ENTITY_TABLES = ['budgets', 'alert_rules', 'alert_rules_seeded', 'open_alerts', 'alert_redeliveries', 'alert_deliveries', 'documents'];
const SQLITE_ENTITY_TABLES = [...ENTITY_TABLES, 'alert_history'];
const MONGO_ENTITY_COLLECTIONS = [...ENTITY_TABLES, 'alerts', 'alert_claims', 'document_changes'];

/** Every figure for the store `env` names (its budgets and alerts among them, removed first by `clearEntities`). */
async function measure(store, env, clearEntities) {
  await clearEntities();
  const app = await createApp(loadConfig({ ...env, TOKENLEDGER_ALERT_INTERVAL_SECONDS: '0' }), { logger: false });
  await app.init();
  // Every run evaluates as of one instant; the budgets' and the after-ingest run's clocks say the same,
  // as they do in a live service (else the spend kept in memory looks idle and is dropped).
  const now = END - 1;
  app.get(BudgetClock).now = () => now;
  app.get(AlertClock).now = () => now;
  try {
    const storage = app.get(STORAGE);
    // Through the budgets service, as POST /v1/budgets creates them (it knows them from then on).
    const budgetsService = app.get(BudgetsService);
    for (const body of budgetBodies()) await budgetsService.create('default', body);
    await app.get(AlertRulesService).create('default', { type: 'spike' });
    const evaluator = app.get(AlertEvaluator);
    const first = await timed(() => evaluator.evaluate(now));
    const steady = [];
    for (let i = 0; i < 5; i++) steady.push((await timed(() => evaluator.evaluate(now))).ms);
    const budgetRuns = [];
    for (let i = 0; i < 5; i++) budgetRuns.push((await timed(() => evaluator.evaluate(now, { types: ['budget_threshold'], tenants: ['default'] }))).ms);
    // What runs back to back under steady ingest: a batch stored, then the budget pass it triggers.
    const schedule = app.get(AlertSchedule);
    const afterIngest = [];
    for (let i = 0; i < 5; i++) {
      const batch = ingestBatch(100, now);
      afterIngest.push(
        (
          await timed(async () => {
            await app.get(IngestEvents).storing(batch, (records) => storage.ingest(records));
            await schedule.settled();
          })
        ).ms,
      );
    }
    const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
    const label = `alert evaluation, ${store}, ${N.toLocaleString('en-US')} records, ${USERS.toLocaleString('en-US')} users, ${BUDGETS.toLocaleString('en-US')} budgets`;
    console.log(`${label}: first run ${seconds(first.ms)} (${first.result.rules} rules, ${first.result.fired} alerts fired and written)`);
    console.log(
      `${label}: steady run (nothing new) median ${seconds(median(steady))}; budget thresholds only, nothing new: median ${median(budgetRuns).toFixed(1)} ms`,
    );
    console.log(
      `${label}: an ingest of 100 records and the budget-threshold run it triggers: median ${median(afterIngest).toFixed(1)} ms (max ${Math.max(...afterIngest).toFixed(1)} ms)`,
    );
  } finally {
    await app.close();
  }
}

(async () => {
  await seedStore(file, N, makeRecord);
  if (process.env.MONGODB_URI) await dropOtherDatabases('bench_alerts_', MONGO_DB);
  const mongoUri = process.env.MONGODB_URI ? await seedMongo(MONGO_DB, N, makeRecord) : null;
  await measure('sqlite', { TOKENLEDGER_SQLITE_PATH: file }, async () => {
    const db = new DatabaseSync(file);
    // A cached store made by a version before may lack some of the tables: those it has are emptied.
    for (const table of SQLITE_ENTITY_TABLES)
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table)) db.exec(`DELETE FROM ${table}`);
    db.close();
  });
  if (mongoUri) {
    await measure('mongo', { TOKENLEDGER_STORE: 'mongo', MONGODB_URI: mongoUri }, async () => {
      const client = await new (mongodb().MongoClient)(mongoUri).connect();
      for (const name of MONGO_ENTITY_COLLECTIONS) await client.db().collection(name).deleteMany({});
      await client.close();
    });
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
