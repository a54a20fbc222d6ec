import { type RunningCollector, startCollector } from '../support/app';

describe('health and API docs', () => {
  let c: RunningCollector;
  beforeAll(async () => {
    c = await startCollector();
  });
  afterAll(() => c.close());

  it('answers /healthz and /readyz with the store and the price-book version', async () => {
    expect(await (await fetch(`${c.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${c.url}/readyz`)).json()).toMatchObject({
      status: 'ready',
      store: 'sqlite',
      priceBook: expect.stringMatching(/^pb-[0-9a-f]{16}$/),
    });
  });

  it('serves the OpenAPI document at /docs, with every report and its parameters', async () => {
    const doc = (await (await fetch(`${c.url}/docs-json`)).json()) as { paths: Record<string, { get?: { parameters?: { name: string }[] } }> };
    for (const report of ['summary', 'breakdown', 'timeseries', 'projection', 'trends', 'usage', 'export']) {
      expect(doc.paths).toHaveProperty([`/v1/reports/${report}`]);
    }
    expect(doc.paths['/v1/reports/breakdown'].get!.parameters!.map((p) => p.name)).toEqual(
      expect.arrayContaining(['by', 'limit', 'tz', 'provider', 'from', 'to']),
    );
    expect(doc.paths).toHaveProperty(['/v1/traces']);
    expect(doc.paths).toHaveProperty(['/v1/keys']);
    const ui = await fetch(`${c.url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
  });
});
