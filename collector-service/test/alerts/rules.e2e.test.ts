import type { AlertRuleDto, AlertRuleListDto } from '../../src/alerts/alert-rule.dto';
import type { CreatedKeyDto } from '../../src/auth/key-answers.dto';
import type { ChannelDto } from '../../src/channels/channel.dto';
import type { ErrorBodyDto } from '../../src/http/error-body.dto';
import { type AlertHarness, api, startAlertHarness } from './harness';

describe('/v1/alert-rules', () => {
  let h: AlertHarness;
  beforeAll(async () => {
    h = await startAlertHarness();
  });
  afterAll(() => h.close());

  it("starts every tenant with the seeds' defaults", async () => {
    const { body } = await api<AlertRuleListDto>(h.c, 'GET', '/v1/alert-rules?tenant=fresh');
    expect(body.rules.map((r) => [r.type, r.thresholdUsd, r.percent, r.enabled])).toEqual([
      ['daily_cost_above', '50.000000000', null, true],
      ['projected_month_above', '1000.000000000', null, true],
      ['user_daily_cost_above', '10.000000000', null, true],
      ['trend_increase_above', null, 20, true],
      ['budget_threshold', null, null, true],
      ['unpriced_usage', null, null, true],
    ]);
  });

  it('changes, disables and deletes a default, and a deleted default stays deleted', async () => {
    const channel = (
      await api<ChannelDto>(h.c, 'POST', '/v1/channels?tenant=edit', { type: 'slack', name: 'finance', url: 'https://hooks.slack.com/services/E' })
    ).body.id;
    const patched = await api(h.c, 'PATCH', '/v1/alert-rules/default-daily-cost?tenant=edit', { thresholdUsd: '75.50', channels: [channel] });
    expect(patched.body).toMatchObject({ thresholdUsd: '75.500000000', thresholdNanos: '75500000000', channels: [channel], enabled: true });
    // A channel of another tenant, or none at all, would alert nobody.
    expect((await api(h.c, 'PATCH', '/v1/alert-rules/default-daily-cost?tenant=other', { channels: [channel] })).body).toMatchObject({ field: 'channels' });
    expect((await api(h.c, 'POST', '/v1/alert-rules?tenant=edit', { type: 'daily_cost_above', thresholdUsd: '5', channels: ['ch_nope'] })).status).toBe(400);
    expect((await api<AlertRuleDto>(h.c, 'PATCH', '/v1/alert-rules/default-trend?tenant=edit', { enabled: false })).body.enabled).toBe(false);
    expect((await api(h.c, 'DELETE', '/v1/alert-rules/default-unpriced-usage?tenant=edit')).status).toBe(204);
    const { rules } = (await api<AlertRuleListDto>(h.c, 'GET', '/v1/alert-rules?tenant=edit')).body;
    expect(rules.map((r) => r.id)).not.toContain('default-unpriced-usage');
    expect(rules.find((r) => r.id === 'default-daily-cost')).toMatchObject({ thresholdUsd: '75.500000000' });
    expect(rules.find((r) => r.id === 'default-trend')).toMatchObject({ enabled: false });
  });

  it('creates a spike rule with its multiplier and floor', async () => {
    const created = await api<AlertRuleDto>(h.c, 'POST', '/v1/alert-rules?tenant=spiky', {
      type: 'spike',
      multiplier: 4,
      thresholdUsd: '2',
      timezone: 'Europe/Madrid',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^rule_/),
      type: 'spike',
      multiplier: 4,
      thresholdUsd: '2.000000000',
      timezone: 'Europe/Madrid',
      channels: [],
      enabled: true,
    });
    expect((await api<AlertRuleDto>(h.c, 'GET', `/v1/alert-rules/${created.body.id}?tenant=spiky`)).body.multiplier).toBe(4);
  });

  it.each([
    [{}, 'type'],
    [{ type: 'cost_above' }, 'type'],
    [{ type: 'daily_cost_above' }, 'thresholdUsd'],
    [{ type: 'daily_cost_above', thresholdUsd: 50 }, 'thresholdUsd'],
    [{ type: 'daily_cost_above', thresholdUsd: '1.0000000001' }, 'thresholdUsd'],
    [{ type: 'daily_cost_above', thresholdUsd: '-1' }, 'thresholdUsd'],
    [{ type: 'daily_cost_above', thresholdUsd: '5', percent: 20 }, 'percent'],
    [{ type: 'trend_increase_above' }, 'percent'],
    [{ type: 'trend_increase_above', percent: '20' }, 'percent'],
    [{ type: 'unpriced_usage', thresholdUsd: '1' }, 'thresholdUsd'],
    [{ type: 'spike', multiplier: 0.5 }, 'multiplier'],
    [{ type: 'budget_exhaustion' }, 'withinHours'],
    [{ type: 'budget_exhaustion', withinHours: 0 }, 'withinHours'],
    [{ type: 'budget_exhaustion', withinHours: 24 * 40 }, 'withinHours'],
    [{ type: 'daily_cost_above', thresholdUsd: '5', withinHours: 24 }, 'withinHours'],
    [{ type: 'daily_cost_above', thresholdUsd: '5', timezone: 'Mars/Olympus' }, 'timezone'],
    [{ type: 'daily_cost_above', thresholdUsd: '5', channels: 'ch_1' }, 'channels'],
    [{ type: 'daily_cost_above', thresholdUsd: '5', enabled: 'yes' }, 'enabled'],
    [{ type: 'daily_cost_above', thresholdUsd: '5', threshold: '5' }, 'threshold'],
  ])('refuses %j with a 400 naming %s', async (body, field) => {
    const res = await api<ErrorBodyDto>(h.c, 'POST', '/v1/alert-rules', body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field, message: expect.stringContaining(field) });
  });

  it("keeps tenants apart: another tenant's key neither sees nor changes a rule", async () => {
    const acme = (await api<CreatedKeyDto>(h.c, 'POST', '/v1/keys', { role: 'admin', tenant: 'acme' })).body.key;
    const globex = (await api<CreatedKeyDto>(h.c, 'POST', '/v1/keys', { role: 'admin', tenant: 'globex' })).body.key;
    const created = await api<AlertRuleDto>(h.c, 'POST', '/v1/alert-rules', { type: 'daily_cost_above', thresholdUsd: '5' }, acme);
    expect((await api<AlertRuleListDto>(h.c, 'GET', '/v1/alert-rules', undefined, globex)).body.rules.map((r) => r.id)).not.toContain(created.body.id);
    expect((await api(h.c, 'PATCH', `/v1/alert-rules/${created.body.id}`, { thresholdUsd: '1' }, globex)).status).toBe(404);
    expect((await api(h.c, 'DELETE', `/v1/alert-rules/${created.body.id}`, undefined, globex)).status).toBe(404);
    expect((await api<AlertRuleDto>(h.c, 'GET', `/v1/alert-rules/${created.body.id}`, undefined, acme)).body.thresholdUsd).toBe('5.000000000');
  });
});
