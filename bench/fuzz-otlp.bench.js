// The long run of the test suite's OTLP fuzzers (collector-service/test/ingest/fuzz-otlp.e2e.test.ts):
// protobuf mutations and structure-aware OTLP/JSON cases against the built service on a fresh sqlite
// store (and on MONGODB_URI's server when it is set), with the same assertions: no 5xx but 503 with
// Retry-After, no crash, every control span counted to the nano, the same totals after a restart.
//
//   FUZZ_CASES=200000 ./run node bench/fuzz-otlp.bench.js     (FUZZ_SEED=<n> repeats a run; default: a new seed)
//
// A failing case is made again by itself: FUZZ_SEED=<seed> FUZZ_FIRST=<index> FUZZ_CASES=1.
'use strict';
const { randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { startService } = require('./service');
// The fuzzers' sources import only Node's built-ins, so Node runs them as they are (type stripping).
const { fuzzDayMs, jsonCases, protobufCases } = require('../collector-service/test/support/otlp-fuzz/cases.ts');
const { sendFuzzCases } = require('../collector-service/test/support/otlp-fuzz/send.ts');
const { jsonPacker, protobufPacker } = require('../collector-service/test/support/otlp-fuzz/packs.ts');
const { decodeJsonTraces, decodeProtobufTraces } = require('../collector-service/dist/ingest/otlp-decode');
const { ExportTraceServiceRequest } = require('../collector-service/dist/ingest/otlp-schema');

const CASES = Number(process.env.FUZZ_CASES ?? 200_000);
const FIRST = Number(process.env.FUZZ_FIRST ?? 0);
const SEED = Number(process.env.FUZZ_SEED ?? randomBytes(4).readUInt32LE(0));
const encodeProtobuf = (request) => ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish();

async function summary(url, query) {
  const res = await fetch(`${url}/v1/reports/summary?period=all${query}`);
  if (res.status !== 200) throw new Error(`summary answered ${res.status}: ${await res.text()}`);
  return res.json();
}

async function stop(service) {
  const exited = new Promise((resolve) => service.child.once('exit', resolve));
  service.child.kill('SIGTERM');
  await exited;
}

/** Both fuzzers on one store; the problems found, as lines. `packed`: the cases the decoder reads whole travel in packs (packs.ts). */
async function fuzzStore(name, env, packed) {
  const problems = [];
  const dayMs = fuzzDayMs();
  let service = await startService({ ...env, TOKENLEDGER_GRPC_PORT: 'off' });
  let crashed = null;
  service.child.once('exit', (code, signal) => (crashed = signal ?? code));
  const fuzzers = [
    ['protobuf mutations', 'fuzz-control-protobuf', (options) => protobufCases(options, encodeProtobuf), protobufPacker(decodeProtobufTraces)],
    ['OTLP/JSON structure', 'fuzz-control-json', jsonCases, jsonPacker(decodeJsonTraces)],
  ];
  const runs = [];
  for (const [fuzzer, controlService, make, packer] of fuzzers) {
    const run = await sendFuzzCases(service.url, make({ seed: SEED, dayMs, controlService }), {
      first: FIRST,
      count: CASES,
      ...(packed ? { packer, concurrency: 4 } : {}),
    });
    runs.push([controlService, run]);
    console.log(
      `${name}, ${fuzzer}: ${run.cases} cases in ${(run.ms / 1000).toFixed(1)} s (${Math.round(run.cases / (run.ms / 1000))} cases/s), answers ${JSON.stringify(run.statuses)} (${run.packs.cases} of them in ${run.packs.requests} packs), ${run.controlSpans} control spans`,
    );
    for (const failure of run.failures.slice(0, 20)) problems.push(`${name}, ${fuzzer}: FUZZ_SEED=${SEED} ${failure}`);
    if (crashed !== null) {
      problems.push(`${name}: the service exited (${crashed}) during the ${fuzzer} cases`);
      return problems;
    }
  }
  const checkTotals = async (when) => {
    for (const [controlService, run] of runs) {
      const got = await summary(service.url, `&service=${controlService}`);
      if (got.calls !== run.controlSpans || got.totalCostNanos !== run.controlNanos.toString()) {
        problems.push(
          `${name} ${when}: ${controlService} counts ${got.calls} calls, ${got.totalCostNanos} nanos; sent ${run.controlSpans}, ${run.controlNanos}`,
        );
      }
    }
  };
  await checkTotals('after the run');
  const before = await summary(service.url, '');
  service.child.removeAllListeners('exit');
  await stop(service);
  service = await startService({ ...env, TOKENLEDGER_GRPC_PORT: 'off' });
  if (JSON.stringify(await summary(service.url, '')) !== JSON.stringify(before)) problems.push(`${name}: the totals changed across a restart`);
  await checkTotals('after a restart');
  await stop(service);
  return problems;
}

async function main() {
  console.log(`FUZZ_SEED=${SEED}, cases ${FIRST} to ${FIRST + CASES - 1} per fuzzer and store`);
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-fuzz-bench-'));
  const problems = [];
  try {
    problems.push(...(await fuzzStore('sqlite', { TOKENLEDGER_SQLITE_PATH: join(dir, 'db.sqlite') }, false)));
    if (process.env.MONGODB_URI) {
      const url = new URL(process.env.MONGODB_URI);
      url.pathname = `/tokenledger_fuzz_${randomBytes(4).toString('hex')}`;
      problems.push(...(await fuzzStore('mongo', { TOKENLEDGER_STORE: 'mongo', MONGODB_URI: url.toString() }, true)));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const problem of problems) console.error(problem);
  console.log(problems.length === 0 ? 'no problem found' : `${problems.length} problems`);
  process.exit(problems.length === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
