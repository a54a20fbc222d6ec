// Where a mongo report's time goes. Seeds a fresh database through the adapter's own ingest (batches
// of 512 spans whose start times lie within seconds of each other, batches spread over 30 days,
// 1,000 users) and, for each query the report endpoints send to the storage port, prints: the time
// of `aggregate` (median of the rounds), the commands the adapter sent, the documents and BSON bytes
// the server returned, the server's share (the commands' round trips), the client's BSON decoding
// of those replies, and the rest (summing); then what the server does with each distinct `find`
// (its `explain`: FerretDB says what it pushed down to its SQLite backend and SQLite's plan; MongoDB
// its winning plan). The database is dropped at the end.
// Run: MONGODB_URI=mongodb://127.0.0.1:27017/ ./run node bench/mongo-report-anatomy.bench.js
//      (BENCH_BATCHES=10 batches by default, BENCH_ROUNDS=5; BENCH_MONGO_DB=<database> reads a store
//      seeded before, such as reports.bench.js's bench_reports_1000000_1000, and keeps it)
'use strict';
const { BSON } = require(require.resolve('mongodb', { paths: [require('node:path').join(__dirname, '..', 'collector-service')] }));
const { MongoStore } = require('../collector-service/dist/storage/mongo/mongo.store');
const { median } = require('./stats');
const { seededRandom, usageRecord } = require('./usage-records');

const BATCHES = Number(process.env.BENCH_BATCHES || 10);
const SEEDED_DB = process.env.BENCH_MONGO_DB;
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);
const END = Date.UTC(2026, 10, 1);
const MONTH = { tenant: 'default', fromMs: Date.UTC(2026, 9, 2), toMs: END, filters: {} };
const QUERIES = {
  'summary, month': { ...MONTH, groupBy: [] },
  'timeseries by day, Europe/Madrid': { ...MONTH, fromMs: Date.UTC(2026, 9, 1, 22), toMs: Date.UTC(2026, 9, 31, 23), groupBy: ['bucket'] },
  'breakdown by model': { ...MONTH, groupBy: ['model'] },
  'breakdown by user': { ...MONTH, groupBy: ['user'] },
  // Filtered on two dimensions and broken down by a third: from the group days (see rollup-docs.ts).
  'breakdown by user, feature=feature-3 & agent=agent-1': { ...MONTH, filters: { feature: 'feature-3', agent: 'agent-1' }, groupBy: ['user'] },
};
const MODELS = [
  ['openai', 'gpt-4o'],
  ['openai', 'gpt-4o-mini'],
  ['anthropic', 'claude-3-5-sonnet'],
  ['gcp.gemini', 'gemini-2.5-flash'],
];

if (!process.env.MONGODB_URI) {
  console.error('set MONGODB_URI to a MongoDB-wire server (./run test starts FerretDB; scripts/ferretdb/build.sh builds it)');
  process.exit(2);
}

async function seed(store) {
  const random = seededRandom(20);
  let id = 0;
  for (let b = 0; b < BATCHES; b++) {
    const start = END - 1 - random.below(30 * 86_400_000 - 10_000);
    const records = Array.from({ length: 512 }, () => {
      const [provider, model] = MODELS[random.below(MODELS.length)];
      const input = 200 + random.below(4000);
      const output = 50 + random.below(1500);
      return usageRecord(++id, {
        timeMs: start + random.below(5000),
        provider,
        model,
        type: 'llm',
        user: `user-${random.below(1000)}`,
        agent: `agent-${random.below(8)}`,
        feature: `feature-${random.below(12)}`,
        status: random.below(50) ? 'ok' : 'error',
        costNanos: BigInt(input * 2500 + output * 10000),
        unpriced: 0,
        input,
        output,
        durationMs: 800,
      });
    });
    await store.ingest(records);
  }
}

/** The adapter's commands while `fn` runs: name, collection, filter, round trip, documents and bytes returned. */
async function captured(client, fn) {
  const started = new Map();
  const commands = [];
  const onStart = (e) => started.set(e.requestId, e.command);
  const onDone = (e) => {
    const command = started.get(e.requestId);
    const cursor = e.reply?.cursor;
    const docs = cursor ? (cursor.firstBatch ?? cursor.nextBatch ?? []) : [];
    commands.push({
      name: e.commandName,
      collection: command?.[e.commandName],
      filter: command?.filter,
      ms: e.duration,
      docs: docs.length,
      bytes: BSON.calculateObjectSize(e.reply),
    });
  };
  client.on('commandStarted', onStart);
  client.on('commandSucceeded', onDone);
  try {
    await fn();
  } finally {
    client.off('commandStarted', onStart);
    client.off('commandSucceeded', onDone);
  }
  return commands;
}

