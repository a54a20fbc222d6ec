import { type RunningCollector, startCollector } from '../support/app';

type Schema = { $ref?: string; type?: string; format?: string; required?: string[]; enum?: string[]; properties?: Record<string, Schema>; items?: Schema };
type Content = Record<string, { schema: Schema }>;
type Operation = {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Content };
  responses: Record<string, { content?: Content }>;
  security?: unknown[];
};
type OpenApi = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

describe('the OpenAPI document', () => {
  let c: RunningCollector;
  let doc: OpenApi;
  beforeAll(async () => {
    c = await startCollector();
    doc = (await (await fetch(`${c.url}/docs-json`)).json()) as OpenApi;
  });
  afterAll(() => c.close());

  /** The component schema a JSON request body refers to. */
  const bodyOf = (path: string, method: string): Schema => {
    const ref = doc.paths[path][method].requestBody?.content['application/json'].schema.$ref ?? '';
    return doc.components.schemas[ref.replace('#/components/schemas/', '')];
  };

  it('describes a new budget with its fields, the required ones and the allowed values', () => {
    const create = bodyOf('/v1/budgets', 'post');
    expect(create.required?.sort()).toEqual(['limitUsd', 'name', 'period']);
    expect(create.properties?.period.enum).toEqual(['day', 'week', 'month']);
    expect(Object.keys(create.properties ?? {})).toEqual(expect.arrayContaining(['scope', 'timezone', 'thresholds', 'action', 'channels']));
    expect(bodyOf('/v1/budgets/{id}', 'patch').required ?? []).toEqual([]);
    expect(Object.keys(bodyOf('/v1/budgets/check', 'post').properties ?? {})).toEqual(expect.arrayContaining(['user', 'model', 'tags', 'tenant']));
  });

  it("describes a provider's admin key body: the key required, the base URL optional", () => {
    const body = bodyOf('/v1/provider-bills/keys/{provider}', 'put');
    expect(body.required).toEqual(['key']);
    expect(Object.keys(body.properties ?? {}).sort()).toEqual(['baseUrl', 'key']);
  });

  /** The component schema a response refers to. */
  const responseOf = (path: string, method: string, status: string): Schema | undefined => {
    const ref = doc.paths[path][method].responses[status]?.content?.['application/json'].schema.$ref ?? '';
    return doc.components.schemas[ref.replace('#/components/schemas/', '')];
  };

  it('documents the 401, 403 and 503 of every route that needs a key with the one error body', () => {
    const keyed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
    const withKey = keyed.filter(({ op }) => op.security !== undefined);
    expect(withKey.length).toBeGreaterThan(30);
    expect(doc.components.schemas.ErrorBodyDto?.properties).toBeDefined();
    for (const { path, method } of withKey)
      for (const status of ['401', '403', '503'])
        expect({ route: `${method} ${path}`, status, body: responseOf(path, method, status) }).toEqual(
          expect.objectContaining({ body: doc.components.schemas.ErrorBodyDto }),
        );
  });

  it('documents the error body as it is answered: a 400 names the field, the documented properties cover every key', async () => {
    expect(responseOf('/v1/budgets', 'post', '400')).toBe(doc.components.schemas.ErrorBodyDto);
    const res = await fetch(`${c.url}/v1/budgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', period: 'year', limitUsd: '1' }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.field).toBe('period');
    const documented = doc.components.schemas.ErrorBodyDto;
    expect(Object.keys(documented.properties ?? {})).toEqual(expect.arrayContaining(Object.keys(body)));
    expect(documented.required?.sort()).toEqual(['error', 'message', 'statusCode']);
  });

  it('describes a channel: the new one by its type and name, the answer without its secret', () => {
    const create = bodyOf('/v1/channels', 'post');
    expect(create.required?.sort()).toEqual(['name', 'type']);
    expect(create.properties?.type.enum).toEqual(['webhook', 'slack', 'email', 'alertmanager']);
    expect(bodyOf('/v1/channels/{id}', 'patch').required ?? []).toEqual([]);
    const answered = responseOf('/v1/channels/{id}', 'get', '200');
    expect(Object.keys(answered?.properties ?? {})).toEqual(expect.arrayContaining(['id', 'url', 'hasSecret', 'default']));
    expect(Object.keys(answered?.properties ?? {})).not.toContain('secret');
    expect(responseOf('/v1/channels', 'get', '200')?.properties?.channels.items?.$ref).toBe('#/components/schemas/ChannelDto');
  });

  it('describes an alert rule: the new one by its type, a change by what changes, the answer with its money in nanos and USD', () => {
    const create = bodyOf('/v1/alert-rules', 'post');
    expect(create.required).toEqual(['type']);
    expect(create.properties?.type.enum).toContain('budget_exhaustion');
    expect(Object.keys(bodyOf('/v1/alert-rules/{id}', 'patch').properties ?? {})).toEqual(expect.arrayContaining(['thresholdUsd', 'percent', 'enabled']));
    expect(Object.keys(responseOf('/v1/alert-rules/{id}', 'get', '200')?.properties ?? {})).toEqual(expect.arrayContaining(['thresholdNanos', 'thresholdUsd']));
  });

  it('documents a budget, its status and a check as they are answered: every key the answer has', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${c.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = (await (await post('/v1/budgets', { name: 'docs', period: 'day', limitUsd: '1.00' })).json()) as Record<string, unknown>;
    const status = (await (await fetch(`${c.url}/v1/budgets/${String(created.id)}/status`)).json()) as Record<string, unknown>;
    const check = (await (await post('/v1/budgets/check', {})).json()) as { budgets: Record<string, unknown>[] };
    const keysOf = (schema: Schema | undefined) => Object.keys(schema?.properties ?? {}).sort();
    expect(keysOf(responseOf('/v1/budgets', 'post', '201'))).toEqual(Object.keys(created).sort());
    expect(keysOf(responseOf('/v1/budgets/{id}/status', 'get', '200'))).toEqual(expect.arrayContaining(Object.keys(status)));
    expect(keysOf(responseOf('/v1/budgets/check', 'post', '200'))).toEqual(Object.keys(check).sort());
    expect(keysOf(doc.components.schemas.CheckedBudgetDto)).toEqual(Object.keys(check.budgets[0]).sort());
  });

  it('describes an OTLP trace export in both encodings: binary protobuf, and the JSON mapping down to a span and its attributes', () => {
    const content = doc.paths['/v1/traces'].post.requestBody?.content ?? {};
    expect(content['application/x-protobuf'].schema).toEqual(expect.objectContaining({ type: 'string', format: 'binary' }));
    const schema = (name: string) => doc.components.schemas[name];
    const field = (name: string, property: string) => schema(name).properties?.[property];
    expect(content['application/json'].schema.$ref).toBe('#/components/schemas/OtlpTraceRequestDto');
    expect(field('OtlpTraceRequestDto', 'resourceSpans')?.items?.$ref).toBe('#/components/schemas/OtlpResourceSpansDto');
    expect(field('OtlpResourceSpansDto', 'scopeSpans')?.items?.$ref).toBe('#/components/schemas/OtlpScopeSpansDto');
    expect(field('OtlpScopeSpansDto', 'spans')?.items?.$ref).toBe('#/components/schemas/OtlpSpanDto');
    expect(schema('OtlpSpanDto').required?.sort()).toEqual(['attributes', 'endTimeUnixNano', 'name', 'spanId', 'startTimeUnixNano', 'traceId']);
    expect(Object.keys(schema('OtlpAnyValueDto').properties ?? {})).toEqual(expect.arrayContaining(['stringValue', 'intValue', 'doubleValue', 'kvlistValue']));
    expect(doc.paths['/v1/metrics'].post.requestBody?.content['application/json'].schema.$ref).toBe('#/components/schemas/OtlpMetricsRequestDto');
  });

  it('documents an OTLP answer and its errors as google.rpc.Status in both encodings, as the receiver sends them', async () => {
    const responses = doc.paths['/v1/traces'].post.responses;
    expect(responses['200'].content?.['application/json'].schema.$ref).toBe('#/components/schemas/OtlpTraceResponseDto');
    for (const status of ['400', '413', '415']) {
      expect(responses[status].content?.['application/json'].schema.$ref).toBe('#/components/schemas/OtlpErrorDto');
      expect(responses[status].content?.['application/x-protobuf'].schema.format).toBe('binary');
    }
    const res = await fetch(`${c.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans":7}' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(doc.components.schemas.OtlpErrorDto.properties ?? {}).sort()).toEqual(Object.keys(body).sort());
  });

  it('documents the tenant query parameter on the routes that act on a tenant', () => {
    expect(doc.paths['/v1/budgets'].get.parameters).toContainEqual(expect.objectContaining({ name: 'tenant', in: 'query' }));
  });
});
