// The harness the per-SDK instrumentation benchmarks share: telemetry that goes nowhere (so the
// figures are the instrumentation's, not an exporter's), the timing loop, the heap measurement, and
// running each (SDK, instrumentation) pair in a process of its own.
'use strict';
const { execFileSync } = require('node:child_process');

/**
 * Spans to an exporter that counts and drops them, metrics to a reader nobody reads. `exported()`
 * lets a benchmark refuse figures from a run whose instrumentation recorded nothing.
 */
function discardingTelemetry() {
  const { TracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace');
  const { MeterProvider, MetricReader } = require('@opentelemetry/sdk-metrics');
  let exported = 0;
  const exporter = {
    export: (spans, done) => {
      exported += spans.length;
      done({ code: 0 });
    },
    shutdown: async () => {},
  };
  class Reader extends MetricReader {
    async onForceFlush() {}
    async onShutdown() {}
  }
  return {
    tracerProvider: new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
    meterProvider: new MeterProvider({ readers: [new Reader()] }),
    exported: () => exported,
  };
}

/** Points an instrumentation (made with `enabled: false`, patched by hand) at that telemetry. */
function attach(instrumentation, telemetry) {
  instrumentation.setTracerProvider(telemetry.tracerProvider);
  instrumentation.setMeterProvider(telemetry.meterProvider);
  return instrumentation;
}

/**
 * A timer for sequential calls: µs per call of CPU time (user + system) and of wall time. CPU time
 * is what a busy shared machine disturbs least. `threadCpu`: count the main thread only (not GC
 * helper threads); `beforeCall`: work kept out of the figure's purpose, done before every call.
 */
function timer({ threadCpu = false, beforeCall } = {}) {
  const cpuUsage = threadCpu ? process.threadCpuUsage : process.cpuUsage;
  let made = 0;
  const time = async (fn, n) => {
    made += n;
    const start = process.hrtime.bigint();
    const cpu = cpuUsage();
    for (let i = 0; i < n; i++) {
      if (beforeCall) beforeCall();
      await fn();
    }
    const used = cpuUsage(cpu);
    return { wall: Number(process.hrtime.bigint() - start) / 1e3 / n, cpu: (used.user + used.system) / n };
  };
  return { time, made: () => made };
}

const median = (rounds, key) => rounds.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(rounds.length / 2)];

/**
 * Each named call: a warm-up of a tenth of `calls` (at least 50), then `rounds` rounds of `calls`;
 * the median round's CPU µs/call as `name`, its wall µs/call as `nameWall`.
 */
async function timeCalls(time, namedCalls, { calls, rounds }) {
  const out = {};
  for (const [name, fn] of Object.entries(namedCalls)) {
    await time(fn, Math.max(50, calls / 10));
    const measured = [];
    for (let i = 0; i < rounds; i++) measured.push(await time(fn, calls));
    out[name] = median(measured, 'cpu');
    out[`${name}Wall`] = median(measured, 'wall');
  }
  return out;
}

/**
 * The heap after `calls` calls of `fn` (after 500 to warm up), `inFlight` at a time, after GC, and
 * its growth over the run: what stays behind. Needs `--expose-gc`, which `runChild` passes.
 */
async function measureHeap(time, fn, { calls, inFlight }) {
  await time(fn, 500);
  global.gc();
  const before = process.memoryUsage().heapUsed;
  await Promise.all(Array.from({ length: inFlight }, () => time(fn, calls / inFlight)));
  global.gc();
  return { heapMb: process.memoryUsage().heapUsed / 1e6, heapGrowthMb: (process.memoryUsage().heapUsed - before) / 1e6 };
}

/** Runs `file` again in a process of its own with these arguments; returns the JSON it printed. */
function runChild(file, args) {
  const stdout = execFileSync(process.execPath, ['--expose-gc', file, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(stdout);
}

/** In a child process: prints what `work` resolves to as JSON for `runChild`, or the error and exits 1. */
function answer(work) {
  work.then(
    (out) => process.stdout.write(JSON.stringify(out)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

/** A figure padded to `width`, with its difference from the bare SDK's beside it (none on the bare row). */
function cellOverBare(row, bare, key, width) {
  const over = row.mode === 'bare' ? '' : ` (${row[key] >= bare[key] ? '+' : ''}${(row[key] - bare[key]).toFixed(0)})`;
  return `${row[key].toFixed(0).padStart(6)}${over}`.padEnd(width);
}

module.exports = { discardingTelemetry, attach, timer, timeCalls, measureHeap, runChild, answer, cellOverBare };
