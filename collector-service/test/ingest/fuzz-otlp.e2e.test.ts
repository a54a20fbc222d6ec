import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJsonTraces, decodeProtobufTraces } from '../../src/ingest/otlp-decode';
import { ExportTraceServiceRequest } from '../../src/ingest/otlp-schema';
import { type FuzzCase, type FuzzerOptions, fuzzDayMs, jsonCases, protobufCases } from '../support/otlp-fuzz/cases';
import { jsonPacker, type Packer, protobufPacker } from '../support/otlp-fuzz/packs';
import { type FuzzRun, sendFuzzCases } from '../support/otlp-fuzz/send';
import { type ServiceProcess, startService } from '../support/service-process';

/**
 * The seeded fuzzers against the built service on each store: protobuf mutations of real-shaped
 * OTLP requests and structure-aware OTLP/JSON mutations, with valid control requests between them.
 * A failing case is made again by its seed and index: FUZZ_SEED=<seed> FUZZ_FIRST=<index> FUZZ_CASES=1.
 * On sqlite every case is a request of its own. FerretDB stores an acknowledged request some 50 ms
 * apart on a busy 2-core machine whatever it holds, so on mongo the cases the service's decoder reads
 * whole travel up to 50 a request, 4 requests at a time (packs.ts); a pack not acknowledged is sent again case by case.
 * bench/fuzz-otlp.bench.js runs any number on both.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_203);
const CASES = Number(process.env.FUZZ_CASES ?? 20_000);
const MONGO_CASES = Number(process.env.FUZZ_MONGO_CASES ?? CASES);
const FIRST = Number(process.env.FUZZ_FIRST ?? 0);
const encodeProtobuf = (request: unknown) =>
  ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request as Record<string, unknown>)).finish();

interface Fuzzer {
  name: string;
  controlService: string;
  make: (options: FuzzerOptions) => (index: number) => FuzzCase;
  packer: Packer;
}
const FUZZERS: Fuzzer[] = [
  {
    name: 'protobuf mutations',
    controlService: 'fuzz-control-protobuf',
    make: (options) => protobufCases(options, encodeProtobuf),
    packer: protobufPacker(decodeProtobufTraces),
  },
  { name: 'OTLP/JSON structure', controlService: 'fuzz-control-json', make: jsonCases, packer: jsonPacker(decodeJsonTraces) },
];

const mongoUri = process.env.MONGODB_URI;
const STORES: { name: string; cases: number; packed: boolean; env: (dir: string) => Record<string, string> }[] = [
  { name: 'sqlite', cases: CASES, packed: false, env: (dir) => ({ TOKENLEDGER_SQLITE_PATH: join(dir, 'db.sqlite') }) },
  ...(mongoUri
    ? [
        {
          name: 'mongo',
          cases: MONGO_CASES,
          packed: true,
          env: () => {
            const url = new URL(mongoUri);
            url.pathname = `/tokenledger_fuzz_${randomBytes(4).toString('hex')}`;
            return { TOKENLEDGER_STORE: 'mongo', MONGODB_URI: url.toString() };
          },
        },
      ]
    : []),
];

// Both stores get the very same cases: each is made once, for the first store, and kept for the
// next (making them is a good part of the test process's work on a loaded machine).
const dayMs = fuzzDayMs();
const made = new Map<Fuzzer, FuzzCase[]>();
function casesOf(fuzzer: Fuzzer): (index: number) => FuzzCase {
  if (!made.has(fuzzer)) made.set(fuzzer, []);
  const kept = made.get(fuzzer)!;
  let make: ((index: number) => FuzzCase) | undefined;
  return (index) => (kept[index - FIRST] ??= (make ??= fuzzer.make({ seed: SEED, dayMs, controlService: fuzzer.controlService }))(index));
}

const summary = async (service: ServiceProcess, query: string) => {
  const res = await fetch(`${service.url}/v1/reports/summary?period=all${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { calls: number; totalCostNanos: string };
};

describe.each(STORES)('hostile OTLP bodies on $name', ({ cases, packed, env: storeEnv }) => {
  jest.setTimeout(1_800_000);
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-fuzz-'));
  const env = { ...storeEnv(dir), TOKENLEDGER_GRPC_PORT: 'off' };
  const counted = new Map<string, FuzzRun>();
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await startService(env);
  });
  afterAll(async () => {
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(FUZZERS)('answers every case of the $name below 500 (or 503 with Retry-After), keeps running and counts every control span', async (fuzzer) => {
    console.log(`${fuzzer.name}: FUZZ_SEED=${SEED}, cases ${FIRST} to ${FIRST + cases - 1}, spans on ${new Date(dayMs).toISOString()}`);
    const run = await sendFuzzCases(service.url, casesOf(fuzzer), {
      first: FIRST,
      count: cases,
      ...(packed ? { packer: fuzzer.packer, concurrency: 4 } : {}),
    });
    console.log(
      `${fuzzer.name}: ${run.cases} cases in ${(run.ms / 1000).toFixed(1)} s, answers ${JSON.stringify(run.statuses)} (${run.packs.cases} of them in ${run.packs.requests} packs), ${run.controlSpans} control spans`,
    );
    counted.set(fuzzer.controlService, run);

    expect(run.failures.slice(0, 20).map((f) => `FUZZ_SEED=${SEED} ${f}`)).toEqual([]);
    expect({ exitCode: service.child.exitCode, signal: service.child.signalCode }).toEqual({ exitCode: null, signal: null });
    expect(run.controlSpans).toBeGreaterThan(0);
    expect(await summary(service, `&service=${fuzzer.controlService}`)).toMatchObject({ calls: run.controlSpans, totalCostNanos: run.controlNanos.toString() });
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  });

  it('starts again on the same store with the same totals', async () => {
    const before = await summary(service, '');
    await service.stop();
    service = await startService(env);
    expect(await summary(service, '')).toEqual(before);
    for (const [controlService, run] of counted) {
      expect(await summary(service, `&service=${controlService}`)).toMatchObject({ calls: run.controlSpans, totalCostNanos: run.controlNanos.toString() });
    }
  });
});
