import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { type RunningCollector, startCollector } from '../support/app';
import { GPT_4O_CHAT, makeSpans, requestBytes } from '../support/spans';

const ADMIN_KEY = 'tenants-test-admin-key-0123456789abcdef';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('the tenants a key may report on', () => {
  let c: RunningCollector;
  const createKey = async (body: Record<string, unknown>) => {
    const res = await fetch(`${c.url}/v1/keys`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...bearer(ADMIN_KEY) },
    });
    return ((await res.json()) as { key: string }).key;
  };
  const tenants = async (key: string) => {
    const res = await fetch(`${c.url}/v1/tenants`, { headers: bearer(key) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    c = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY });
  });
  afterAll(() => c.close());

  it('lists default and every tenant with data or keys to a key of every tenant, and only its own to a key of one', async () => {
    // Data for "initech" through an all-tenant ingest key naming it on the resource; a key for "globex".
    const ingest = await createKey({ role: 'ingest' });
    const body = requestBytes(
      ProtobufTraceSerializer.serializeRequest(
        await makeSpans([{ name: 'chat', attributes: GPT_4O_CHAT }], { 'service.name': 'shop', 'tokenledger.tenant': 'initech' }),
      ),
    );
    expect((await fetch(`${c.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf', ...bearer(ingest) } })).status).toBe(
      200,
    );
    const globexViewer = await createKey({ role: 'viewer', tenant: 'globex' });
    const everyTenantViewer = await createKey({ role: 'viewer' });
    // The ingested tenant is remembered just after the batch is stored.
    let seen = await tenants(everyTenantViewer);
    for (let i = 0; i < 50 && !(seen.body.tenants as string[]).includes('initech'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      seen = await tenants(everyTenantViewer);
    }
    expect(seen).toEqual({ status: 200, body: { allTenants: true, tenants: ['default', 'globex', 'initech'] } });
    expect(await tenants(ADMIN_KEY)).toEqual(seen);
    expect(await tenants(globexViewer)).toEqual({ status: 200, body: { allTenants: false, tenants: ['globex'] } });
    expect((await tenants(ingest)).status).toBe(403);
    expect((await fetch(`${c.url}/v1/tenants`)).status).toBe(401);
  });
});
