// The harness the per-SDK instrumentation benchmarks share. Each SDK runs in a process of its own, in
// which each mode being compared — the bare SDK, and each instrumentation — has an instance of the SDK
// of its own (patched once, for the whole run); the modes take turns, timing after timing, round after
// round, so they are measured side by side in one process and whatever else the machine does weighs
// on all alike. In that process:
// - the SDK's fetch is replaced by an in-process one that replays responses recorded once from the
//   loopback mock LLM server (a stream piece by piece, one event a piece), so a call's CPU time is the
//   SDK's and the instrumentation's, with no network;
// - OpenTelemetry is set up as an app's NodeSDK sets it up by default (AsyncLocalStorage context, W3C
//   trace context and baggage, batched spans, periodic metrics, batched log records), exporting
//   OTLP/JSON to a loopback sink in the parent, which counts the spans of each instrumentation so a
//   run that recorded fewer spans than it made calls is refused;
// - the figure is the CPU time of the process (user + system: GC and the exporters included) per call,
//   each timing paying for the export of what it recorded.
'use strict';
const { fork } = require('node:child_process');
const { createServer } = require('node:http');
const { cpuMs, median } = require('./stats');

// ---------------------------------------------------------------------------------------------------
// In the child

/**
 * A server-sent event stream as the network delivers it: one piece per event (the whole body in one
 * piece would make the SDKs' event splitters copy what is left of it after every event).
 */
function ssePieces(body) {
  const pieces = [];
  for (let from = 0; from < body.length;) {
    const end = body.indexOf('\n\n', from);
    const to = end < 0 ? body.length : end + 2;
    pieces.push(body.subarray(from, to));
    from = to;
  }
  return pieces;
}

function replayed({ status, headers, body, pieces }) {
  if (!pieces) return new Response(body, { status, headers });
  const stream = new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(new Uint8Array(piece));
      controller.close();
    },
  });
  return new Response(stream, { status, headers });
}

/**
 * A fetch that records one response per call kind from the real server, then replays it from memory.
 * `state.kind` names the call about to be made (calls are sequential); each kind makes one request.
 */
function replayingFetch() {
  const realFetch = globalThis.fetch;
  const recorded = new Map();
  let replaying = false;
  const state = { kind: null };
  async function fetch(input, init) {
    if (replaying) {
      const r = recorded.get(state.kind);
      if (!r) throw new Error(`bench: no response recorded for ${state.kind}`);
      return replayed(r);
    }
    const res = await realFetch(input, init);
    const body = Buffer.from(await res.arrayBuffer());
    const headers = [...res.headers];
    const r = { status: res.status, headers, body, pieces: res.headers.get('content-type')?.includes('text/event-stream') ? ssePieces(body) : null };
    recorded.set(state.kind, r);
    return replayed(r);
  }
  return { fetch, state, replay: () => (replaying = true) };
}

/**
 * OpenTelemetry as an app's NodeSDK sets it up by default, exporting OTLP/JSON to `sinkUrl`: the
 * AsyncLocalStorage context manager, W3C trace context and baggage, a batch span processor, a
 * periodic metric reader (its interval short enough to export several times a round) and a batch log
 * record processor (tokenledger's instrumentations emit no log records; the official openai one
 * emits one per message and per choice).
 */
