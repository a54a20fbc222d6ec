import { type RunningCollector, startCollector } from '../support/app';

const ADMIN_KEY = 'admin-key-for-server-paths-0123456789';

describe('what the dashboard endpoints show of the server', () => {
  let c: RunningCollector;
  beforeAll(async () => {
    c = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY });
  });
  afterAll(() => c.close());

  it('names the price files to a viewer without their absolute paths on the server', async () => {
    const viewer = (
      (await (
        await fetch(`${c.url}/v1/keys`, {
          method: 'POST',
          body: JSON.stringify({ role: 'viewer' }),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
        })
      ).json()) as { key: string }
    ).key;
    const seen = (await (await fetch(`${c.url}/v1/ui/models?period=all`, { headers: { authorization: `Bearer ${viewer}` } })).json()) as {
      priceBook: { supplemental: { path: string } };
    };
    expect(seen.priceBook.supplemental.path).toBe('supplemental.yaml');
    const admin = (await (await fetch(`${c.url}/v1/ui/models?period=all`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as {
      priceBook: { supplemental: { path: string } };
    };
    expect(admin.priceBook.supplemental.path).toMatch(/^\/.*supplemental\.yaml$/);
  });

  it('answers the same 404 for any path out of the dashboard, whether a file is there or not', async () => {
    const answers = await Promise.all(
      ['..%2Fpackage.json', '..%2F..%2Fpackage.json', '..%2Fno-such-file.json', '..%2F..%2F..%2F..%2Fetc%2Fpasswd', 'assets%2F..%2F..%2F..%2Fpackage.json'].map(
        async (path) => {
          const res = await fetch(`${c.url}/dashboard/${path}`);
          return { status: res.status, body: await res.text() };
        },
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404, 404]);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
  });
});
