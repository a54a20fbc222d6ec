import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { KEYS_RECHECK_MS } from '../../src/auth/auth.service';
import { type RunningCollector, startCollector } from '../support/app';
import { makeSpans, requestBytes } from '../support/spans';

const execFileAsync = promisify(execFile);
const ADMIN_KEY = 'admin-key-for-tests-0123456789abcdef';
const CHAT = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.usage.input_tokens': 1500,
  'gen_ai.usage.output_tokens': 2000,
};

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function sendTraces(c: RunningCollector, headers: Record<string, string>, resource: Record<string, string> = { 'service.name': 'shop' }) {
  const body = requestBytes(JsonTraceSerializer.serializeRequest(await makeSpans([{ name: 'chat gpt-4o', attributes: CHAT }], resource)));
  return fetch(`${c.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

async function createKey(c: RunningCollector, body: Record<string, unknown>, key = ADMIN_KEY) {
  const res = await fetch(`${c.url}/v1/keys`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...bearer(key) } });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; key: string; role: string; tenant: string | null };
}

async function calls(c: RunningCollector, headers: Record<string, string>, query = '') {
  const res = await fetch(`${c.url}/v1/reports/summary?period=all${query}`, { headers });
  return { status: res.status, body: (await res.json()) as { calls?: number; message?: string } };
}

describe('API keys, roles and tenants', () => {
  let c: RunningCollector;
  beforeEach(async () => {
    c = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY });
  });
  afterEach(() => c.close());

  it('refuses requests without a valid key once keys exist, and accepts the key as Bearer or x-api-key', async () => {
    expect((await calls(c, {})).status).toBe(401);
    expect((await calls(c, bearer('tl_admin_nope_nope'))).status).toBe(401);
    expect((await calls(c, bearer(ADMIN_KEY))).status).toBe(200);
    expect((await calls(c, { 'x-api-key': ADMIN_KEY })).status).toBe(200);
    expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
  });

  it('lets each role do its job and nothing more', async () => {
    const ingest = await createKey(c, { role: 'ingest', tenant: 'acme' });
    const viewer = await createKey(c, { role: 'viewer', tenant: 'acme' });
    expect((await sendTraces(c, bearer(ingest.key))).status).toBe(200);
    expect((await sendTraces(c, bearer(viewer.key))).status).toBe(403);
    expect((await calls(c, bearer(ingest.key))).status).toBe(403);
    expect(await calls(c, bearer(viewer.key))).toMatchObject({ status: 200, body: { calls: 1 } });
    const forbidden = await fetch(`${c.url}/v1/keys`, { headers: bearer(viewer.key) });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ message: expect.stringMatching(/role "viewer"; this endpoint needs admin/) });
  });

  it("never shows one tenant's data to another tenant's key, on every endpoint", async () => {
    const acmeIngest = await createKey(c, { role: 'ingest', tenant: 'acme' });
    const globexViewer = await createKey(c, { role: 'viewer', tenant: 'globex' });
    const globexAdmin = await createKey(c, { role: 'admin', tenant: 'globex' });
    await sendTraces(c, bearer(acmeIngest.key));
    expect(await calls(c, bearer(globexViewer.key))).toMatchObject({ status: 200, body: { calls: 0 } });
    expect((await calls(c, bearer(globexViewer.key), '&tenant=acme')).status).toBe(403);
    const breakdown = await fetch(`${c.url}/v1/reports/breakdown?period=all&by=model&tenant=acme`, { headers: bearer(globexViewer.key) });
    expect(breakdown.status).toBe(403);
    const own = await fetch(`${c.url}/v1/reports/breakdown?period=all&by=model`, { headers: bearer(globexViewer.key) });
    expect(((await own.json()) as { items: unknown[] }).items).toEqual([]);
    // A tenant's admin sees and revokes only its own tenant's keys.
    const listed = (await (await fetch(`${c.url}/v1/keys`, { headers: bearer(globexAdmin.key) })).json()) as { keys: { id: string; tenant: string }[] };
    expect(listed.keys.every((k) => k.tenant === 'globex')).toBe(true);
    expect((await fetch(`${c.url}/v1/keys/${acmeIngest.id}`, { method: 'DELETE', headers: bearer(globexAdmin.key) })).status).toBe(404);
    const cross = await fetch(`${c.url}/v1/keys`, {
      method: 'POST',
      body: JSON.stringify({ role: 'viewer', tenant: 'acme' }),
      headers: { 'content-type': 'application/json', ...bearer(globexAdmin.key) },
    });
    expect(cross.status).toBe(400);
    // The all-tenant admin can look at any tenant.
    expect(await calls(c, bearer(ADMIN_KEY), '&tenant=acme')).toMatchObject({ status: 200, body: { calls: 1 } });
  });

  it("sends an all-tenant ingest key's spans to the tenant their resource names", async () => {
    const collectorKey = await createKey(c, { role: 'ingest' });
    await sendTraces(c, bearer(collectorKey.key), { 'service.name': 'shop', 'tokenledger.tenant': 'initech' });
    await sendTraces(c, bearer(collectorKey.key));
    expect((await calls(c, bearer(ADMIN_KEY), '&tenant=initech')).body.calls).toBe(1);
    expect((await calls(c, bearer(ADMIN_KEY), '&tenant=default')).body.calls).toBe(1);
  });

  it('lists keys without their secrets and stops accepting a revoked key', async () => {
    const viewer = await createKey(c, { role: 'viewer', name: 'finance dashboard' });
    const list = await (await fetch(`${c.url}/v1/keys`, { headers: bearer(ADMIN_KEY) })).text();
    expect(list).toContain('finance dashboard');
    expect(list).not.toContain(viewer.key);
    expect(list).not.toContain('hash');
    expect((await fetch(`${c.url}/v1/keys/${viewer.id}`, { method: 'DELETE', headers: bearer(ADMIN_KEY) })).status).toBe(204);
    expect((await calls(c, bearer(viewer.key))).status).toBe(401);
  });

  it('rejects a bad key request naming the field', async () => {
    const res = await fetch(`${c.url}/v1/keys`, {
      method: 'POST',
      body: JSON.stringify({ role: 'owner' }),
      headers: { 'content-type': 'application/json', ...bearer(ADMIN_KEY) },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ message: 'role must be one of ingest, viewer, metrics, admin' });
  });

  it('creates keys from the command line on the configured store, usable by the running service', async () => {
    const { stdout } = await execFileAsync(
      process.execPath,
      [join(__dirname, '..', '..', 'bin', 'tokenledger.js'), 'keys', 'create', '--role', 'viewer', '--tenant', 'acme'],
      {
        env: { ...process.env, TOKENLEDGER_SQLITE_PATH: c.config.sqlitePath },
      },
    );
    const key = stdout.trim();
    expect(key).toMatch(/^tl_viewer_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect((await calls(c, bearer(key))).status).toBe(200);
  });

  it('refuses a key revoked from the command line within KEYS_RECHECK_MS, though the service had just admitted it', async () => {
    const viewer = await createKey(c, { role: 'viewer' });
    expect((await calls(c, bearer(viewer.key))).status).toBe(200);
    await execFileAsync(process.execPath, [join(__dirname, '..', '..', 'bin', 'tokenledger.js'), 'keys', 'revoke', viewer.id], {
      env: { ...process.env, TOKENLEDGER_SQLITE_PATH: c.config.sqlitePath },
    });
    const revokedAt = Date.now();
    while ((await calls(c, bearer(viewer.key))).status === 200) {
      expect(Date.now() - revokedAt).toBeLessThan(KEYS_RECHECK_MS);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await calls(c, bearer(viewer.key))).status).toBe(401);
  });
});

describe('open mode (no keys at all)', () => {
  it('serves one tenant without keys, on loopback only', async () => {
    const c = await startCollector();
    try {
      expect((await sendTraces(c, {})).status).toBe(200);
      expect((await calls(c, {})).body.calls).toBe(1);
    } finally {
      await c.close();
    }
  });

  it('refuses to start on a non-loopback address and says why', async () => {
    const run = execFileAsync(process.execPath, [join(__dirname, '..', '..', 'dist', 'main.js')], {
      env: { ...process.env, TOKENLEDGER_HOST: '0.0.0.0', TOKENLEDGER_PORT: '0', TOKENLEDGER_SQLITE_PATH: ':memory:' },
    });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/refusing to listen on 0\.0\.0\.0: no API keys are configured/) });
  });

  it('fails at start naming a bad variable', async () => {
    const run = execFileAsync(process.execPath, [join(__dirname, '..', '..', 'dist', 'main.js')], { env: { ...process.env, TOKENLEDGER_PORT: 'eighty' } });
    await expect(run).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/TOKENLEDGER_PORT must be a whole number from 0 to 65535, got "eighty"/),
    });
  });
});