function otlpTelemetry(sinkUrl) {
  const api = require('@opentelemetry/api');
  const { logs } = require('@opentelemetry/api-logs');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
  const { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } = require('@opentelemetry/core');
  const { BatchSpanProcessor, TracerProvider } = require('@opentelemetry/sdk-trace');
  const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
  const { BatchLogRecordProcessor, LoggerProvider } = require('@opentelemetry/sdk-logs');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
  const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-http');
  const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http');
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  // The queues hold a whole timing: what a slow export has not sent yet is exported (and paid for)
  // at the end of it, never dropped.
  const spanProcessor = new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${sinkUrl}/v1/traces` }), maxQueueSize: 1_000_000 });
  const logProcessor = new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${sinkUrl}/v1/logs` }), maxQueueSize: 1_000_000 });
  const tracerProvider = new TracerProvider({ spanProcessors: [spanProcessor] });
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${sinkUrl}/v1/metrics` }), exportIntervalMillis: 2000 })],
  });
  const loggerProvider = new LoggerProvider({ processors: [logProcessor] });
  api.trace.setGlobalTracerProvider(tracerProvider);
  api.metrics.setGlobalMeterProvider(meterProvider);
  logs.setGlobalLoggerProvider(loggerProvider);
  return {
    tracerProvider,
    meterProvider,
    loggerProvider,
    /** What a timing pays for before its time is taken: exporting its spans and log records. */
    flushTiming: () => Promise.all([spanProcessor.forceFlush(), logProcessor.forceFlush()]),
    flush: () => Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush(), loggerProvider.forceFlush()]),
  };
}

/** Points an instrumentation (patched by hand) at that telemetry; `logs: false` gives it a logger that drops everything. */
function attach(instrumentation, telemetry, { logs = true } = {}) {
  instrumentation.setTracerProvider(telemetry.tracerProvider);
  instrumentation.setMeterProvider(telemetry.meterProvider);
  instrumentation.setLoggerProvider?.(logs ? telemetry.loggerProvider : require('@opentelemetry/api-logs').NOOP_LOGGER_PROVIDER);
  return instrumentation;
}

/**
 * Process CPU µs (user + system) and wall µs per call of `n` sequential calls of `fn`, and of
 * exporting what they recorded (`flush`), so that a timing pays for its own export.
 */
async function timeCalls(fn, n, flush = async () => {}) {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  await flush();
  return { cpu: (cpuMs(cpu) * 1000) / n, wall: Number(process.hrtime.bigint() - wall) / 1e3 / n };
}

/**
 * Times several modes together: `n` calls of each, in `slices` slices, the modes taking turns slice by
 * slice in an order that rotates, so that whatever else the machine does during the timing weighs on
 * every mode alike. Resolves to each mode's CPU and wall µs per call, in the order given.
 */
async function timeInterleaved(fns, n, slices, flush) {
  const per = Math.max(1, Math.round(n / slices));
  const totals = fns.map(() => ({ cpu: 0, wall: 0 }));
  for (let slice = 0; slice < slices; slice++) {
    for (let i = 0; i < fns.length; i++) {
      const at = (i + slice) % fns.length;
      const f = await timeCalls(fns[at], per, flush);
      totals[at].cpu += f.cpu / slices;
      totals[at].wall += f.wall / slices;
    }
  }
  return { figures: totals, calls: per * slices };
}

/**
 * The batch span processor's export batch (its default maxExportBatchSize). A slice's flush exports
 * what the slice recorded: slices of about this many calls export as many batches as a steady stream
 * of calls would, where smaller ones would add export requests (and their cost) to every
 * instrumented mode.
 */
const EXPORT_BATCH = 512;
const slicesOf = (calls) => Math.max(1, Math.round(calls / EXPORT_BATCH));

/** How a benchmark's headline says what a timing's slices are. */
const slicesLabel = (slices) => (slices ? `${slices} slices` : `slices of about ${EXPORT_BATCH} calls`);

const HEAP_SLICE = 2000;

/**
 * The heap after `calls` calls of `fn` (after a warm-up), `inFlight` at a time, once what they
 * recorded is exported and after GC, and its growth over the run: what stays behind. Needs
 * `--expose-gc`, which the parent passes.
 */
async function measureHeap(fn, { calls, inFlight, flush }) {
  await timeCalls(fn, 500, flush);
  global.gc();
  const before = process.memoryUsage().heapUsed;
  // In slices, each exported before the next: an export queue that grows would be counted as kept.
  for (let done = 0; done < calls; done += HEAP_SLICE) {
    await Promise.all(Array.from({ length: inFlight }, () => timeCalls(fn, Math.min(HEAP_SLICE, calls - done) / inFlight)));
    await flush();
  }
  global.gc();
  const after = process.memoryUsage().heapUsed;
  return { heapMb: after / 1e6, heapGrowthMb: (after - before) / 1e6 };
}

/**
 * A module loaded afresh, with every file of its package: a second instance of an SDK, with functions
 * (and so JIT state) of its own, for an instrumentation to patch while another instance stays bare.
 */
function freshRequire(name) {
  const { sep } = require('node:path');
  const dir = `${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`;
  for (const file of Object.keys(require.cache)) if (file.includes(dir)) delete require.cache[file];
  return require(name);
}

/**
 * Starts a V8 CPU profile of this process; `stop()` writes it to `dir` (as `node --cpu-prof` would)
 * and resolves to the file's path.
 */
async function startProfile(dir) {
  const { Session } = require('node:inspector/promises');
  const { mkdirSync, writeFileSync } = require('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      mkdirSync(dir, { recursive: true });
      const file = require('node:path').join(dir, `CPU.${process.pid}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}

