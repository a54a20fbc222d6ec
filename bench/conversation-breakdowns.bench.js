// The breakdowns by conversation, with and without filters, on the stores reports.bench.js seeds:
// sqlite, then mongo served by another checkout's build (BENCH_BASE_ROOT, e.g. a worktree of main,
// built), then mongo served by this build, in one run. A request slower than 3 s is timed twice, the
// others six times; each answer's hash is printed, so the stores' answers can be compared.
// Seed first (BENCH_RECORDS=200000 for a smaller store), then point at them:
//   MONGODB_URI=mongodb://127.0.0.1:<port>/ BENCH_RECORDS=200000 BENCH_MONGO_ONLY=1 BENCH_SEED_ONLY=1 ./run node bench/reports.bench.js
//   BENCH_SQLITE=<the sqlite file reports.bench.js names> BENCH_MONGO_DB_URI=mongodb://127.0.0.1:<port>/bench_reports_conversation_groups_200000_1000 \
//     BENCH_BASE_ROOT=/path/to/main ./run node bench/conversation-breakdowns.bench.js
// When the two builds write stores of different formats, seed one with each (a FerretDB per build) and
// name the other build's with BENCH_BASE_MONGO_DB_URI.
'use strict';
const { createHash } = require('node:crypto');
const { join } = require('node:path');
const { loadavg } = require('node:os');
const { startService } = require('./service');
const { percentile } = require('./stats');
const { get } = require('./timed-queries');

const QUERIES = {
  'by=conversation (one day)': '/v1/reports/breakdown?from=2026-10-20&to=2026-10-21&by=conversation',
  'by=conversation (month)': '/v1/reports/breakdown?from=2026-10-02&to=2026-11-01&by=conversation',
  'by=conversation&model=gpt-4o (one day)': '/v1/reports/breakdown?from=2026-10-20&to=2026-10-21&by=conversation&model=gpt-4o',
  'by=conversation&user=user-7 (month)': '/v1/reports/breakdown?from=2026-10-02&to=2026-11-01&by=conversation&user=user-7',
  'by=conversation&agent=agent-3 (5 days)': '/v1/reports/breakdown?from=2026-10-20&to=2026-10-25&by=conversation&agent=agent-3',
};

async function request(url) {
  const started = process.hrtime.bigint();
  // node:http (timed-queries.js): fetch gives up a request unanswered after 300 s whatever its signal says.
  const res = await get(url, 900_000);
  const body = res.body.toString();
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body.slice(0, 300)}`);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, hash: createHash('sha1').update(body).digest('hex').slice(0, 10) };
}

async function timeService(label, env, root) {
  const service = await startService(env, { root });
  try {
    for (const [name, path] of Object.entries(QUERIES)) {
      const first = await request(service.url + path);
      const ms = [first.ms];
      for (let i = 0; i < (first.ms > 3000 ? 1 : 5); i++) ms.push((await request(service.url + path)).ms);
      console.log(
        `${label}, ${name}: median ${percentile(ms, 0.5).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms (${ms.length} requests), answer ${first.hash}`,
      );
    }
  } finally {
    service.child.kill('SIGTERM');
    await new Promise((resolve) => service.child.once('exit', resolve));
  }
}

(async () => {
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  console.log(`load average ${load()}`);
  if (process.env.BENCH_SQLITE) await timeService('sqlite', { TOKENLEDGER_SQLITE_PATH: process.env.BENCH_SQLITE });
  const mongo = { TOKENLEDGER_STORE: 'mongo', MONGODB_URI: process.env.BENCH_MONGO_DB_URI };
  const base = { ...mongo, MONGODB_URI: process.env.BENCH_BASE_MONGO_DB_URI ?? mongo.MONGODB_URI };
  if (process.env.BENCH_BASE_ROOT) await timeService(`mongo, the build in ${process.env.BENCH_BASE_ROOT}`, base, process.env.BENCH_BASE_ROOT);
  await timeService('mongo, this build', mongo, join(__dirname, '..'));
  console.log(`load average ${load()}`);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
