// What the hook adds to a process, side by side in one run: a bare app, the app with
// `--require @tokenledger/node/register` exporting OTLP/HTTP protobuf (the default) and OTLP/gRPC
// (OTEL_EXPORTER_OTLP_PROTOCOL=grpc), and the app with the official
// `--require @opentelemetry/auto-instrumentations-node/register` (default OTLP/HTTP protobuf).
//
// - Start-up: the CPU a process has used when the app's first line runs (process.cpuUsage() there),
//   and the time from the process's start to that line (performance.now() there). Median and range of
//   BENCH_RUNS (default 9) alternating runs.
// - Exit with the collector down: the wall time of a 0.2 s script that records one span, exporting
//   to a loopback port nothing listens on, and the CPU the whole process used by its exit (every
//   thread: with gRPC, the sender's thread loads grpc-js after the first span). Median of
//   BENCH_EXIT_RUNS (default 3).
//
// The official package is installed once from the npm registry into the cache outside the repository
// (pinned below). Run: ./run node bench/node-hook-startup.bench.js   (build first: ./run build)
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, writeFileSync } = require('node:fs');
const { createServer } = require('node:net');
const { homedir, loadavg } = require('node:os');
const { join } = require('node:path');
const { median } = require('./stats');

const AUTO_VERSION = '0.82.0';
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const EXIT_RUNS = Number(process.env.BENCH_EXIT_RUNS ?? 3);
const ROOT = join(__dirname, '..');

function officialRegister() {
  const dir = join(
    process.env.TOKENLEDGER_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tokenledger'),
    `bench-auto-instrumentations-node-${AUTO_VERSION}`,
  );
  if (!existsSync(join(dir, 'node_modules', '@opentelemetry', 'auto-instrumentations-node', 'package.json'))) {
    console.error(`installing @opentelemetry/auto-instrumentations-node@${AUTO_VERSION} into ${dir}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"private":true}');
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', `@opentelemetry/auto-instrumentations-node@${AUTO_VERSION}`],
      { cwd: dir, stdio: 'inherit' },
    );
  }
  return require.resolve('@opentelemetry/auto-instrumentations-node/register', { paths: [dir] });
}

const closedPort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

// The app's first line reports the CPU used so far and the time since the process started.
const EMPTY_APP = 'const u = process.cpuUsage(); console.log(JSON.stringify({ cpuMs: (u.user + u.system) / 1000, wallMs: performance.now() }))';
// At its exit it reports the CPU the process used, all threads together (getrusage of the process).
const SHORT_APP =
  "process.on('exit', () => { const u = process.cpuUsage(); console.log(JSON.stringify({ cpuMs: (u.user + u.system) / 1000 })) }); require('@opentelemetry/api').trace.getTracer('bench').startSpan('work').end(); setTimeout(() => {}, 200)";

/** Runs `script` with `args`; returns what it printed (JSON) and the wall time of the whole run. */
function run(args, script, env) {
  const t0 = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [...args, '-e', script], { cwd: ROOT, env, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`${args.join(' ')}: exit ${child.status}\n${child.stderr}`);
  return { printed: JSON.parse(child.stdout.trim() || 'null'), runMs: Number(process.hrtime.bigint() - t0) / 1e6 };
}

const range = (xs, digits = 0) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

async function main() {
  const hook = ['--require', '@tokenledger/node/register'];
  const variants = [
    { name: 'bare app', args: [] },
    { name: 'with @tokenledger/node/register, http/protobuf', args: hook },
    { name: 'with @tokenledger/node/register, grpc', args: hook, env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } },
    { name: `with auto-instrumentations-node/register ${AUTO_VERSION}`, args: ['--require', officialRegister()] },
  ];
  const official = variants.length - 1;
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('TOKENLEDGER_') && k !== 'NODE_OPTIONS'),
  );
  const base = { ...clean, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await closedPort()}`, OTEL_LOG_LEVEL: 'none' };
  const envOf = (v) => ({ ...base, ...v.env });

  const starts = variants.map(() => []);
  for (let i = 0; i < RUNS; i++) variants.forEach((v, n) => starts[n].push(run(v.args, EMPTY_APP, envOf(v)).printed));
  const exits = variants.map(() => []);
  for (let i = 0; i < EXIT_RUNS; i++) variants.forEach((v, n) => exits[n].push(run(v.args, SHORT_APP, envOf(v))));

  const cpu = starts.map((runs) => median(runs.map((r) => r.cpuMs)));
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}, Node ${process.version}, ${RUNS} start-up runs, ${EXIT_RUNS} exit runs`,
  );
  console.log(
    '| | start-up CPU, median (range) | added CPU | time to the first line, median (range) | a 0.2 s script, collector down: start to exit | its CPU, all threads |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  variants.forEach((v, n) => {
    const cpus = starts[n].map((r) => r.cpuMs);
    const walls = starts[n].map((r) => r.wallMs);
    const exitSeconds = exits[n].map((r) => r.runMs / 1000);
    const exitCpus = exits[n].map((r) => r.printed.cpuMs);
    console.log(
      `| ${v.name} | ${cpu[n].toFixed(0)} ms (${range(cpus)}) | ${n === 0 ? '' : `${(cpu[n] - cpu[0]).toFixed(0)} ms`} | ${median(walls).toFixed(0)} ms (${range(walls)}) | ${median(exitSeconds).toFixed(2)} s (${range(exitSeconds, 2)}) | ${median(exitCpus).toFixed(0)} ms (${range(exitCpus)}) |`,
    );
  });
  for (const n of [1, 2])
    console.log(`${variants[n].name}: added start-up CPU ${(((cpu[n] - cpu[0]) / (cpu[official] - cpu[0])) * 100).toFixed(0)} % of the official hook's`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
