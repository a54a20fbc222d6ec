import type { Channel } from '../../src/channels/channel';
import { DeliveryService } from '../../src/channels/delivery.service';
import type { AlertNotification } from '../../src/channels/notification';
import { verifySignature } from '../../src/channels/signature';
import { loadConfig } from '../../src/config/config';
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from './receivers';
import type { alertmanagerPayload } from '../../src/channels/senders/alertmanager.sender';

/** The alerts an Alertmanager receives, as the sender writes them. */
type AlertmanagerAlerts = ReturnType<typeof alertmanagerPayload>;

const SECRET = 'whsec-0123456789abcdef';

const notification = (overrides: Partial<AlertNotification> = {}): AlertNotification => ({
  id: 'al_0123456789abcdef',
  tenant: 'acme',
  state: 'firing',
  rule: 'daily_cost_above',
  ruleId: 'default-daily-cost',
  severity: 'warning',
  subject: 'tenant',
  valueUsd: '60.000000000',
  thresholdUsd: '50.000000000',
  count: null,
  periodStart: '2026-11-24T00:00:00.000Z',
  periodEnd: '2026-11-25T00:00:00.000Z',
  firedAt: '2026-11-24T13:00:00.000Z',
  resolvedAt: null,
  message: 'AI cost today is $60.00, above $50.00',
  ...overrides,
});

const channel = (overrides: Partial<Channel>): Channel => ({
  id: 'ch_1',
  type: 'webhook',
  name: 'ops',
  url: '',
  to: null,
  secret: null,
  default: false,
  createdAtMs: 0,
  updatedAtMs: 0,
  ...overrides,
});

