import { ConfigError, loadConfig } from '../../src/config/config';
import { startHttpReceiver, startSmtpReceiver } from '../channels/receivers';
import type { AlertDto, AlertPageDto } from '../../src/alerts/alert.dto';
import type { CreatedKeyDto } from '../../src/auth/key-answers.dto';
import type { ChannelDto } from '../../src/channels/channel.dto';
import type { ErrorBodyDto } from '../../src/http/error-body.dto';
import { type AlertHarness, api, NOW, startAlertHarness, USD } from './harness';

describe('/v1/alerts and where alerts go', () => {
  let h: AlertHarness;
  beforeEach(async () => {
    h = await startAlertHarness();
  });
  afterEach(() => h.close());

  it('lists alerts by state and read status, and acknowledges one', async () => {
    await h.only('user_daily_cost_above', { thresholdUsd: '1' });
    await h.spend({ user: 'alice', timeMs: NOW - 60_000, costNanos: 2n * USD }, { user: 'bob', timeMs: NOW - 60_000, costNanos: 3n * USD });
    await h.evaluate();
    const all = await h.alerts();
    expect(all.map((a) => a.subject).sort()).toEqual(['user:alice', 'user:bob']);
    expect(all[0]).toMatchObject({
      state: 'firing',
      acknowledged: false,
      periodStart: '2026-11-24T00:00:00.000Z',
      periodEnd: '2026-11-25T00:00:00.000Z',
      deliveries: [expect.objectContaining({ ok: true, channelType: 'webhook' })],
    });
    const alice = all.find((a) => a.subject === 'user:alice')!;
    const acked = await api<AlertDto>(h.c, 'POST', `/v1/alerts/${alice.id}/ack`);
    expect(acked).toMatchObject({ status: 200, body: { id: alice.id, acknowledged: true } });
    expect((await h.alerts('?unreadOnly=true')).map((a) => a.subject)).toEqual(['user:bob']);
    expect(await h.alerts('?state=resolved')).toEqual([]);
    expect(await h.alerts('?state=firing')).toHaveLength(2);
    expect((await api<ErrorBodyDto>(h.c, 'GET', '/v1/alerts?state=open')).body).toMatchObject({ field: 'state' });
    expect((await api(h.c, 'POST', '/v1/alerts/al_nope/ack')).status).toBe(404);
  });

  it('answers an alert with the fields the API document describes', async () => {
    await h.only('user_daily_cost_above', { thresholdUsd: '1' });
    await h.spend({ user: 'alice', timeMs: NOW - 60_000, costNanos: 2n * USD });
    await h.evaluate();
    const [alert] = await h.alerts();
    const doc = (await api<{ components: { schemas: Record<string, { properties: Record<string, unknown> }> } }>(h.c, 'GET', '/docs-json')).body;
    expect(Object.keys(doc.components.schemas.AlertDto.properties).sort()).toEqual(Object.keys(alert).sort());
    expect(Object.keys(doc.components.schemas.AlertDeliveryDto.properties).sort()).toEqual(Object.keys(alert.deliveries[0]).sort());
  });

  /** Seven user alerts fired over five evaluations a minute apart, so some share a firing time. */
  async function sevenAlerts(): Promise<AlertDto[]> {
    await h.only('user_daily_cost_above', { thresholdUsd: '1' });
    const rounds = [['ann', 'bob'], ['cat'], ['dan', 'eve'], ['fay'], ['gus']];
    for (const [i, users] of rounds.entries()) {
      await h.spend(...users.map((user) => ({ user, timeMs: NOW - 60_000, costNanos: 2n * USD })));
      await h.evaluate(NOW + i * 60_000);
    }
    const all = (await api<AlertPageDto>(h.c, 'GET', '/v1/alerts')).body;
    expect(all.nextCursor).toBeNull();
    return all.alerts;
  }

  /** Every page of a listing, following nextCursor; `between` runs after each page. */
  async function pages(query: string, between: (page: number) => Promise<void> = async () => {}) {
    const got: AlertDto[][] = [];
    for (let cursor: string | null = null; got.length === 0 || cursor;) {
      const res: { status: number; body: AlertPageDto } = await api(h.c, 'GET', `/v1/alerts?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      got.push(res.body.alerts);
      cursor = res.body.nextCursor;
      await between(got.length);
    }
    return got;
  }

  it('pages through the history newest first, each alert once', async () => {
    const all = await sevenAlerts();
    const minute = (i: number) => new Date(NOW + i * 60_000).toISOString();
    expect(all.map((a) => a.firedAt)).toEqual([minute(4), minute(3), minute(2), minute(2), minute(1), minute(0), minute(0)]);
    expect(all[0].subject).toBe('user:gus');
    expect(all[2].id < all[3].id && all[5].id < all[6].id).toBe(true); // alerts fired together: by id
    const paged = await pages('limit=3');
    expect(paged.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(paged.flat().map((a) => a.id)).toEqual(all.map((a) => a.id));
    // Filters page the same way.
    await api(h.c, 'POST', `/v1/alerts/${all[0].id}/ack`);
    expect((await pages('unreadOnly=true&state=firing&limit=4')).flat().map((a) => a.id)).toEqual(all.slice(1).map((a) => a.id));
  });

  it('lists unread alerts first when asked, and keeps pages stable while alerts are acknowledged', async () => {
    const all = await sevenAlerts();
    const [gus, fay, third, fourth, cat] = all;
    for (const a of [gus, third]) await api(h.c, 'POST', `/v1/alerts/${a.id}/ack`);
    const unreadFirst = (await pages('unreadFirst=true&limit=50')).flat();
    expect(unreadFirst.map((a) => a.id)).toEqual([fay, fourth, cat, all[5], all[6], gus, third].map((a) => a.id));
    expect(unreadFirst.map((a) => a.acknowledged)).toEqual([false, false, false, false, false, true, true]);

    // Acknowledging one already listed and one not listed yet, between pages: each still appears once, in place.
    const paged = await pages('unreadFirst=true&limit=2', async (page) => {
      if (page === 1) for (const a of [fay, all[6]]) await api(h.c, 'POST', `/v1/alerts/${a.id}/ack`);
    });
    expect(paged.flat().map((a) => a.id)).toEqual(unreadFirst.map((a) => a.id));
    // A new listing sees them read.
    expect((await pages('unreadFirst=true&limit=3')).flat().map((a) => a.id)).toEqual([fourth, cat, all[5], gus, fay, third, all[6]].map((a) => a.id));
  });

  it('answers 400 naming a bad paging parameter', async () => {
    await sevenAlerts();
    const first = (await api<AlertPageDto>(h.c, 'GET', '/v1/alerts?unreadOnly=true&limit=2')).body;
    const cases: [string, string][] = [
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['limit=2.5', 'limit'],
      ['unreadFirst=yes', 'unreadFirst'],
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${encodeURIComponent(first.nextCursor!)}`, 'cursor'], // made for unreadOnly=true
      [`unreadOnly=true&state=firing&cursor=${encodeURIComponent(first.nextCursor!)}`, 'cursor'],
    ];
    for (const [query, field] of cases) {
      const res = await api<ErrorBodyDto>(h.c, 'GET', `/v1/alerts?${query}`);
      expect([query, res.status, res.body.field]).toEqual([query, 400, field]);
    }
    expect((await api(h.c, 'GET', '/v1/alerts?limit=500')).status).toBe(200);
    expect(
      (await api<AlertPageDto>(h.c, 'GET', `/v1/alerts?unreadOnly=true&limit=5&cursor=${encodeURIComponent(first.nextCursor!)}`)).body.alerts,
    ).toHaveLength(5);
  });

  it("keeps tenants apart: another tenant's key sees no alert and cannot acknowledge one", async () => {
    await h.only('daily_cost_above', { thresholdUsd: '1' });
    await h.spend({ timeMs: NOW - 60_000, costNanos: 2n * USD });
    await h.evaluate();
    const [alert] = await h.alerts();
    const globex = (await api<CreatedKeyDto>(h.c, 'POST', '/v1/keys', { role: 'viewer', tenant: 'globex' })).body.key;
    expect((await api<AlertPageDto>(h.c, 'GET', '/v1/alerts', undefined, globex)).body.alerts).toEqual([]);
    expect((await api(h.c, 'POST', `/v1/alerts/${alert.id}/ack`, undefined, globex)).status).toBe(404);
    expect((await api(h.c, 'GET', '/v1/alerts?tenant=default', undefined, globex)).status).toBe(403);
    expect((await h.alerts())[0].acknowledged).toBe(false);
  });

  it('records a delivery that finally fails on the alert', async () => {
    h.hook.respond = () => ({ status: 503, body: 'receiver down' });
    await h.only('daily_cost_above', { thresholdUsd: '1' });
    await h.spend({ timeMs: NOW - 60_000, costNanos: 2n * USD });
    await h.evaluate();
    expect(h.hook.requests).toHaveLength(5); // TOKENLEDGER_ALERT_DELIVERY_ATTEMPTS default
    const [alert] = await h.alerts();
    expect(alert.deliveries).toEqual([expect.objectContaining({ ok: false, attempts: 5, error: 'webhook answered 503: receiver down', state: 'firing' })]);
  });

  it("sends to the rule's own channels instead of the defaults, over Slack and e-mail", async () => {
    const slack = await startHttpReceiver();
    const smtp = await startSmtpReceiver();
    try {
      const slackChannel = (await api<ChannelDto>(h.c, 'POST', '/v1/channels', { type: 'slack', name: 'finance', url: `${slack.url}/services/T/B/X` })).body.id;
      const mailChannel = (await api<ChannelDto>(h.c, 'POST', '/v1/channels', { type: 'email', name: 'cfo', url: smtp.url, to: ['cfo@example.com'] })).body.id;
      await h.only('daily_cost_above', { thresholdUsd: '1', channels: [slackChannel, mailChannel] });
      await h.spend({ timeMs: NOW - 60_000, costNanos: 2n * USD });
      await h.evaluate();
      expect(h.received()).toEqual([]);
      expect((JSON.parse(slack.requests[0].body) as { text: string }).text).toBe('WARNING: AI cost today is $2.00, above $1.00');
      expect(smtp.messages.map((m) => m.to)).toEqual([['cfo@example.com']]);
      const [alert] = await h.alerts();
      expect(alert.deliveries.map((d) => [d.channelType, d.ok]).sort()).toEqual([
        ['email', true],
        ['slack', true],
      ]);
    } finally {
      await slack.close();
      await smtp.close();
    }
  });
});