/** What the server does with one find: FerretDB's pushdown and SQLite plan, or MongoDB's winning plan stages. */
async function explain(db, collection, filter) {
  const r = await db.command({ explain: { find: collection, filter } });
  if (r.queryPlanner?.Plan)
    return `FerretDB pushdown ${r.filterPushdown ? 'yes' : 'no'}; SQLite: ${r.queryPlanner.Plan.map((p) => p.replace(/^.*detail=/, '')).join(' / ')}`;
  const stages = [];
  for (let s = r.queryPlanner?.winningPlan; s; s = s.inputStage) stages.push(s.stage + (s.indexName ? ` ${s.indexName}` : ''));
  return `MongoDB: ${stages.join(' <- ')}`;
}

(async () => {
  const url = new URL(process.env.MONGODB_URI);
  url.searchParams.set('monitorCommands', 'true');
  const dbName = SEEDED_DB ?? `bench_anatomy_${Date.now()}`;
  const store = new MongoStore(url.toString(), { dbName, compaction: SEEDED_DB ? { everyMs: 0 } : undefined });
  await store.init();
  const connection = store['connection'];
  const client = connection.getClient();
  const db = connection.db;
  try {
    if (!SEEDED_DB) {
      const seeding = Date.now();
      await seed(store);
      await store.compact();
      console.log(
        `seeded ${(BATCHES * 512).toLocaleString('en-US')} records in ${BATCHES} batches through ingest, and compacted, in ${((Date.now() - seeding) / 1000).toFixed(1)} s`,
      );
    }
    const plans = new Map();
    for (const [name, query] of Object.entries(QUERIES)) {
      const wall = [];
      let commands = [];
      for (let i = 0; i < ROUNDS; i++) {
        const t = process.hrtime.bigint();
        commands = await captured(client, () => store.aggregate(query));
        wall.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      const reads = commands.filter((c) => c.name === 'find' || c.name === 'getMore');
      // The same finds again, as raw BSON, to time the client's decoding on its own.
      const raws = [];
      for (const c of commands.filter((c) => c.name === 'find'))
        raws.push(
          ...(await db
            .collection(c.collection)
            .find(c.filter ?? {}, { raw: true })
            .toArray()),
        );
      const t = process.hrtime.bigint();
      for (const raw of raws) BSON.deserialize(raw, { useBigInt64: true });
      const decodeMs = Number(process.hrtime.bigint() - t) / 1e6;
      const serverMs = commands.reduce((s, c) => s + c.ms, 0);
      const docs = reads.reduce((s, c) => s + c.docs, 0);
      const bytes = reads.reduce((s, c) => s + c.bytes, 0);
      console.log(
        `${name}: ${median(wall).toFixed(1)} ms median of ${ROUNDS}; last round: ${commands.length} commands (${commands.map((c) => c.name).join(', ')}), ${docs} documents, ${(bytes / 1024).toFixed(0)} KiB returned; ` +
          `server round trips ${serverMs.toFixed(1)} ms (summed), client BSON decoding ${decodeMs.toFixed(1)} ms, the rest (summing, waiting) ${Math.max(0, wall[wall.length - 1] - serverMs - decodeMs).toFixed(1)} ms`,
      );
      for (const c of commands.filter((c) => c.name === 'find')) {
        const key = `${c.collection} ${JSON.stringify(c.filter)}`;
        if (!plans.has(key)) plans.set(key, await explain(db, c.collection, c.filter ?? {}));
      }
    }
    for (const [find, plan] of plans) console.log(`find ${find}: ${plan}`);
    // A lookup by _id, the one filter FerretDB pushes down, on the biggest collection.
    const records = db.collection('usage_records');
    const ids = (await records.find({}, { projection: { _id: 1 }, limit: 1 }).toArray()).map((d) => d._id);
    const lookups = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = process.hrtime.bigint();
      await records.findOne({ _id: `${ids[0]}-absent` });
      lookups.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const count = await records.countDocuments();
    console.log(
      `find usage_records {_id} (absent, ${count.toLocaleString('en-US')} records): ${median(lookups).toFixed(1)} ms median; ${await explain(db, 'usage_records', { _id: 'x' })}`,
    );
  } finally {
    if (!SEEDED_DB) await db.dropDatabase();
    await store.close();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
