// The event loop's long stretches in a V8 CPU profile (`node --cpu-prof`, e.g. BENCH_PROFILE=<dir> on
// reports-under-load.bench.js): runs of samples with no idle between them lasting at least --over
// milliseconds (5 by default). A request that arrives during one waits for the rest of it, so these are
// what a budget check's p99 is made of. Prints how many there were and how long, what they spent their
// time in (inclusive, each function once per sample: the service's own functions, then the leaf
// functions), and the longest of them one by one.
// --last S: only the profile's last S seconds (the loaded phase of reports-under-load.bench.js is the last
// BENCH_SECONDS before the service stops, leaving out its start and seeding).
// Run: ./run node bench/long-tasks.js <file.cpuprofile> [--over 5] [--last 16] [--top 25] [--longest 10]
'use strict';
const { readFileSync } = require('node:fs');

const short = (url) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/collector-service\/dist\//, '')
    .replace(/^.*\/(packages\/[^/]+)\/dist\//, '$1/');
const frameName = (f) => `${f.functionName || '(anonymous)'}${f.url ? ` ${short(f.url)}:${f.lineNumber + 1}` : ''}`;
const isOurs = (f) => /\/collector-service\/dist\/|\/packages\/[^/]+\/dist\//.test(f.url);
const add = (map, key, t) => map.set(key, (map.get(key) ?? 0) + t);
const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);

function stretches(profile, overMs, lastS) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map();
  const stackOf = (id) => {
    let s = stacks.get(id);
    if (!s) {
      s = [];
      for (let n = id; n !== undefined; n = parent.get(n)) s.push(byId.get(n).callFrame);
      stacks.set(id, s);
    }
    return s;
  };
  const found = [];
  const fromUs = lastS ? profile.timeDeltas.reduce((a, b) => a + b, 0) - lastS * 1e6 : 0;
  let current = null;
  let totalUs = 0;
  let busyUs = 0;
  const close = () => {
    if (current && current.us >= overMs * 1000) found.push(current);
    current = null;
  };
  for (let i = 0; i < profile.samples.length; i++) {
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (totalUs + us < fromUs) {
      totalUs += us;
      continue;
    }
    totalUs += us;
    const stack = stackOf(profile.samples[i]);
    if (stack[0].functionName === '(idle)') {
      close();
      continue;
    }
    busyUs += us;
    current ??= { us: 0, ours: new Map(), leaves: new Map(), atUs: totalUs - us };
    current.us += us;
    add(current.leaves, frameName(stack[0]), us);
    const seen = new Set();
    for (const f of stack) {
      if (!isOurs(f) && !f.functionName.startsWith('(garbage')) continue;
      const key = frameName(f);
      if (!seen.has(key)) add(current.ours, key, us);
      seen.add(key);
    }
  }
  close();
  return { found, totalUs: totalUs - fromUs, busyUs };
}

function main(argv) {
  const opts = { over: 5, top: 25, longest: 10, last: 0 };
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) opts[argv[i].slice(2)] = Number(argv[++i]);
    else files.push(argv[i]);
  }
  if (files.length !== 1) {
    console.error('usage: node bench/long-tasks.js <file.cpuprofile> [--over 5] [--last 16] [--top 25] [--longest 10]');
    process.exit(2);
  }
  const { found, totalUs, busyUs } = stretches(JSON.parse(readFileSync(files[0], 'utf8')), opts.over, opts.last);
  const ms = (us) => (us / 1000).toFixed(1);
  const longUs = found.reduce((s, t) => s + t.us, 0);
  const sorted = [...found].sort((a, b) => b.us - a.us);
  const q = (p) => (sorted.length ? ms(sorted[Math.floor((sorted.length - 1) * (1 - p))].us) : '-');
  console.log(
    `${ms(totalUs)} ms profiled, ${ms(busyUs)} ms busy; ${found.length} stretches of ${opts.over} ms or more, ${ms(longUs)} ms in all ` +
      `(median ${q(0.5)} ms, p90 ${q(0.9)} ms, longest ${q(1)} ms)`,
  );
  const ours = new Map();
  const leaves = new Map();
  for (const t of found) {
    for (const [k, us] of t.ours) add(ours, k, us);
    for (const [k, us] of t.leaves) add(leaves, k, us);
  }
  console.log(`\nInside those stretches, the service's functions (inclusive) and garbage collection:`);
  for (const [k, us] of top(ours, opts.top)) console.log(`  ${ms(us).padStart(9)} ms  ${k}`);
  console.log(`\nInside those stretches, leaf functions (own time):`);
  for (const [k, us] of top(leaves, opts.top)) console.log(`  ${ms(us).padStart(9)} ms  ${k}`);
  console.log(`\nThe longest ${opts.longest}:`);
  for (const t of sorted.slice(0, opts.longest)) {
    console.log(`  ${ms(t.us)} ms at ${(t.atUs / 1e6).toFixed(2)} s into the profile:`);
    for (const [k, us] of top(t.ours, 6)) console.log(`    ${ms(us).padStart(7)} ms  ${k}`);
  }
}

main(process.argv.slice(2));
