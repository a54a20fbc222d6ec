import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { opsTool, REPO_ROOT, run } from './ops-tools';

const CONFIG = join(REPO_ROOT, 'otel-collector.yaml');
const OTLP_AUTH = join(REPO_ROOT, 'dashboards', 'otel-collector', 'otlp-auth.yaml');
const MANIFEST = join(REPO_ROOT, 'test', 'stack', 'otelcol-builder.yaml');

describe('otel-collector.yaml', () => {
  it('is accepted by a Collector built from the manifest in the repository', () => {
    run(opsTool('TOKENLEDGER_OTELCOL'), ['validate', `--config=${CONFIG}`], { env: { TOKENLEDGER_INGEST_KEY: 'test-key' } });
  });

  it('uses exactly the components the builder manifest holds', () => {
    const manifest = readFileSync(MANIFEST, 'utf8');
    const built = new Set([...manifest.matchAll(/\/(\w+)(?:receiver|processor|exporter) v/g)].map((m) => m[1]));
    const config = readFileSync(CONFIG, 'utf8');
    const section = (name: string) => config.split(/^(?=\w)/m).find((s) => s.startsWith(`${name}:`)) ?? '';
    const used = new Set(
      ['receivers', 'processors', 'exporters'].flatMap((name) => [...section(name).matchAll(/^ {2}(\w+)(?:\/[\w-]+)?:/gm)].map((m) => m[1].replace(/_/g, ''))),
    );
    expect([...used].sort()).toEqual([...built].sort());
  });

  it('sends traces to the collector service replicas over OTLP/gRPC with the ingest key as a Bearer token', () => {
    const config = readFileSync(CONFIG, 'utf8');
    expect(config).toMatch(/hostnames: \$\{env:TOKENLEDGER_GRPC_ENDPOINTS:-\[collector-service:4317, collector-service-2:4317\]\}/);
    expect(config).toContain('authorization: "Bearer ${env:TOKENLEDGER_INGEST_KEY}"');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('dashboards/otel-collector/otlp-auth.yaml', () => {
  it('is accepted with otel-collector.yaml, and refused without TOKENLEDGER_OTLP_TOKEN', () => {
    run(opsTool('TOKENLEDGER_OTELCOL'), ['validate', `--config=${CONFIG}`, `--config=${OTLP_AUTH}`], {
      env: { TOKENLEDGER_INGEST_KEY: 'k', TOKENLEDGER_OTLP_TOKEN: 'a-token' },
    });
    expect(() =>
      run(opsTool('TOKENLEDGER_OTELCOL'), ['validate', `--config=${CONFIG}`, `--config=${OTLP_AUTH}`], {
        env: { TOKENLEDGER_INGEST_KEY: 'k', TOKENLEDGER_OTLP_TOKEN: '' },
      }),
    ).toThrow(/bearertokenauth\/otlp: no bearer token provided/);
  });

  describe('on a running Collector', () => {
    const TOKEN = 'otlp-token-for-the-test-0123456789';
    let collector: ChildProcess;
    let otlpHttp: string;
    let log = '';
    beforeAll(async () => {
      const [http, grpc, telemetry, nowhere] = [await freePort(), await freePort(), await freePort(), await freePort()];
      otlpHttp = `http://127.0.0.1:${http}`;
      collector = spawn(opsTool('TOKENLEDGER_OTELCOL'), [`--config=${CONFIG}`, `--config=${OTLP_AUTH}`], {
        env: {
          ...process.env,
          TOKENLEDGER_OTLP_TOKEN: TOKEN,
          TOKENLEDGER_INGEST_KEY: 'k',
          OTELCOL_OTLP_HTTP_ENDPOINT: `127.0.0.1:${http}`,
          OTELCOL_OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpc}`,
          OTELCOL_TELEMETRY_HOST: '127.0.0.1',
          OTELCOL_TELEMETRY_PORT: String(telemetry),
          // Nothing listens there: what the receivers answer does not depend on the exporters.
          JAEGER_OTLP_GRPC_ENDPOINT: `127.0.0.1:${nowhere}`,
          TOKENLEDGER_TRACES_ENDPOINT: `http://127.0.0.1:${nowhere}/v1/traces`,
          PROMETHEUS_OTLP_METRICS_ENDPOINT: `http://127.0.0.1:${nowhere}/api/v1/otlp/v1/metrics`,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      collector.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
      collector.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
      for (let i = 0; i < 150; i++) {
        if (collector.exitCode !== null) throw new Error(`the Collector exited:\n${log}`);
        if (
          await fetch(`${otlpHttp}/v1/traces`, { method: 'POST' }).then(
            () => true,
            () => false,
          )
        )
          return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`the Collector's OTLP/HTTP receiver never answered:\n${log}`);
    }, 60_000);
    afterAll(() => collector?.kill('SIGTERM'));

    const send = (headers: Record<string, string>) =>
      fetch(`${otlpHttp}/v1/traces`, {
        method: 'POST',
        body: JSON.stringify({ resourceSpans: [] }),
        headers: { 'content-type': 'application/json', ...headers },
      });

    it('refuses OTLP without the token, or with another one', async () => {
      expect((await send({})).status).toBe(401);
      expect((await send({ authorization: 'Bearer not-the-token' })).status).toBe(401);
    });

    it('takes OTLP that carries the token as a Bearer token', async () => {
      expect((await send({ authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    });
  });
});
