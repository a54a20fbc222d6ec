import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErrorBodyDto } from '../../src/http/error-body.dto';
import { type RunningCollector, startCollector } from '../support/app';
import { rawRequest } from '../support/http';
import { startService } from '../support/service-process';

/** Another address of this machine: a peer that is not 127.0.0.1 or ::1. */
const OTHER_ADDRESS = '127.0.0.2';

async function createAdminKey(c: { url: string }, headers: Record<string, string> = {}): Promise<{ id: string; key: string }> {
  const res = await rawRequest(`${c.url}/v1/keys`, {
    method: 'POST',
    body: JSON.stringify({ role: 'admin' }),
    headers: { 'content-type': 'application/json', ...headers },
  });
  expect(res.status).toBe(201);
  return JSON.parse(res.body) as { id: string; key: string };
}

async function revoke(c: { url: string }, id: string, key: string): Promise<void> {
  expect((await rawRequest(`${c.url}/v1/keys/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } })).status).toBe(204);
}

describe('open mode is decided on every request', () => {
  let c: RunningCollector;
  afterEach(() => c.close());

  it('refuses every address once the last key of a service listening on 0.0.0.0 is revoked', async () => {
    c = await startCollector({ TOKENLEDGER_HOST: '0.0.0.0' });
    const admin = await createAdminKey(c);
    await revoke(c, admin.id, admin.key);
    const list = await rawRequest(`${c.url}/v1/keys`, { localAddress: OTHER_ADDRESS });
    expect(list.status).toBe(401);
    const mint = await rawRequest(`${c.url}/v1/keys`, {
      method: 'POST',
      localAddress: OTHER_ADDRESS,
      body: JSON.stringify({ role: 'admin' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(mint.status).toBe(401);
    // Loopback too: a store that had keys stays keyed until the operator says otherwise.
    const local = await rawRequest(`${c.url}/v1/keys`);
    expect(local.status).toBe(401);
    expect((JSON.parse(local.body) as ErrorBodyDto).message).toMatch(
      /no API key is live.*tokenledger keys create --role admin.*TOKENLEDGER_ALLOW_OPEN_MODE=true/,
    );
  });

  it('serves open mode again after keys only when TOKENLEDGER_ALLOW_OPEN_MODE=true, and then only to loopback', async () => {
    c = await startCollector({ TOKENLEDGER_HOST: '0.0.0.0', TOKENLEDGER_ALLOW_OPEN_MODE: 'true' });
    const admin = await createAdminKey(c);
    await revoke(c, admin.id, admin.key);
    expect((await rawRequest(`${c.url}/v1/keys`)).status).toBe(200);
    const remote = await rawRequest(`${c.url}/v1/keys`, { localAddress: OTHER_ADDRESS });
    expect(remote.status).toBe(401);
    expect((JSON.parse(remote.body) as ErrorBodyDto).message).toMatch(/open mode .*only answers requests from 127\.0\.0\.1 or ::1/);
  });

  it('answers a keyless request from another address with 401 even while no key was ever made', async () => {
    c = await startCollector({ TOKENLEDGER_HOST: '0.0.0.0' });
    expect((await rawRequest(`${c.url}/v1/reports/summary?period=all`)).status).toBe(200);
    expect((await rawRequest(`${c.url}/v1/reports/summary?period=all`, { localAddress: OTHER_ADDRESS })).status).toBe(401);
    // An API key still works from anywhere.
    const admin = await createAdminKey(c);
    expect(
      (await rawRequest(`${c.url}/v1/reports/summary?period=all`, { localAddress: OTHER_ADDRESS, headers: { authorization: `Bearer ${admin.key}` } })).status,
    ).toBe(200);
  });

  it('refuses open-mode requests addressed to another host name, so a rebound DNS name cannot reach it', async () => {
    c = await startCollector();
    const port = new URL(c.url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'localhost']) {
      expect((await rawRequest(`${c.url}/v1/reports/summary?period=all`, { headers: { host } })).status).toBe(200);
    }
    const rebound = await rawRequest(`${c.url}/v1/reports/summary?period=all`, { headers: { host: `attacker.example:${port}` } });
    expect(rebound.status).toBe(401);
    expect((JSON.parse(rebound.body) as ErrorBodyDto).message).toMatch(/addressed to localhost/);
    const config = await rawRequest(`${c.url}/v1/ui/config`, { headers: { host: 'attacker.example' } });
    expect(JSON.parse(config.body)).toMatchObject({ openMode: false });
  });

  it('says in the log when it leaves and enters open mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenledger-open-mode-'));
    const service = await startService({ TOKENLEDGER_SQLITE_PATH: join(dir, 'db.sqlite'), TOKENLEDGER_ALLOW_OPEN_MODE: 'true' });
    c = {
      close: async () => {
        await service.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    } as RunningCollector;
    expect(service.output()).toMatch(/open mode/);
    const admin = await createAdminKey(service);
    await service.waitForOutput(/left open mode: API keys exist/);
    await revoke(service, admin.id, admin.key);
    await service.waitForOutput(/entered open mode: no API key is live/);
  });
});