describe('alert delivery to real receivers on loopback', () => {
  let service: DeliveryService;
  let sleeps: number[];
  let http: HttpReceiver;

  beforeEach(async () => {
    service = new DeliveryService(loadConfig({ TOKENLEDGER_ALERT_DELIVERY_ATTEMPTS: '4', TOKENLEDGER_PUBLIC_URL: 'https://tokenledger.example.com' }));
    sleeps = [];
    service.retryPolicy = {
      ...service.retryPolicy,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    };
    http = await startHttpReceiver();
  });
  afterEach(() => http.close());

  it('signs the webhook body so a receiver can verify it, and sends the documented fields', async () => {
    http.respond = (req) => {
      const invalid = verifySignature(SECRET, req.body, req.headers['tokenledger-signature'] as string, Math.floor(Date.now() / 1000));
      return invalid ? { status: 401, body: invalid } : { status: 200 };
    };
    const record = await service.deliver(channel({ url: `${http.url}/hook`, secret: SECRET }), notification());
    expect(record).toMatchObject({ ok: true, attempts: 1, error: null, state: 'firing' });
    const [req] = http.requests;
    expect(req.headers['idempotency-key']).toBe('al_0123456789abcdef:firing');
    expect(JSON.parse(req.body)).toMatchObject({
      id: 'al_0123456789abcdef',
      rule: 'daily_cost_above',
      severity: 'warning',
      subject: 'tenant',
      valueUsd: '60.000000000',
      thresholdUsd: '50.000000000',
      periodStart: '2026-11-24T00:00:00.000Z',
      firedAt: '2026-11-24T13:00:00.000Z',
      message: 'AI cost today is $60.00, above $50.00',
    });
    // A receiver holding another secret refuses it: the signature really depends on the secret.
    expect(verifySignature('another-secret-0000', req.body, req.headers['tokenledger-signature'] as string, Math.floor(Date.now() / 1000))).toBe(
      'signature does not match',
    );
    expect(verifySignature(SECRET, `${req.body} `, req.headers['tokenledger-signature'] as string, Math.floor(Date.now() / 1000))).toBe(
      'signature does not match',
    );
  });

  it('retries a failing webhook with growing backoff and the same idempotency key', async () => {
    http.respond = () => (http.requests.length < 3 ? { status: 503, body: 'busy' } : { status: 200 });
    const record = await service.deliver(channel({ url: http.url, secret: SECRET }), notification());
    expect(record).toMatchObject({ ok: true, attempts: 3 });
    expect(new Set(http.requests.map((r) => r.headers['idempotency-key']))).toEqual(new Set(['al_0123456789abcdef:firing']));
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('gives up after the configured attempts and returns the failure to be recorded', async () => {
    http.respond = () => ({ status: 500, body: 'down' });
    const record = await service.deliver(channel({ url: http.url, secret: SECRET }), notification());
    expect(record).toMatchObject({ ok: false, attempts: 4, error: 'webhook answered 500: down' });
    expect(http.requests).toHaveLength(4);
  });

  it('does not retry a receiver that refuses the request for good (4xx)', async () => {
    http.respond = () => ({ status: 410, body: 'gone' });
    expect(await service.deliver(channel({ url: http.url, secret: SECRET }), notification())).toMatchObject({ ok: false, attempts: 1 });
  });

  it('records an unreachable receiver as a failed delivery instead of throwing', async () => {
    const url = http.url;
    await http.close();
    http = await startHttpReceiver();
    const record = await service.deliver(channel({ url, secret: SECRET }), notification());
    expect(record.ok).toBe(false);
    expect(record.attempts).toBe(4);
    expect(record.error).toBeTruthy();
  });

  it('posts a Slack incoming-webhook message with the headline and details', async () => {
    const record = await service.deliver(channel({ type: 'slack', url: `${http.url}/services/T000/B000/XXXX` }), notification());
    expect(record).toMatchObject({ ok: true, channelType: 'slack' });
    const [req] = http.requests;
    expect(req.path).toBe('/services/T000/B000/XXXX');
    const body = JSON.parse(req.body) as { text: string; blocks: unknown };
    expect(body.text).toBe('WARNING: AI cost today is $60.00, above $50.00');
    expect(JSON.stringify(body.blocks)).toContain('Threshold: $50.000000000');
  });

  it('retries Slack when the endpoint fails', async () => {
    http.respond = () => (http.requests.length < 2 ? { status: 500, body: 'error' } : { status: 200, body: 'ok' });
    expect(await service.deliver(channel({ type: 'slack', url: http.url }), notification())).toMatchObject({ ok: true, attempts: 2 });
  });

  it('posts an Alertmanager v2 alert with labels, annotations, start, end and a generator URL', async () => {
    await service.deliver(channel({ type: 'alertmanager', url: `${http.url}/`, secret: 'am-token' }), notification());
    const [req] = http.requests;
    expect(req.path).toBe('/api/v2/alerts');
    expect(req.headers.authorization).toBe('Bearer am-token');
    const alerts = JSON.parse(req.body) as AlertmanagerAlerts;
    expect(Array.isArray(alerts)).toBe(true);
    expect(alerts).toHaveLength(1);
    const [a] = alerts;
    expect(a.labels).toEqual({
      alertname: 'TokenledgerDailyCostAbove',
      category: 'cost',
      severity: 'warning',
      source: 'tokenledger-collector',
      tenant: 'acme',
      rule: 'daily_cost_above',
      rule_id: 'default-daily-cost',
      subject: 'tenant',
      alert_id: 'al_0123456789abcdef',
    });
    for (const name of Object.keys(a.labels)) expect(name).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
    for (const value of [...Object.values(a.labels), ...Object.values(a.annotations)]) expect(typeof value).toBe('string');
    expect(a.annotations).toMatchObject({ summary: 'AI cost today is $60.00, above $50.00', value_usd: '60.000000000', threshold_usd: '50.000000000' });
    expect(a.startsAt).toBe('2026-11-24T13:00:00.000Z');
    expect(a.endsAt).toBe('2026-11-25T00:00:00.000Z');
    expect(a.generatorURL).toBe('https://tokenledger.example.com/v1/alerts/al_0123456789abcdef?tenant=acme');
  });

  it('ends the Alertmanager alert when it resolves', async () => {
    await service.deliver(channel({ type: 'alertmanager', url: http.url }), notification({ state: 'resolved', resolvedAt: '2026-11-24T15:00:00.000Z' }));
    const [a] = JSON.parse(http.requests[0].body) as AlertmanagerAlerts;
    expect(a.endsAt).toBe('2026-11-24T15:00:00.000Z');
    expect(http.requests[0].headers.authorization).toBeUndefined();
  });

  describe('email', () => {
    let smtp: SmtpReceiver;
    beforeEach(async () => {
      smtp = await startSmtpReceiver();
    });
    afterEach(() => smtp.close());

    it('sends one e-mail to every recipient over SMTP', async () => {
      const record = await service.deliver(channel({ type: 'email', url: smtp.url, to: ['finance@example.com', 'cto@example.com'] }), notification());
      expect(record).toMatchObject({ ok: true, attempts: 1, channelType: 'email' });
      expect(smtp.messages).toHaveLength(1);
      const [mail] = smtp.messages;
      expect(mail.to).toEqual(['finance@example.com', 'cto@example.com']);
      expect(mail.from).toBe('alerts@localhost');
      expect(mail.raw).toMatch(/^Subject: \[tokenledger\] WARNING: AI cost today is \$60\.00, above \$50\.00/m);
      expect(mail.raw).toMatch(/^X-Tokenledger-Alert-Id: al_0123456789abcdef$/im);
      expect(mail.raw).toContain('Threshold: $50.000000000');
    });
  });
});
