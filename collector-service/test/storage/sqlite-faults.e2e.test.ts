import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningCollector, startCollector } from '../support/app';
import { jsonSpan, jsonTraces } from '../support/otlp-json';
import { startService } from '../support/service-process';
import { mountSmallDisk, type SmallDisk } from '../support/small-disk';
import { GPT_4O_CHAT } from '../support/spans';

// Each case fills, frees and restarts things; on a busy machine that outlasts jest's default.
jest.setTimeout(120_000);

const GPT_4O_NANOS = 23_750_000n;
const batch = (spans: number) =>
  jsonTraces(Array.from({ length: spans }, () => jsonSpan({ attributes: { ...GPT_4O_CHAT, 'user.id': `user-${Math.random()}` } })));
const post = (url: string, body: string) => fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

describe('sqlite: the disk fills', () => {
  let disk: SmallDisk | null;
  let c: RunningCollector | null = null;
  beforeEach(() => {
    disk = mountSmallDisk(8);
    if (!disk) console.warn('sqlite disk-full test: cannot mount a tmpfs here (not root); the case is not run');
  });
  afterEach(async () => {
    await c?.close();
    c = null;
    disk?.unmount();
  });

  it('answers reports exactly (never 500) while a batch cannot be folded, says not ready, and counts every acknowledged span once there is room', async () => {
    if (!disk) return;
    c = await startCollector({ TOKENLEDGER_SQLITE_PATH: join(disk.dir, 'db.sqlite') });
    let acknowledged = 0n;
    let foldFailed = false;
    // Fill the disk right after a batch is acknowledged, before its fold (200 ms later) writes the rollups.
    for (let attempt = 0; attempt < 20 && !foldFailed; attempt++) {
      const res = await post(c.url, batch(50));
      if (res.status === 200) acknowledged += 50n;
      else expect(res.status).toBe(503);
      disk.fill();
      // Readiness folds what waits: with the disk full that fold fails.
      if ((await fetch(`${c.url}/readyz`)).status === 503) {
        foldFailed = true;
        // A report does not wait on the fold: the rollups and the batches not folded yet answer it, exactly.
        const summary = await fetch(`${c.url}/v1/reports/summary?period=all`);
        expect(summary.status).toBe(200);
        expect((await summary.json()) as { calls: number }).toMatchObject({ calls: Number(acknowledged) });
        const check = await fetch(`${c.url}/v1/budgets/check`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
        expect(check.status).not.toBe(500);
      }
      disk.free();
    }
    expect(foldFailed).toBe(true);
    const summary = await fetch(`${c.url}/v1/reports/summary?period=all`);
    expect(summary.status).toBe(200);
    expect((await summary.json()) as { calls: number; totalCostNanos: string }).toMatchObject({
      calls: Number(acknowledged),
      totalCostNanos: (acknowledged * GPT_4O_NANOS).toString(),
    });
    expect((await fetch(`${c.url}/readyz`)).status).toBe(200);
  });
});

describe('sqlite: the store files are made immutable', () => {
  it('keeps the process alive, answering 503, and serves again once they are writable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenledger-immutable-'));
    const path = join(dir, 'db.sqlite');
    const files = [path, `${path}-wal`, `${path}-shm`];
    const chattr = (flag: string) => execFileSync('chattr', [flag, ...files], { stdio: 'pipe' });
    const service = await startService({ TOKENLEDGER_SQLITE_PATH: path, TOKENLEDGER_GRPC_PORT: 'off' });
    let immutable = false;
    try {
      expect((await post(service.url, batch(20))).status).toBe(200);
      try {
        chattr('+i');
        immutable = true;
      } catch (err) {
        console.warn(`sqlite immutable-files test: chattr +i is not possible here (${(err as Error).message.split('\n')[0]}); the case is not run`);
        return;
      }
      for (let i = 0; i < 3; i++) {
        const res = await post(service.url, batch(20));
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      }
      const summary = await fetch(`${service.url}/v1/reports/summary?period=all`);
      expect(summary.status).toBe(503);
      expect(summary.headers.get('retry-after')).toMatch(/^\d+$/);
      const ready = await fetch(`${service.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { reason: string }).reason).toMatch(/cannot be written \(EPERM\)/);
      await new Promise((r) => setTimeout(r, 1000)); // the checkpointer's and folds' timers run meanwhile
      expect(service.child.exitCode).toBeNull();
      expect(service.child.signalCode).toBeNull();
      chattr('-i');
      immutable = false;
      expect((await post(service.url, batch(20))).status).toBe(200);
      expect(((await (await fetch(`${service.url}/v1/reports/summary?period=all`)).json()) as { calls: number }).calls).toBe(40);
    } finally {
      if (immutable) chattr('-i');
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