describe('the evaluation schedule', () => {
  it('evaluates rules on its own every TOKENLEDGER_ALERT_INTERVAL_SECONDS', async () => {
    const h = await startAlertHarness({ TOKENLEDGER_ALERT_INTERVAL_SECONDS: '1' }, { realClock: true });
    try {
      await h.only('daily_cost_above', { thresholdUsd: '1' });
      await h.spend({ timeMs: Date.now(), costNanos: 2n * USD });
      const [request] = await h.hook.waitFor(1);
      expect(JSON.parse(request.body)).toMatchObject({ rule: 'daily_cost_above', valueUsd: '2.000000000', state: 'firing' });
    } finally {
      await h.close();
    }
  });

  it('refuses a bad interval at start, naming the variable', () => {
    expect(() => loadConfig({ TOKENLEDGER_ALERT_INTERVAL_SECONDS: 'often' })).toThrow(ConfigError);
    expect(() => loadConfig({ TOKENLEDGER_ALERT_INTERVAL_SECONDS: 'often' })).toThrow(/TOKENLEDGER_ALERT_INTERVAL_SECONDS/);
    expect(() => loadConfig({ TOKENLEDGER_ALERT_DELIVERY_ATTEMPTS: '0' })).toThrow(/TOKENLEDGER_ALERT_DELIVERY_ATTEMPTS/);
    expect(() => loadConfig({ TOKENLEDGER_PUBLIC_URL: 'tokenledger.example.com' })).toThrow(/TOKENLEDGER_PUBLIC_URL/);
    expect(loadConfig({}).alertIntervalSeconds).toBe(60);
  });
});
