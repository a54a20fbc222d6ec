import type { CallController } from '../../src/reports/call.controller';
import type { ErrorBodyDto } from '../../src/http/error-body.dto';
import { type RunningCollector, startCollector } from '../support/app';
import { type AnswerOf, json, type ReportAnswer } from '../support/json';
import { CLAUDE_CACHED_CHAT, GPT_4O_CHAT, otlpProtobufBody } from '../support/spans';

const ADMIN = 'call-view-test-admin-key-0123456789';
const JAEGER = 'http://jaeger.example:16686/';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('one call by id', () => {
  let c: RunningCollector;
  /** A GET with the admin key (or `key`), its JSON answer read as T. */
  const get = async <T>(path: string, key = ADMIN) => {
    const res = await fetch(`${c.url}${path}`, { headers: bearer(key) });
    return { status: res.status, body: await json<T>(res) };
  };
  type Call = AnswerOf<CallController['call']>;
  const createKey = async (body: Record<string, unknown>) =>
    (
      (await (
        await fetch(`${c.url}/v1/keys`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(ADMIN) }, body: JSON.stringify(body) })
      ).json()) as { key: string }
    ).key;
  const send = async (key: string, tenant: string, attributes: Record<string, string | number>) => {
    const body = await otlpProtobufBody(
      [{ name: 'chat', attributes: { ...attributes, 'gen_ai.conversation.id': `conv-${tenant}`, 'tokenledger.feature': 'search' } }],
      { 'service.name': 'shop', 'tokenledger.tenant': tenant },
    );
    const res = await fetch(`${c.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', ...bearer(key) }, body });
    expect(res.status).toBe(200);
  };
  /** The one call of a tenant as the usage listing shows it. */
  const listed = async (tenant: string) => (await get<ReportAnswer<'usage'>>(`/v1/reports/usage?period=all&tenant=${tenant}`)).body.records[0];

  beforeAll(async () => {
    c = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN, TOKENLEDGER_JAEGER_URL: JAEGER });
    const ingest = await createKey({ role: 'ingest' });
    await send(ingest, 'default', GPT_4O_CHAT);
    await send(ingest, 'acme', CLAUDE_CACHED_CHAT);
  });
  afterAll(() => c.close());

  it('answers with the record exactly as the usage listing shows it: tokens, unit prices, price source and version, cost, attribution and trace link', async () => {
    const row = await listed('acme');
    const { status, body } = await get<Call>(`/v1/reports/usage/${row.id}?tenant=acme`);
    expect(status).toBe(200);
    expect(body).toEqual(row);
    expect(body).toMatchObject({
      model: 'claude-3-5-sonnet-20241022',
      tokens: { input: 1500, output: 2000, cacheRead: 1000, cacheWrite: 200 },
      costNanos: '31950000',
      costUsd: '0.031950000',
      unitPrices: { input_tokens: '0.000003', cache_read_tokens: '0.0000003', cache_write_tokens: '0.00000375', output_tokens: '0.000015' },
      priceSource: expect.stringMatching(/^(catalog|supplemental):/),
      priceBookVersion: expect.stringMatching(/^pb-/),
      user: 'bob',
      conversation: 'conv-acme',
      feature: 'search',
      service: 'shop',
      traceUrl: `${JAEGER}trace/${row.traceId}`,
    });
  });

  it("never finds another tenant's call: 404 for a key of one tenant, 403 when it names the other tenant", async () => {
    const acmeCall = (await listed('acme')).id;
    const defaultViewer = await createKey({ role: 'viewer', tenant: 'default' });
    expect((await get(`/v1/reports/usage/${acmeCall}`, defaultViewer)).status).toBe(404);
    expect((await get(`/v1/reports/usage/${acmeCall}?tenant=acme`, defaultViewer)).status).toBe(403);
    // A key of every tenant finds it only under its tenant.
    expect((await get(`/v1/reports/usage/${acmeCall}`)).status).toBe(404);
    const acmeViewer = await createKey({ role: 'viewer', tenant: 'acme' });
    expect((await get<Call>(`/v1/reports/usage/${acmeCall.toUpperCase()}`, acmeViewer)).body.id).toBe(acmeCall);
  });

  it('says what is wrong with an id that is not one, and what to do about one it does not know', async () => {
    const bad = await get<ErrorBodyDto>('/v1/reports/usage/not-an-id');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ parameter: 'id', message: expect.stringContaining('48 hex characters') });
    const missing = await get<ErrorBodyDto>(`/v1/reports/usage/${'ab'.repeat(24)}`);
    expect(missing.status).toBe(404);
    expect(missing.body.message).toContain('GET /v1/reports/usage');
  });

  it('needs a reader: an ingest key is refused', async () => {
    const row = await listed('default');
    expect((await get(`/v1/reports/usage/${row.id}`, await createKey({ role: 'ingest' }))).status).toBe(403);
  });

  it('is documented in /docs with its id and tenant parameters', async () => {
    const doc = (await (await fetch(`${c.url}/docs-json`)).json()) as {
      paths: Record<string, { get?: { parameters?: { name: string; in: string }[]; responses?: Record<string, unknown> } }>;
    };
    const op = doc.paths['/v1/reports/usage/{id}']?.get;
    expect(op?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['path:id', 'query:tenant']));
    expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '404']));
  });
});
