import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { relayFrom } from '../support/otlp-grpc';
import { type RunningProcess, runProcess } from '../support/run-process';
import { MAIN } from '../support/service-process';

jest.setTimeout(90_000);

/** The built service as a person starts it, its output read from a pipe (not a terminal). */
function start(dir: string, env: Record<string, string>): RunningProcess {
  return runProcess(process.execPath, [MAIN], {
    env: { ...process.env, TOKENLEDGER_SQLITE_PATH: join(dir, 'store.sqlite'), TOKENLEDGER_PORT: '0', TOKENLEDGER_GRPC_PORT: 'off', ...env },
  });
}

function lines(output: string): string[] {
  return output.split('\n').filter((line) => line.trim() !== '');
}

/** A port nothing listens on (yet). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A port something else holds. */
function occupiedPort(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('the service’s start-up, read from its output', () => {
  let dir: string;
  let service: RunningProcess | null = null;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tokenledger-startup-'));
  });
  afterEach(async () => {
    await service?.stop();
    service = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('says it listens in one line, without colour codes or the route table, when its output is not a terminal', async () => {
    service = start(dir, {});
    await service.listening();
    const out = lines(service.output());
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/ LOG \[Collector\] listening on http:\/\/127\.0\.0\.1:\d+ \(store: sqlite .*store\.sqlite\)/);
    expect(service.output()).not.toMatch(/\x1b\[/);
  });

  it('shows the route table at TOKENLEDGER_LOG_LEVEL=debug', async () => {
    service = start(dir, { TOKENLEDGER_LOG_LEVEL: 'debug' });
    await service.listening();
    expect(service.output()).toMatch(/DEBUG \[RouterExplorer\] Mapped \{\/v1\/traces, POST\} route/);
  });

  it('writes one JSON object per line with TOKENLEDGER_LOG_FORMAT=json', async () => {
    service = start(dir, { TOKENLEDGER_LOG_FORMAT: 'json', TOKENLEDGER_LOG_LEVEL: 'debug' });
    await service.listening();
    const entries = lines(service.output()).map((line) => JSON.parse(line) as { level: string; message: string; context: string });
    expect(entries.length).toBeGreaterThan(10);
    expect(entries.at(-1)).toMatchObject({ level: 'log', context: 'Collector', message: expect.stringMatching(/^listening on http:\/\/127\.0\.0\.1:\d+/) });
  });

  describe('a failure is one line naming what is wrong and what to do, with exit code 1 and no stack trace', () => {
    async function failure(env: Record<string, string>): Promise<{ code: number | null; line: string }> {
      service = start(dir, env);
      const code = await service.exited();
      const out = lines(service.output());
      expect(out).toHaveLength(1);
      expect(service.output()).not.toMatch(/^\s+at /m);
      expect(service.output()).not.toMatch(/successfully started|listening on/);
      return { code, line: out[0] };
    }

    it('a port in use, found before anything else starts', async () => {
      const holder = await occupiedPort();
      try {
        const port = (holder.address() as { port: number }).port;
        const { code, line } = await failure({ TOKENLEDGER_PORT: String(port) });
        expect(code).toBe(1);
        expect(line).toContain(
          `ERROR [Collector] cannot listen on 127.0.0.1:${port}: the port is in use by another process; stop it, or set TOKENLEDGER_PORT to a free port`,
        );
      } finally {
        holder.close();
      }
    });

    it('an OTLP/gRPC port in use', async () => {
      const holder = await occupiedPort();
      try {
        const port = (holder.address() as { port: number }).port;
        const { code, line } = await failure({ TOKENLEDGER_GRPC_PORT: String(port) });
        expect(code).toBe(1);
        expect(line).toMatch(
          new RegExp(
            `ERROR \\[Collector\\] cannot listen for OTLP/gRPC on 127\\.0\\.0\\.1:${port} \\(TOKENLEDGER_GRPC_PORT\\): .*EADDRINUSE.*; choose a free port, or set TOKENLEDGER_GRPC_PORT=off$`,
          ),
        );
      } finally {
        holder.close();
      }
    });

    it('an SQLite path that cannot be opened', async () => {
      writeFileSync(join(dir, 'a-file'), '');
      const path = join(dir, 'a-file', 'store.sqlite');
      const { code, line } = await failure({ TOKENLEDGER_SQLITE_PATH: path });
      expect(code).toBe(1);
      expect(line).toContain(`cannot open the SQLite store at ${path}: `);
      expect(line).toMatch(/or set TOKENLEDGER_DATA_DIR or TOKENLEDGER_SQLITE_PATH$/);
    });

    it('a price file with an error, by file and line', async () => {
      const file = join(dir, 'prices.yaml');
      writeFileSync(file, 'version: 1\nprices:\n  - provider: openai\n    model: [\n');
      const { code, line } = await failure({ TOKENLEDGER_PRICES_FILE: file });
      expect(code).toBe(1);
      expect(line).toMatch(new RegExp(`bad price file \\(TOKENLEDGER_PRICES_FILE\\): ${file.replace(/[.]/g, '\\.')}:\\d+: `));
    });

    it('a bad setting (exit code 2: the configuration, not the machine)', async () => {
      const { code, line } = await failure({ TOKENLEDGER_LOG_FORMAT: 'json', TOKENLEDGER_MAX_BODY_BYTES: 'lots' });
      expect(code).toBe(2);
      expect(JSON.parse(line)).toMatchObject({
        level: 'error',
        message: 'bad configuration: TOKENLEDGER_MAX_BODY_BYTES must be a whole number from 1024 to 1073741824, got "lots"',
      });
    });
  });

  it('says at debug when each step of its shutdown starts and ends, so a step that never ends names itself', async () => {
    service = start(dir, { TOKENLEDGER_LOG_LEVEL: 'debug', TOKENLEDGER_GRPC_PORT: '0' });
    await service.listening();
    await service.stop();
    const out = service.output();
    const steps = (state: string) => [...out.matchAll(new RegExp(`DEBUG \\[Shutdown\\] (.+): ${state}$`, 'gm'))].map((m) => m[1]).sort();
    expect(out).toMatch(/DEBUG \[Shutdown\] SIGTERM: shutting down \(exiting anyway after 30 s\)/);
    expect(steps('started')).toEqual(
      expect.arrayContaining([
        'BudgetsService.onModuleDestroy',
        'the HTTP server',
        'OtlpGrpcReceiver.onApplicationShutdown',
        'StorageModule.onApplicationShutdown',
      ]),
    );
    expect(steps('ended after \\d+ ms')).toEqual(steps('started'));
    expect(out).not.toMatch(/did not finish/);
  });

  const mongo = process.env.MONGODB_URI;
  (mongo ? it : it.skip)(
    'waits for a MongoDB that is not up yet: a line per attempt, /readyz 503 saying why, then serves (runs when MONGODB_URI is set)',
    async () => {
      // The database's address, where nothing listens yet; later a relay to the test's FerretDB comes up there.
      const port = await freePort();
      const target = new URL(mongo!);
      const uri = `mongodb://127.0.0.1:${port}/tokenledger_startup_${randomBytes(4).toString('hex')}`;
      const httpPort = await freePort();
      service = start(dir, { TOKENLEDGER_STORE: 'mongo', MONGODB_URI: uri, TOKENLEDGER_PORT: String(httpPort) });
      const url = `http://127.0.0.1:${httpPort}`;

      const attempt = /WARN \[Storage\] cannot reach MongoDB \(mongo mongodb:\/\/127\.0\.0\.1:\d+\/\S+\) at attempt 1: .*; trying again in 1 s/;
      while (!attempt.test(service.output())) {
        if (service.child.exitCode !== null) throw new Error(`exited:\n${service.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/^store: cannot reach MongoDB .* at attempt \d+: /) });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const ingest = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(ingest.status).toBe(503);
      expect(ingest.headers.get('retry-after')).toBe('5');

      const relay = await relayFrom('127.0.0.1', target.host, port);
      try {
        await service.listening();
        expect(service.output()).toMatch(/connected to mongo mongodb:\/\/127\.0\.0\.1:\d+\/\S+ after \d+ attempts/);
        expect((await fetch(`${url}/readyz`)).status).toBe(200);
        expect(service.output()).not.toMatch(/^\s+at /m);
      } finally {
        await service.stop();
        service = null;
        await relay.close();
      }
    },
  );
});