/**
 * Serves the parent's requests in a child. `setup(args, { fetch, telemetry, serverUrl, load })` loads,
 * for each mode, an instance of the SDK its arguments name with `load` (each mode its own instance,
 * patched by its instrumentation or, for `bare`, by none, once for the whole run), makes a client on
 * the given fetch, and resolves to `{ modes: { name: { kind: fn } } }`. Each kind is made once
 * against the mock server to record its response, then replayed.
 */
function serveChild(setup) {
  const { startMockLlmServer } = require('../test/mock-llm-server/dist');
  let modes;
  let telemetry;
  let profile;
  const made = {};
  const handlers = {
    async start({ args, sinkUrl, kinds, only, warmup, cpuProfDir }) {
      telemetry = otlpTelemetry(sinkUrl);
      const replay = replayingFetch();
      const server = await startMockLlmServer();
      const setUp = await setup(args, { fetch: replay.fetch, telemetry, serverUrl: server.url, load: freshRequire });
      modes = {};
      for (const [mode, calls] of Object.entries(setUp.modes)) {
        modes[mode] = {};
        for (const kind of kinds) {
          modes[mode][kind] = () => {
            replay.state.kind = kind;
            return calls[kind]();
          };
        }
      }
      for (const kind of kinds) await modes.bare[kind]();
      await server.close();
      replay.replay();
      for (const mode of Object.keys(modes)) if (only && !only.includes(mode)) delete modes[mode];
      for (const calls of Object.values(modes)) for (const fn of Object.values(calls)) await timeCalls(fn, warmup, telemetry.flushTiming);
      // Profiled from here: the timed calls only, not the loading and warming up before them, which
      // would outweigh them in a profile of the whole process.
      if (cpuProfDir) profile = await startProfile(cpuProfDir);
      return { pid: process.pid, modes: Object.keys(modes) };
    },
    async time({ modes: order, kind, calls: n, slices }) {
      const { figures, calls } = await timeInterleaved(
        order.map((mode) => modes[mode][kind]),
        n,
        slices,
        telemetry.flushTiming,
      );
      for (const mode of order) made[mode] = (made[mode] ?? 0) + calls;
      return figures;
    },
    heap: ({ mode, kind, calls: n, inFlight }) => {
      made[mode] = (made[mode] ?? 0) + n + 500;
      return measureHeap(modes[mode][kind], { calls: n, inFlight, flush: telemetry.flush });
    },
    async finish() {
      await telemetry.flush();
      return { made };
    },
    stopProfile: () => profile?.stop(),
    exit: () => setImmediate(() => process.exit(0)),
  };
  process.on('message', ({ id, type, ...args }) => {
    Promise.resolve()
      .then(() => handlers[type](args))
      .then(
        (result) => process.send({ id, result }),
        (err) => process.send({ id, error: String(err?.stack ?? err) }),
      );
  });
}

// ---------------------------------------------------------------------------------------------------
// In the parent

/** A loopback OTLP/HTTP JSON receiver that counts the spans exported to it, by instrumentation scope. */
async function startOtlpSink() {
  const spans = new Map();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.url.endsWith('/v1/traces')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const rs of body.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? []) spans.set(ss.scope?.name, (spans.get(ss.scope?.name) ?? 0) + (ss.spans?.length ?? 0));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    spans: (scope) => spans.get(scope) ?? 0,
    close: () => new Promise((r) => server.close(r)),
  };
}

