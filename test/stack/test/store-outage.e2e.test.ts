import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status as grpcStatus } from '@grpc/grpc-js';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { grpcExport } from '../../../collector-service/test/support/otlp-grpc';
import { type ServiceProcess, startService } from '../../../collector-service/test/support/service-process';
import { otlpProtobufBody } from '../../../collector-service/test/support/spans';
import { runLoadApp } from './apps';
import { eventually, getJson } from './stack-env';

jest.setTimeout(300_000);

const REPO_ROOT = join(__dirname, '..', '..', '..');
const OUTAGE_MS = 30_000;
const CALLS = 500;
const ADMIN_KEY = `outage-admin-${randomBytes(18).toString('base64url')}`;
const SERVICE = `store-outage-${randomBytes(4).toString('hex')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function program(variable: 'TOKENLEDGER_FERRETDB' | 'TOKENLEDGER_OTELCOL'): string {
  const path = process.env[variable];
  if (!path) throw new Error(`${variable} is not set: run the tests with ./run test (scripts/test-servers/ builds and exports it)`);
  return path;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A program of this test, its output kept for the failure message. */
function run(command: string, args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return { child, output: () => out };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * The production shape on a MongoDB-wire store this test owns (never the test command's shared
 * FerretDB): two collector service replicas behind the shipped otel-collector.yaml, an app sending
 * through it, and the store stopped for 30 s in the middle.
 */
describe('a store outage under load', () => {
  let dir: string;
  let mongoPort: number;
  let ferretdb: ReturnType<typeof run>;
  let replicas: ServiceProcess[];
  let otelcol: ReturnType<typeof run>;
  let mock: MockLlmServer;
  let otlpHttpUrl: string;
  let ingestKey: string;
  const admin = { authorization: `Bearer ${ADMIN_KEY}` };
  const startFerretDb = () => run(program('TOKENLEDGER_FERRETDB'), ['-listen', `127.0.0.1:${mongoPort}`, '-dir', join(dir, 'ferretdb')]);
  const summary = (r: ServiceProcess) => getJson<{ totalCostNanos: string; calls: number }>(`${r.url}/v1/reports/summary?period=all&service=${SERVICE}`, admin);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenledger-outage-'));
    mongoPort = await freePort();
    ferretdb = startFerretDb();
    const store = { TOKENLEDGER_STORE: 'mongo', MONGODB_URI: `mongodb://127.0.0.1:${mongoPort}/tokenledger`, TOKENLEDGER_ADMIN_KEY: ADMIN_KEY };
    replicas = await Promise.all([startService(store), startService(store)]);
    const created = await fetch(`${replicas[0].url}/v1/keys`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'ingest', name: 'otel-collector' }),
    });
    ingestKey = ((await created.json()) as { key: string }).key;

    const [grpc, http, telemetry, nowhere] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    otlpHttpUrl = `http://127.0.0.1:${http}`;
    // Jaeger and Prometheus are not part of this test: their exporters point at a closed port.
    otelcol = run(program('TOKENLEDGER_OTELCOL'), ['--config', join(REPO_ROOT, 'otel-collector.yaml')], {
      OTELCOL_OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpc}`,
      OTELCOL_OTLP_HTTP_ENDPOINT: `127.0.0.1:${http}`,
      OTELCOL_TELEMETRY_HOST: '127.0.0.1',
      OTELCOL_TELEMETRY_PORT: String(telemetry),
      JAEGER_OTLP_GRPC_ENDPOINT: `127.0.0.1:${nowhere}`,
      PROMETHEUS_OTLP_METRICS_ENDPOINT: `http://127.0.0.1:${nowhere}/api/v1/otlp/v1/metrics`,
      TOKENLEDGER_GRPC_ENDPOINTS: `[${replicas.map((r) => r.grpcAddress).join(', ')}]`,
      TOKENLEDGER_INGEST_KEY: ingestKey,
    });
    await eventually('the Collector up', async () => ((await fetch(`http://127.0.0.1:${telemetry}/metrics`)).ok ? true : undefined), 120, 250).catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${otelcol.output()}`);
      },
    );
    mock = await startMockLlmServer();
  });

  afterAll(async () => {
    await mock?.close();
    if (otelcol) await stop(otelcol.child);
    await Promise.all((replicas ?? []).map((r) => r.stop()));
    if (ferretdb) await stop(ferretdb.child);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After and says why on /readyz while the store is down, then loses and doubles nothing', async () => {
    const load = runLoadApp({
      OPENAI_BASE_URL: `${mock.url}/v1`,
      OTEL_SERVICE_NAME: SERVICE,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpHttpUrl,
      CALLS: String(CALLS),
      PAUSE_MS: '60',
    });
    await eventually('the first calls stored', async () => ((await summary(replicas[0])).calls >= 30 ? true : undefined), 240, 100);

    await stop(ferretdb.child);
    const stoppedAt = Date.now();
    const spans = await otlpProtobufBody([
      {
        name: 'chat gpt-4o',
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 1,
          'gen_ai.usage.output_tokens': 1,
        },
      },
    ]);
    let checks = 0;
    while (Date.now() - stoppedAt < OUTAGE_MS) {
      await Promise.all(
        replicas.map(async (replica) => {
          const [http, write, grpc, ready] = await Promise.all([
            // The Collector's own key: checking it needs the store.
            fetch(`${replica.url}/v1/traces`, {
              method: 'POST',
              headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/x-protobuf' },
              body: spans,
            }),
            // The admin key is checked without the store: the write itself fails.
            fetch(`${replica.url}/v1/traces`, { method: 'POST', headers: { ...admin, 'content-type': 'application/x-protobuf' }, body: spans }),
            grpcExport(replica.grpcAddress!, spans, { metadata: { authorization: `Bearer ${ingestKey}` } }),
            fetch(`${replica.url}/readyz`),
          ]);
          for (const refused of [http, write]) {
            expect(refused.status).toBe(503);
            expect(refused.headers.get('retry-after')).toBe('5');
          }
          expect(grpc).toMatchObject({ code: grpcStatus.UNAVAILABLE, retryAfterSeconds: 5 });
          expect(ready.status).toBe(503);
          expect(await ready.json()).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/^store: .+/) });
          expect(replica.child.exitCode).toBeNull();
        }),
      );
      checks++;
      await sleep(2000);
    }
    expect(checks).toBeGreaterThanOrEqual(3);

    ferretdb = startFerretDb();
    // Each replica reconnects on its own.
    for (const replica of replicas) {
      await eventually('the replica ready again', async () => ((await fetch(`${replica.url}/readyz`)).ok ? true : undefined), 120, 250);
    }
    expect(await load).toBe(`done ${CALLS}`);

    const total = await eventually(
      `${CALLS} calls in the report`,
      async () => {
        const s = await summary(replicas[0]);
        return s.calls >= CALLS ? s : undefined;
      },
      240,
    );
    await sleep(5000);
    expect(await summary(replicas[1])).toMatchObject({ calls: CALLS, totalCostNanos: total.totalCostNanos });
    const { records } = await getJson<{ records: { id: string; costNanos: string }[] }>(
      `${replicas[0].url}/v1/reports/usage?period=all&service=${SERVICE}&limit=1000`,
      admin,
    );
    expect(new Set(records.map((r) => r.id)).size).toBe(CALLS);
    expect(records.reduce((sum, r) => sum + BigInt(r.costNanos), 0n).toString()).toBe(total.totalCostNanos);
    // The Collector was refused while the store was away, and retried.
    expect(otelcol.output()).toMatch(/Exporting failed\. Will retry the request after interval.*store is unavailable/);
    for (const replica of replicas) expect(replica.child.exitCode).toBeNull();
  });
});
