import { type AlertHarness, api, startAlertHarness } from '../alerts/harness';
import { type Refusal, type SentDigests, type Subscription } from './answers';

describe('the digests API', () => {
  let h: AlertHarness;
  beforeEach(async () => {
    h = await startAlertHarness();
  });
  afterEach(() => h.close());

  it('creates, lists, changes and deletes digest subscriptions', async () => {
    const created = await api<Subscription>(h.c, 'POST', '/v1/digests', {
      name: 'weekly spend',
      cadence: 'weekly',
      weekday: 'friday',
      hour: 17,
      timezone: 'America/New_York',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'weekly spend',
      cadence: 'weekly',
      weekday: 'friday',
      hour: 17,
      timezone: 'America/New_York',
      channels: [],
      enabled: true,
    });
    const daily = (await api<Subscription>(h.c, 'POST', '/v1/digests', { name: 'daily', cadence: 'daily' })).body;
    expect(daily).toMatchObject({ weekday: null, hour: 8, timezone: 'UTC' });
    expect((await api<{ digests: Subscription[] }>(h.c, 'GET', '/v1/digests')).body.digests.map((d) => d.name).sort()).toEqual(['daily', 'weekly spend']);
    // From weekly to daily: the weekday goes with it.
    const changed = await api<Subscription>(h.c, 'PATCH', `/v1/digests/${created.body.id}`, { cadence: 'daily', enabled: false });
    expect(changed.body).toMatchObject({ cadence: 'daily', weekday: null, hour: 17, enabled: false });
    expect((await api<Subscription>(h.c, 'GET', `/v1/digests/${created.body.id}`)).body).toEqual(changed.body);
    expect((await api(h.c, 'DELETE', `/v1/digests/${created.body.id}`)).status).toBe(204);
    expect((await api(h.c, 'GET', `/v1/digests/${created.body.id}`)).status).toBe(404);
    expect((await api(h.c, 'DELETE', `/v1/digests/${created.body.id}`)).status).toBe(404);
    expect((await api<SentDigests>(h.c, 'GET', `/v1/digests/${daily.id}/sent`)).body).toEqual({ digests: [] });
  });

  it('refuses a bad subscription naming the field to fix, and stores nothing', async () => {
    const am = (await api<{ id: string }>(h.c, 'POST', '/v1/channels', { type: 'alertmanager', name: 'am', url: 'http://127.0.0.1:9' })).body.id;
    const cases: [Record<string, unknown>, string, string][] = [
      [{ cadence: 'daily' }, 'name', 'is required'],
      [{ name: 'x' }, 'cadence', 'is required'],
      [{ name: 'x', cadence: 'hourly' }, 'cadence', 'must be one of daily, weekly'],
      [{ name: 'x', cadence: 'weekly' }, 'weekday', 'is required for a weekly digest'],
      [{ name: 'x', cadence: 'weekly', weekday: 'funday' }, 'weekday', 'must be one of monday'],
      [{ name: 'x', cadence: 'daily', weekday: 'monday' }, 'weekday', 'applies only to weekly digests'],
      [{ name: 'x', cadence: 'daily', hour: 24 }, 'hour', 'must be a whole hour from 0 to 23'],
      [{ name: 'x', cadence: 'daily', hour: 7.5 }, 'hour', 'must be a whole hour from 0 to 23'],
      [{ name: 'x', cadence: 'daily', timezone: 'Mars/Olympus' }, 'timezone', 'must be an IANA time zone'],
      [{ name: 'x', cadence: 'daily', channels: ['ch_missing'] }, 'channels', 'names channels this tenant does not have: ch_missing'],
      [{ name: 'x', cadence: 'daily', channels: [am] }, 'channels', 'use webhook, slack, email channels'],
      [{ name: 'x', cadence: 'daily', colour: 'red' }, 'colour', 'is not a known field'],
    ];
    for (const [body, field, message] of cases) {
      const res = await api<Refusal>(h.c, 'POST', '/v1/digests', body);
      expect([JSON.stringify(body), res.status, res.body.field]).toEqual([JSON.stringify(body), 400, field]);
      expect(res.body.message).toContain(message);
    }
    expect((await api<{ digests: Subscription[] }>(h.c, 'GET', '/v1/digests')).body.digests).toEqual([]);
    const id = (await api<Subscription>(h.c, 'POST', '/v1/digests', { name: 'x', cadence: 'daily' })).body.id;
    expect((await api<Refusal>(h.c, 'PATCH', `/v1/digests/${id}`, { cadence: 'weekly' })).body.field).toBe('weekday');
    expect((await api<Subscription>(h.c, 'GET', `/v1/digests/${id}`)).body.cadence).toBe('daily');
  });

  it('lets viewers read digests but not change them, and keeps tenants apart', async () => {
    const id = (await api<Subscription>(h.c, 'POST', '/v1/digests', { name: 'x', cadence: 'daily' })).body.id;
    const viewer = (await api<{ key: string }>(h.c, 'POST', '/v1/keys', { role: 'viewer', tenant: 'default' })).body.key;
    const globex = (await api<{ key: string }>(h.c, 'POST', '/v1/keys', { role: 'admin', tenant: 'globex' })).body.key;
    expect((await api<{ digests: Subscription[] }>(h.c, 'GET', '/v1/digests', undefined, viewer)).body.digests).toHaveLength(1);
    expect((await api(h.c, 'GET', `/v1/digests/${id}/sent`, undefined, viewer)).status).toBe(200);
    expect((await api(h.c, 'POST', '/v1/digests', { name: 'y', cadence: 'daily' }, viewer)).status).toBe(403);
    expect((await api(h.c, 'PATCH', `/v1/digests/${id}`, { hour: 9 }, viewer)).status).toBe(403);
    expect((await api(h.c, 'DELETE', `/v1/digests/${id}`, undefined, viewer)).status).toBe(403);
    expect((await api<{ digests: Subscription[] }>(h.c, 'GET', '/v1/digests', undefined, globex)).body.digests).toEqual([]);
    expect((await api(h.c, 'GET', `/v1/digests/${id}`, undefined, globex)).status).toBe(404);
    expect((await api(h.c, 'DELETE', `/v1/digests/${id}`, undefined, globex)).status).toBe(404);
  });
});