/** Starts `file` as a child serving `serveChild`, with a promise-returning `ask(type, args)`. */
function startChild(file, args, execArgv = []) {
  const child = fork(file, args, { execArgv: ['--expose-gc', ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let next = 0;
  child.on('message', ({ id, result, error }) => {
    const p = pending.get(id);
    if (!p) return; // the answer to `exit`, which nobody waits for
    pending.delete(id);
    if (error) p.reject(new Error(`${args.join(' ')}: ${error}`));
    else p.resolve(result);
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`${args.join(' ')} exited with ${code}`));
  });
  return {
    ask: (type, message = {}) =>
      new Promise((resolve, reject) => {
        pending.set(++next, { resolve, reject });
        child.send({ id: next, type, ...message });
      }),
    exit: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || !child.connected) return resolve();
        child.once('exit', resolve);
        child.send({ type: 'exit' });
      }),
  };
}

/**
 * Measures one SDK: a child started from `file` with `args`, whose modes (those its setup names, or
 * only those in `only`, as when profiling one of them) take turns. `rounds` rounds: in each, every kind is timed
 * `repeats` times, each timing making `sizes[kind]` calls in every mode in `slices` slices (by default
 * slices of about one export batch: see slicesOf), the modes
 * taking turns slice by slice in an order that rotates from slice to slice and from timing to timing
 * (see timeInterleaved); a round's figure for a mode is its fastest repeat, which leaves out most of
 * what the machine's other work adds (it only ever adds). Then the heap of each mode after `heapCalls` calls
 * of `heapKind`. `spansOf[mode]` names the instrumentation scope a mode's spans carry: the sink must
 * have received one span per call made in each, or the figures are refused.
 */
async function measureSdk({ file, args, kinds, sizes, rounds, repeats = 3, slices, heapCalls, heapKind, heapInFlight = 8, spansOf, only, cpuProfDir }) {
  const sink = await startOtlpSink();
  const child = startChild(file, args);
  try {
    const started = await child.ask('start', { args, sinkUrl: sink.url, kinds: [...new Set([...kinds, heapKind])], only, warmup: 200, cpuProfDir });
    const modes = started.modes;
    const figures = Object.fromEntries(modes.map((m) => [m, Object.fromEntries(kinds.map((k) => [k, []]))]));
    for (let round = 0; round < rounds; round++) {
      for (const kind of kinds) {
        const fastest = new Map();
        for (let repeat = 0; repeat < repeats; repeat++) {
          const order = modes.map((_, i) => modes[(i + round + repeat) % modes.length]);
          const timed = await child.ask('time', { modes: order, kind, calls: sizes[kind], slices: slices ?? slicesOf(sizes[kind]) });
          order.forEach((mode, i) => {
            if (!fastest.has(mode) || timed[i].cpu < fastest.get(mode).cpu) fastest.set(mode, timed[i]);
          });
        }
        for (const [mode, f] of fastest) figures[mode][kind].push(f);
      }
      process.stderr.write(`${args.join(' ')}: round ${round + 1}/${rounds} done\n`);
    }
    const cpuProfile = await child.ask('stopProfile');
    if (cpuProfile) process.stderr.write(`${args.join(' ')}: CPU profile of the timed calls in ${cpuProfile}\n`);
    const heap = {};
    if (heapCalls > 0) for (const mode of modes) heap[mode] = await child.ask('heap', { mode, kind: heapKind, calls: heapCalls, inFlight: heapInFlight });
    const { made } = await child.ask('finish');
    // One span per call: fewer would flatter the figures (and none would make them meaningless).
    const byScope = new Map();
    for (const mode of modes) if (spansOf[mode]) byScope.set(spansOf[mode], (byScope.get(spansOf[mode]) ?? 0) + (made[mode] ?? 0));
    for (const [scope, calls] of byScope)
      if (sink.spans(scope) < calls) throw new Error(`${args.join(' ')}: ${scope} exported ${sink.spans(scope)} spans for ${calls} calls`);
    return { figures, heap };
  } finally {
    await child.exit();
    await sink.close();
  }
}

