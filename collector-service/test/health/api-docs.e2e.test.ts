import { type RunningCollector, startCollector } from '../support/app';

type Schema = { $ref?: string; type?: string; required?: string[]; enum?: string[]; properties?: Record<string, Schema>; items?: Schema };
type Operation = { parameters?: { name: string; in: string }[]; requestBody?: { content: Record<string, { schema: Schema }> } };
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

  it('documents the tenant query parameter on the routes that act on a tenant', () => {
    expect(doc.paths['/v1/budgets'].get.parameters).toContainEqual(expect.objectContaining({ name: 'tenant', in: 'query' }));
  });
});
