import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonSpan, jsonTraces } from '../support/otlp-json';
import { type ServiceProcess, startService } from '../support/service-process';
import { GPT_4O_CHAT } from '../support/spans';

jest.setTimeout(180_000);

const GPT_4O_NANOS = 23_750_000n;
const SPANS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const batch = () => jsonTraces(Array.from({ length: SPANS }, () => jsonSpan({ attributes: GPT_4O_CHAT })));
const post = (service: ServiceProcess, body: string) =>
  fetch(`${service.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } }).catch((err: Error) => ({
    status: 0,
    headers: new Headers(),
    err,
  }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(!!socket.end()));
    socket.on('error', () => resolve(false));
  });

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(200)) if (await check()) return;
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

/**
 * A FerretDB of this test's own (the test command builds it and names it in TOKENLEDGER_FERRETDB),
 * killed with SIGKILL while a sender streams batches at the service, and started again on its files.
 */
const ferretdbBinary = process.env.TOKENLEDGER_FERRETDB;
(ferretdbBinary ? describe : describe.skip)('mongo: the MongoDB-wire server is killed mid-ingest', () => {
  let dir: string;
  let ferretdb: ChildProcess | null = null;
  let service: ServiceProcess | null = null;
  afterEach(async () => {
    await service?.stop();
    ferretdb?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After meanwhile, keeps running, reconnects on its own and counts every acknowledged batch once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenledger-mongo-kill-'));
    const port = await freePort();
    const startFerretDb = async () => {
      ferretdb = spawn(ferretdbBinary!, ['-listen', `127.0.0.1:${port}`, '-dir', dir], { stdio: 'ignore' });
      await until('FerretDB listening', () => listening(port), 30_000);
    };
    await startFerretDb();
    service = await startService({ TOKENLEDGER_STORE: 'mongo', MONGODB_URI: `mongodb://127.0.0.1:${port}/tokenledger`, TOKENLEDGER_GRPC_PORT: 'off' });
    const running = service;
    let acknowledged = 0n;
    const sendUntilAcknowledged = async (body: string) => {
      for (let attempt = 0; ; attempt++) {
        const res = await post(running, body);
        if (res.status === 200) return void (acknowledged += BigInt(SPANS));
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
        if (attempt > 100) throw new Error('a batch was never acknowledged');
        await sleep(250);
      }
    };
    for (let i = 0; i < 5; i++) await sendUntilAcknowledged(batch());

    // Killed while a batch is in flight: the sender retries that batch until it is acknowledged.
    const inFlight = batch();
    const answer = post(running, inFlight);
    ferretdb!.kill('SIGKILL');
    await new Promise((resolve) => ferretdb!.once('exit', resolve));
    expect([200, 503]).toContain((await answer).status);

    for (let i = 0; i < 3; i++) {
      const refused = await post(running, batch());
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      const report = await fetch(`${running.url}/v1/reports/summary?period=all`);
      expect(report.status).toBe(503);
      expect(report.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await fetch(`${running.url}/readyz`)).status).toBe(503);
    }
    expect({ exitCode: running.child.exitCode, signal: running.child.signalCode }).toEqual({ exitCode: null, signal: null });

    await startFerretDb();
    await until('the service ready again', async () => (await fetch(`${running.url}/readyz`)).status === 200, 60_000);
    await sendUntilAcknowledged(inFlight);
    for (let i = 0; i < 5; i++) await sendUntilAcknowledged(batch());

    const summary = (await (await fetch(`${running.url}/v1/reports/summary?period=all`)).json()) as { calls: number; totalCostNanos: string };
    expect(summary).toMatchObject({ calls: Number(acknowledged), totalCostNanos: (acknowledged * GPT_4O_NANOS).toString() });
  });
});