/** A mode's overhead over `bare` per round (CPU µs per call), and its median and range over the rounds. */
function overhead(figures, mode, kind) {
  const perRound = figures[mode][kind].map((f, i) => f.cpu - figures.bare[kind][i].cpu);
  return { perRound, median: median(perRound), min: Math.min(...perRound), max: Math.max(...perRound) };
}

/** The ratio of two modes' overheads per round (`mode` / `other`), its median and range. */
function ratio(figures, mode, other, kind) {
  const a = overhead(figures, mode, kind).perRound;
  const b = overhead(figures, other, kind).perRound;
  const perRound = a.map((x, i) => x / b[i]);
  return { perRound, median: median(perRound), min: Math.min(...perRound), max: Math.max(...perRound) };
}

const range = (o, digits = 0) => `${o.median.toFixed(digits)} [${o.min.toFixed(digits)}, ${o.max.toFixed(digits)}]`;

/** The table every instrumentation benchmark prints: CPU µs per call by mode and kind, and the overhead over bare. */
function printTable({ figures, heap }, { title, kinds, labels = {} }) {
  console.log(`${title.padEnd(30)}${kinds.map((k) => (labels[k] ?? k).padEnd(30)).join('')}heap MB (growth)`);
  for (const mode of Object.keys(figures)) {
    const cells = kinds.map((kind) => {
      const cpu = median(figures[mode][kind].map((f) => f.cpu)).toFixed(0);
      return (mode === 'bare' || !figures.bare ? cpu : `${cpu} (+${range(overhead(figures, mode, kind))})`).padEnd(30);
    });
    const h = heap[mode];
    console.log(`  ${mode.padEnd(28)}${cells.join('')}${h ? `${h.heapMb.toFixed(1)} (${h.heapGrowthMb >= 0 ? '+' : ''}${h.heapGrowthMb.toFixed(1)})` : ''}`);
  }
}

/** Prints each mode's overhead over `bare` as a ratio to `other`'s, per round. */
function printRatios(figures, { mode, other, kinds }) {
  console.log(`${mode}'s overhead / ${other}'s, per round: median [min, max]`);
  for (const kind of kinds) {
    const r = ratio(figures, mode, other, kind);
    console.log(`  ${kind.padEnd(11)} ${range(r, 2)}   rounds: ${r.perRound.map((x) => x.toFixed(2)).join(' ')}`);
  }
}

/** The load average, so that figures are quoted with it. */
const loadAverage = () =>
  require('node:os')
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** Runs `main` in the parent, or serves `setup` in a child. */
function benchmark(setup, main) {
  if (process.send) return serveChild(setup);
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

/** The settings every instrumentation benchmark reads from its environment. */
function settings(defaultKinds) {
  const path = require('node:path');
  const env = process.env;
  return {
    rounds: Number(env.BENCH_ROUNDS ?? 7),
    repeats: Number(env.BENCH_REPEATS ?? 3),
    slices: env.BENCH_SLICES ? Number(env.BENCH_SLICES) : undefined,
    calls: Number(env.BENCH_CALLS ?? 1000),
    streamCalls: Number(env.BENCH_STREAM_CALLS ?? Math.ceil(Number(env.BENCH_CALLS ?? 1000) / 2)),
    heapCalls: Number(env.BENCH_HEAP_CALLS ?? 100_000),
    kinds: defaultKinds.filter((k) => !env.BENCH_KINDS || env.BENCH_KINDS.split(',').includes(k)),
    only: env.BENCH_MODES ? env.BENCH_MODES.split(',') : undefined,
    cpuProfDir: env.BENCH_CPU_PROF && path.resolve(env.BENCH_CPU_PROF),
  };
}

module.exports = { benchmark, settings, slicesLabel, attach, measureSdk, printTable, printRatios, ratio, overhead, loadAverage };
