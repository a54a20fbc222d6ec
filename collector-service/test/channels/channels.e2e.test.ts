import type { CreatedKeyDto } from '../../src/auth/key-answers.dto';
import type { ChannelDto, ChannelListDto } from '../../src/channels/channel.dto';
import type { ErrorBodyDto } from '../../src/http/error-body.dto';
import { type RunningCollector, startCollector } from '../support/app';

const ADMIN_KEY = 'admin-key-for-tests-0123456789abcdef';
const SECRET = 'whsec-0123456789abcdef';

/** A call to the service as `key`, its JSON answer read as T (null when the body is empty) and as text. */
async function api<T>(c: RunningCollector, method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(`${c.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, body: (text ? JSON.parse(text) : null) as T };
}

async function key(c: RunningCollector, role: string, tenant: string): Promise<string> {
  return (await api<CreatedKeyDto>(c, 'POST', '/v1/keys', ADMIN_KEY, { role, tenant })).body.key;
}

describe('/v1/channels', () => {
  let c: RunningCollector;
  beforeAll(async () => {
    c = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY, TOKENLEDGER_ALERT_INTERVAL_SECONDS: '0' });
  });
  afterAll(() => c.close());

  it('creates, lists, changes and deletes channels, never returning a secret', async () => {
    const created = await api<ChannelDto>(c, 'POST', '/v1/channels?tenant=crud', ADMIN_KEY, {
      type: 'webhook',
      name: 'ops hook',
      url: 'https://hooks.example.com/tl',
      secret: SECRET,
      default: true,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^ch_/),
      type: 'webhook',
      name: 'ops hook',
      url: 'https://hooks.example.com/tl',
      hasSecret: true,
      default: true,
    });
    const slack = await api<ChannelDto>(c, 'POST', '/v1/channels?tenant=crud', ADMIN_KEY, {
      type: 'slack',
      name: 'finance',
      url: 'https://hooks.slack.com/services/T0/B0/s3cr3tToken',
    });
    const email = await api<ChannelDto>(c, 'POST', '/v1/channels?tenant=crud', ADMIN_KEY, {
      type: 'email',
      name: 'cfo',
      url: 'smtps://mailer:p4ssw0rd@smtp.example.com:465',
      to: 'cfo@example.com',
    });
    expect(email.body.to).toEqual(['cfo@example.com']);
    const list = await api<ChannelListDto>(c, 'GET', '/v1/channels?tenant=crud', ADMIN_KEY);
    expect(list.body.channels.map((ch) => ch.name)).toEqual(['ops hook', 'finance', 'cfo']);
    // A Slack URL is its credential and an SMTP URL may hold a password: neither is shown.
    for (const text of [created.text, slack.text, email.text, list.text]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('s3cr3tToken');
      expect(text).not.toContain('p4ssw0rd');
    }
    const patched = await api<ChannelDto>(c, 'PATCH', `/v1/channels/${created.body.id}?tenant=crud`, ADMIN_KEY, { name: 'sre hook', default: false });
    expect(patched.body).toMatchObject({ name: 'sre hook', default: false, hasSecret: true });
    expect((await api<ChannelDto>(c, 'GET', `/v1/channels/${created.body.id}?tenant=crud`, ADMIN_KEY)).body.name).toBe('sre hook');
    expect((await api(c, 'DELETE', `/v1/channels/${created.body.id}?tenant=crud`, ADMIN_KEY)).status).toBe(204);
    expect((await api<ChannelDto>(c, 'GET', `/v1/channels/${created.body.id}?tenant=crud`, ADMIN_KEY)).status).toBe(404);
    expect((await api(c, 'DELETE', `/v1/channels/${created.body.id}?tenant=crud`, ADMIN_KEY)).status).toBe(404);
  });

  it.each([
    [{ name: 'x', url: 'https://a.example' }, 'type'],
    [{ type: 'pager', name: 'x', url: 'https://a.example' }, 'type'],
    [{ type: 'webhook', url: 'https://a.example', secret: SECRET }, 'name'],
    [{ type: 'webhook', name: 'x', secret: SECRET }, 'url'],
    [{ type: 'webhook', name: 'x', url: 'ftp://a.example', secret: SECRET }, 'url'],
    [{ type: 'webhook', name: 'x', url: 'https://a.example' }, 'secret'],
    [{ type: 'webhook', name: 'x', url: 'https://a.example', secret: 'short' }, 'secret'],
    [{ type: 'email', name: 'x', url: 'smtp://mail.example' }, 'to'],
    [{ type: 'email', name: 'x', url: 'smtp://mail.example', to: ['not-an-address'] }, 'to'],
    [{ type: 'email', name: 'x', url: 'https://mail.example', to: 'a@b.example' }, 'url'],
    [{ type: 'slack', name: 'x', url: 'https://hooks.slack.com/x', to: 'a@b.example' }, 'to'],
    [{ type: 'slack', name: 'x', url: 'https://hooks.slack.com/x', default: 'yes' }, 'default'],
    [{ type: 'slack', name: 'x', url: 'https://hooks.slack.com/x', colour: 'red' }, 'colour'],
  ])('refuses %j with a 400 naming %s', async (body, field) => {
    const res = await api<ErrorBodyDto>(c, 'POST', '/v1/channels', ADMIN_KEY, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field, message: expect.stringContaining(field) });
  });

  it('refuses to change a channel into another type', async () => {
    const created = await api<ChannelDto>(c, 'POST', '/v1/channels', ADMIN_KEY, { type: 'alertmanager', name: 'am', url: 'http://alertmanager:9093' });
    const res = await api<ErrorBodyDto>(c, 'PATCH', `/v1/channels/${created.body.id}`, ADMIN_KEY, { type: 'slack' });
    expect(res).toMatchObject({ status: 400, body: { field: 'type' } });
  });

  it("keeps tenants apart: another tenant's key neither sees nor changes a channel", async () => {
    const acmeAdmin = await key(c, 'admin', 'acme');
    const globexAdmin = await key(c, 'admin', 'globex');
    const globexViewer = await key(c, 'viewer', 'globex');
    const created = await api<ChannelDto>(c, 'POST', '/v1/channels', acmeAdmin, {
      type: 'slack',
      name: 'acme finance',
      url: 'https://hooks.slack.com/services/A',
    });
    expect(created.status).toBe(201);
    expect((await api<ChannelListDto>(c, 'GET', '/v1/channels', globexAdmin)).body.channels).toEqual([]);
    expect((await api<ChannelDto>(c, 'GET', `/v1/channels/${created.body.id}`, globexAdmin)).status).toBe(404);
    expect((await api<ChannelDto>(c, 'PATCH', `/v1/channels/${created.body.id}`, globexAdmin, { name: 'stolen' })).status).toBe(404);
    expect((await api(c, 'DELETE', `/v1/channels/${created.body.id}`, globexAdmin)).status).toBe(404);
    expect((await api<ChannelListDto>(c, 'GET', '/v1/channels?tenant=acme', globexAdmin)).status).toBe(403);
    // Viewers read, only admins write.
    expect((await api<ChannelDto>(c, 'POST', '/v1/channels', globexViewer, { type: 'slack', name: 'x', url: 'https://hooks.slack.com/x' })).status).toBe(403);
    expect((await api<ChannelListDto>(c, 'GET', '/v1/channels', globexViewer)).status).toBe(200);
    expect((await api<ChannelDto>(c, 'GET', `/v1/channels/${created.body.id}`, acmeAdmin)).body.name).toBe('acme finance');
  });
});
