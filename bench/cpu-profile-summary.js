// Summarises a V8 CPU profile (`node --cpu-prof`, or BENCH_CPU_PROF=<dir> on an instrumentation
// benchmark) the way a flame graph is read, optionally as the difference to a profile of the bare SDK
// making the same calls (`--base`), per call (`--calls`):
// - own time by package (the leaf frame of each sample);
// - time under each OpenTelemetry entry point: for a sample whose stack, from the leaf up, runs through
//   OpenTelemetry and Node's own code only, the outermost OpenTelemetry frame of that run (so an SDK
//   call made inside `context.with` counts as the SDK's, not as `with`);
// - time under each of tokenledger's own functions (inclusive);
// - own time by function.
// Run: ./run node bench/cpu-profile-summary.js <file.cpuprofile> [--base <bare.cpuprofile>] [--calls N] [--top N]
'use strict';
const { readFileSync } = require('node:fs');

function moduleOf(url) {
  if (!url) return 'V8 / native';
  if (url.startsWith('node:')) return 'node internals';
  const inModules = url.lastIndexOf('/node_modules/');
  if (inModules >= 0) {
    const [scope, name] = url.slice(inModules + '/node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  const ours = /\/(packages|test)\/([^/]+)\//.exec(url);
  if (ours) return ours[1] === 'packages' ? `@tokenledger/${ours[2]}` : `test/${ours[2]}`;
  return url.replace(/^file:\/\//, '').replace(/^.*\/bench\//, 'bench/');
}

const frameName = (f) => `${f.functionName || '(anonymous)'} ${moduleOf(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
const add = (map, key, t) => map.set(key, (map.get(key) ?? 0) + t);

/** The profile's busy time (µs) by package, OpenTelemetry entry point, tokenledger function and leaf function. */
function tally(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Time per sample: the delta to the next sample (V8 records the delta before each sample).
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) add(selfUs, profile.samples[i], profile.timeDeltas[i + 1] ?? 0);
  const t = { busy: 0, byPackage: new Map(), otelEntry: new Map(), ours: new Map(), byFunction: new Map() };
  for (const [id, us] of selfUs) {
    const leaf = byId.get(id).callFrame;
    if (leaf.functionName === '(idle)') continue;
    t.busy += us;
    add(t.byPackage, leaf.functionName.startsWith('(') ? leaf.functionName : moduleOf(leaf.url), us);
    add(t.byFunction, frameName(leaf), us);
    let outermostOtel = null;
    let inOtelRun = true;
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const f = byId.get(n).callFrame;
      const mod = moduleOf(f.url);
      if (inOtelRun) {
        if (mod.startsWith('@opentelemetry/')) outermostOtel = f;
        else if (mod !== 'node internals' && mod !== 'V8 / native') inOtelRun = false;
      }
      if (mod.startsWith('@tokenledger/')) {
        const key = frameName(f);
        if (!seen.has(key)) add(t.ours, key, us);
        seen.add(key);
      }
    }
    if (outermostOtel) add(t.otelEntry, frameName(outermostOtel), us);
  }
  return t;
}

function main(argv) {
  const opts = { top: 20 };
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--base') opts.base = argv[++i];
    else if (argv[i] === '--calls') opts.calls = Number(argv[++i]);
    else if (argv[i] === '--top') opts.top = Number(argv[++i]);
    else files.push(argv[i]);
  }
  if (files.length !== 1) {
    console.error('usage: node bench/cpu-profile-summary.js <file.cpuprofile> [--base <bare.cpuprofile>] [--calls N] [--top N]');
    process.exit(2);
  }
  const t = tally(JSON.parse(readFileSync(files[0], 'utf8')));
  const base = opts.base ? tally(JSON.parse(readFileSync(opts.base, 'utf8'))) : null;
  const unit = opts.calls ? (us) => `${(us / opts.calls).toFixed(2).padStart(8)} µs/call` : (us) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const busy = base ? t.busy - base.busy : t.busy;
  console.log(
    base
      ? `${unit(t.busy)} busy, ${unit(base.busy)} in the base profile: ${unit(busy)} more; figures are differences to the base`
      : `${unit(t.busy)} of CPU samples (idle left out); shares are of that busy time`,
  );
  const print = (title, key) => {
    const rows = new Map(t[key]);
    if (base) {
      for (const [k, v] of base[key]) add(rows, k, -v);
    }
    console.log(`\n${title}`);
    const sorted = [...rows].sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])).slice(0, opts.top);
    for (const [k, us] of sorted) console.log(`  ${((100 * us) / busy).toFixed(1).padStart(6)} %  ${unit(us)}  ${k}`);
  };
  print('Own time by package:', 'byPackage');
  print('Time under each OpenTelemetry entry point (with the Node code it called):', 'otelEntry');
  print("Time under each of tokenledger's functions (inclusive):", 'ours');
  print('Own time by function:', 'byFunction');
}

main(process.argv.slice(2));
