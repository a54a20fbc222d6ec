import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { alertFrom } from '../../src/alerts/alert';
import { AlertEvaluator } from '../../src/alerts/alert-evaluator.service';
import { AlertRulesService } from '../../src/alerts/alert-rules.service';
import { RuleEvaluators } from '../../src/alerts/rule-evaluators';
import { type RunningCollector, startCollector } from '../support/app';
import { makeSpans, requestBytes } from '../support/spans';
import type { AlertPageDto } from '../../src/alerts/alert.dto';
import type { ChannelListDto } from '../../src/channels/channel.dto';
import { type AlertHarness, ADMIN_KEY, alertStores, api, DAY, NOW, startAlertHarness, USD } from './harness';

const CHAT = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.usage.input_tokens': 1500,
  'gen_ai.usage.output_tokens': 2000,
};

const stores = alertStores();

describe.each(stores)('fire once across collector instances (%s)', (_name, storeEnv) => {
  let h: AlertHarness;
  let second: RunningCollector;
  beforeEach(async () => {
    const env = storeEnv();
    h = await startAlertHarness(env);
    second = await startCollector({
      TOKENLEDGER_ADMIN_KEY: ADMIN_KEY,
      TOKENLEDGER_ALERT_INTERVAL_SECONDS: '0',
      ...env,
      ...(env.TOKENLEDGER_STORE ? {} : { TOKENLEDGER_SQLITE_PATH: h.c.config.sqlitePath }),
    });
  });
  afterEach(async () => {
    await second.close();
    await h.close();
  });

  it('delivers a crossing once when two instances evaluate the same store at the same time, and its resolution once', async () => {
    await h.only('daily_cost_above');
    await h.spend({ timeMs: NOW - 60_000, costNanos: 60n * USD, user: null });
    const both = (now: number) => Promise.all([h.c.app.get(AlertEvaluator).evaluate(now), second.app.get(AlertEvaluator).evaluate(now)]);
    const rounds = [await both(NOW), await both(NOW + 60_000), await both(NOW + 120_000)];
    expect(rounds.flat().reduce((n, s) => n + s.fired, 0)).toBe(1);
    expect(h.received().map((b) => b.state)).toEqual(['firing']);
    await both(NOW + DAY);
    await both(NOW + DAY + 60_000);
    expect(h.received().map((b) => b.state)).toEqual(['firing', 'resolved']);
    expect(new Set(h.hook.requests.map((r) => r.headers['idempotency-key'])).size).toBe(2);
    // Both instances show the same single alert.
    const fromSecond = (await api<AlertPageDto>(second, 'GET', '/v1/alerts')).body.alerts;
    expect(fromSecond).toHaveLength(1);
    expect(fromSecond[0]).toMatchObject({
      state: 'resolved',
      deliveries: [expect.objectContaining({ state: 'firing', ok: true }), expect.objectContaining({ state: 'resolved', ok: true })],
    });
  });
});

describe('an alert whose firing instance stopped before delivering', () => {
  let h: AlertHarness;
  beforeEach(async () => {
    h = await startAlertHarness();
  });
  afterEach(() => h.close());

  it('is delivered once by a later run, and only once', async () => {
    const ruleId = await h.only('daily_cost_above', { thresholdUsd: '1' });
    await h.spend({ timeMs: NOW - 3_600_000, costNanos: 2n * USD });
    // What the stopped instance left: the alert written, its open entry not marked delivered.
    const rule = await h.c.app.get(AlertRulesService).get('default', ruleId);
    const firedAt = NOW - 20 * 60_000;
    const [condition] = await h.c.app.get(RuleEvaluators).evaluate('default', rule, firedAt);
    const alert = {
      ...alertFrom('default', rule, condition, firedAt),
      channels: [(await api<ChannelListDto>(h.c, 'GET', '/v1/channels')).body.channels[0].id],
    };
    expect(await h.storage.alertHistory.insert(alert)).toBe(true);
    await h.storage.openAlerts.putOpen('default', alert.id, { ruleId, firedAtMs: firedAt, delivered: false });
    expect(await h.evaluate()).toMatchObject({ fired: 0, redelivered: 1 });
    await h.evaluate(NOW + 60_000);
    expect(h.received()).toEqual([expect.objectContaining({ id: alert.id, state: 'firing', firedAt: new Date(firedAt).toISOString() })]);
    expect((await h.alerts())[0].deliveries).toEqual([expect.objectContaining({ ok: true, state: 'firing' })]);
  });

  it('is not delivered again when its firing was delivered', async () => {
    await h.only('daily_cost_above', { thresholdUsd: '1' });
    await h.spend({ timeMs: NOW - 3_600_000, costNanos: 2n * USD });
    await h.evaluate(NOW - 20 * 60_000);
    await h.evaluate(NOW);
    expect(h.received()).toHaveLength(1);
  });
});

describe('alerts over real OTLP ingest', () => {
  let h: AlertHarness;
  beforeEach(async () => {
    h = await startAlertHarness();
  });
  afterEach(() => h.close());

  it('does not fire again, or count twice, when the sender retries a batch', async () => {
    await h.only('daily_cost_above', { thresholdUsd: '0.03' });
    const spans = await makeSpans(
      [
        { name: 'chat gpt-4o', attributes: CHAT, startMs: NOW - 3_600_000 },
        { name: 'chat gpt-4o', attributes: CHAT, startMs: NOW - 1_800_000 },
      ],
      { 'service.name': 'shop' },
    );
    const body = requestBytes(JsonTraceSerializer.serializeRequest(spans));
    const send = () =>
      fetch(`${h.c.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` } });
    expect((await send()).status).toBe(200);
    await h.evaluate();
    expect((await send()).status).toBe(200); // the retry
    await h.evaluate(NOW + 60_000);
    expect(h.received()).toEqual([expect.objectContaining({ rule: 'daily_cost_above', valueUsd: '0.047500000', thresholdUsd: '0.030000000' })]);
    expect(await h.alerts()).toHaveLength(1);
  });
});
