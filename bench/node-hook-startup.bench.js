// What `--require @tokenledger/node/register` adds to a process's start: wall time and CPU of an
// empty script with and without the hook (the hook loads the OpenTelemetry Node SDK, its exporters
// and the instrumentations), each started fresh, median of BENCH_RUNS (default 9) alternating runs.
// Run: ./run node bench/node-hook-startup.bench.js   (build first: ./run build)
'use strict';
const { spawnSync } = require('node:child_process');

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// The child reports its own CPU time; wall time is measured around the spawn.
const SCRIPT = 'const u = process.cpuUsage(); console.log((u.user + u.system) / 1000)';
const env = { ...process.env, OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' };

function once(args) {
  const t0 = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [...args, '-e', SCRIPT], { env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return { wallMs: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: Number(run.stdout.trim()) };
}

const bare = [];
const hooked = [];
for (let i = 0; i < RUNS; i++) {
  bare.push(once([]));
  hooked.push(once(['--require', '@tokenledger/node/register']));
}
const fmt = (runs) => `${median(runs.map((r) => r.wallMs)).toFixed(0)} ms wall, ${median(runs.map((r) => r.cpuMs)).toFixed(0)} ms CPU`;
console.log(`node -e (empty):            ${fmt(bare)}`);
console.log(`with the register hook:     ${fmt(hooked)}   (median of ${RUNS})`);
