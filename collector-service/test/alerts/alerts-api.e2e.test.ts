import { ConfigError, loadConfig } from '../../src/config/config';
import { startHttpReceiver, startSmtpReceiver } from '../channels/receivers';
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
    expect(all[0]).toMatchObject({ state: 'firing', acknowledged: false, periodStart: '2026-11-24T00:00:00.000Z', periodEnd: '2026-11-25T00:00:00.000Z', deliveries: [expect.objectContaining({ ok: true, channelType: 'webhook' })] });
    const alice = all.find((a) => a.subject === 'user:alice')!;
    const acked = await api(h.c, 'POST', `/v1/alerts/${alice.id}/ack`);
    expect(acked).toMatchObject({ status: 200, body: { id: alice.id, acknowledged: true } });
    expect((await h.alerts('?unreadOnly=true')).map((a) => a.subject)).toEqual(['user:bob']);
    expect(await h.alerts('?state=resolved')).toEqual([]);
    expect(await h.alerts('?state=firing')).toHaveLength(2);
    expect((await api(h.c, 'GET', '/v1/alerts?state=open')).body).toMatchObject({ field: 'state' });
    expect((await api(h.c, 'POST', '/v1/alerts/al_nope/ack')).status).toBe(404);
  });

  it("keeps tenants apart: another tenant's key sees no alert and cannot acknowledge one", async () => {
    await h.only('daily_cost_above', { thresholdUsd: '1' });
    await h.spend({ timeMs: NOW - 60_000, costNanos: 2n * USD });
    await h.evaluate();
    const [alert] = await h.alerts();
    const globex = (await api(h.c, 'POST', '/v1/keys', { role: 'viewer', tenant: 'globex' })).body.key;
    expect((await api(h.c, 'GET', '/v1/alerts', undefined, globex)).body.alerts).toEqual([]);
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
      const slackChannel = (await api(h.c, 'POST', '/v1/channels', { type: 'slack', name: 'finance', url: `${slack.url}/services/T/B/X` })).body.id;
      const mailChannel = (await api(h.c, 'POST', '/v1/channels', { type: 'email', name: 'cfo', url: smtp.url, to: ['cfo@example.com'] })).body.id;
      await h.only('daily_cost_above', { thresholdUsd: '1', channels: [slackChannel, mailChannel] });
      await h.spend({ timeMs: NOW - 60_000, costNanos: 2n * USD });
      await h.evaluate();
      expect(h.received()).toEqual([]);
      expect(JSON.parse(slack.requests[0].body).text).toBe('WARNING: AI cost today is $2.00, above $1.00');
      expect(smtp.messages.map((m) => m.to)).toEqual([['cfo@example.com']]);
      const [alert] = await h.alerts();
      expect(alert.deliveries.map((d: { channelType: string; ok: boolean }) => [d.channelType, d.ok]).sort()).toEqual([['email', true], ['slack', true]]);
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
