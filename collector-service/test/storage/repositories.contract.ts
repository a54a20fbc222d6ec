import { type Ack, alertId, type StoredAlert } from '../../src/alerts/alert';
import { type AlertRule, DEFAULT_RULES } from '../../src/alerts/alert-rule';
import { budgetFromBody } from '../../src/budgets/budget';
import type { Channel } from '../../src/channels/channel';
import type { DeliveryRecord } from '../../src/channels/delivery.service';
import { alertDelivery, channelOutcome } from '../support/outcomes';
import type { Digest } from '../../src/channels/digest-message';
import type { DigestSubscription } from '../../src/digests/digest-subscription';
import { type DigestRun, digestRunId } from '../../src/storage/repositories/digest-runs.repository';
import { type Repositories, repositoriesOf } from '../../src/storage/repositories/repositories';
import { type AlertHistoryQuery, alertOrderKey } from '../../src/storage/repositories/alerts.repository';
import type { StoragePort } from '../../src/storage/storage.port';
import type { StoreFixture } from './storage.contract';

const NOW = Date.UTC(2026, 10, 30, 12);

const rule = (id: string): AlertRule => ({ ...DEFAULT_RULES[0], id, createdAtMs: NOW, updatedAtMs: NOW });
const channel = (id: string, name = 'ops'): Channel => ({
  id,
  type: 'webhook',
  name,
  url: 'http://127.0.0.1:9/hook',
  to: null,
  secret: null,
  default: true,
  createdAtMs: NOW,
  updatedAtMs: NOW,
});

function storedAlert(tenant: string, ruleId: string, periodStartMs: number): StoredAlert {
  return {
    id: alertId(ruleId, 'tenant', periodStartMs),
    tenant,
    ruleId,
    rule: 'daily_cost_above',
    severity: 'warning',
    subject: 'tenant',
    periodStartMs,
    periodEndMs: periodStartMs + 86_400_000,
    valueNanos: '60000000001',
    thresholdNanos: '50000000000',
    count: null,
    message: 'spent $60.000000001 today',
    firedAtMs: periodStartMs + 3_600_000,
    channels: ['ch_1'],
  };
}

const delivery = (channelId: string, state: DeliveryRecord['state'], ok: boolean) => alertDelivery(channelId, state, ok, NOW);

const subscription = (id: string): DigestSubscription => ({
  id,
  name: 'morning spend',
  cadence: 'weekly',
  weekday: 'monday',
  hour: 8,
  timezone: 'Europe/Madrid',
  channels: ['ch_1'],
  enabled: true,
  createdAtMs: NOW,
  updatedAtMs: NOW,
});

function digestRun(subscriptionId: string, periodStartMs: number, name = 'morning spend'): DigestRun {
  const id = digestRunId(subscriptionId, periodStartMs);
  return {
    id,
    subscriptionId,
    periodStartMs,
    periodEndMs: periodStartMs + 86_400_000,
    claimedAtMs: NOW,
    channels: ['ch_1'],
    digest: { id, subscriptionId, name, totalCostNanos: '3500000021' } as Digest,
  };
}

const outcome = (channelId: string, ok: boolean) => channelOutcome(channelId, ok, NOW);

/**
 * The entity repositories on each store: what the budgets, channels, alert rules and alerts modules
 * rely on, tenant by tenant, across instances sharing the store.
 */
export function repositoriesContract(fixture: () => StoreFixture): void {
  describe('entity repositories', () => {
    let repos: Repositories;
    /** Another instance's repositories on the same data, closed after the case. */
    let other: Repositories;
    let otherStore: StoragePort | null = null;
    const openOther = async () => {
      otherStore = await fixture().another();
      other = repositoriesOf(otherStore);
    };
    beforeEach(() => {
      repos = repositoriesOf(fixture().store);
    });
    afterEach(async () => {
      await otherStore?.close();
      otherStore = null;
    });

    it('keeps budgets per tenant: saved whole, replaced, listed by id, across tenants, and removed', async () => {
      const b1 = { ...budgetFromBody({ name: 'Team A', period: 'month', limitUsd: '100.000000001' }, NOW), id: 'b1' };
      const b2 = { ...budgetFromBody({ name: 'Team B', period: 'day', limitUsd: '5' }, NOW), id: 'b2' };
      await repos.budgets.save('acme', b2);
      await repos.budgets.save('acme', b1);
      await repos.budgets.save('globex', b1);
      expect(await repos.budgets.get('acme', 'b1')).toEqual(b1);
      expect((await repos.budgets.list('acme')).map((b) => b.id)).toEqual(['b1', 'b2']);
      await repos.budgets.save('acme', { ...b1, name: 'Team A (renamed)', revision: b1.revision + 1 });
      expect((await repos.budgets.get('acme', 'b1'))?.name).toBe('Team A (renamed)');
      expect((await repos.budgets.get('globex', 'b1'))?.name).toBe('Team A');
      expect((await repos.budgets.listAll()).map((e) => `${e.tenant}/${e.entity.id}`)).toEqual(['acme/b1', 'acme/b2', 'globex/b1']);
      expect(await repos.budgets.remove('globex', 'b2')).toBe(false);
      expect(await repos.budgets.remove('acme', 'b2')).toBe(true);
      expect(await repos.budgets.get('acme', 'b2')).toBeNull();
    });

    it('adds an alert rule only where the tenant has none of its id, so an edited default is kept', async () => {
      expect(await repos.alertRules.add('acme', rule('default-daily-cost'))).toBe(true);
      await repos.alertRules.save('acme', { ...rule('default-daily-cost'), enabled: false });
      expect(await repos.alertRules.add('acme', rule('default-daily-cost'))).toBe(false);
      expect((await repos.alertRules.get('acme', 'default-daily-cost'))?.enabled).toBe(false);
      expect(await repos.alertRules.add('globex', rule('default-daily-cost'))).toBe(true);
      expect(await repos.alertRules.list('initech')).toEqual([]);
    });

    it('keeps channels apart from other entities and other tenants', async () => {
      await repos.channels.save('acme', channel('b1'));
      expect(await repos.budgets.get('acme', 'b1')).toBeNull();
      expect(await repos.channels.get('globex', 'b1')).toBeNull();
      expect(await repos.channels.list('acme')).toEqual([channel('b1')]);
      expect(await repos.channels.remove('acme', 'b1')).toBe(true);
      expect(await repos.channels.list('acme')).toEqual([]);
    });

    it('stores a fired alert, its resolution and its acknowledgement once each, across instances', async () => {
      await openOther();
      const alert = storedAlert('acme', 'r1', NOW);
      const inserts = await Promise.all([repos.alerts.insert(alert), other.alerts.insert(alert), repos.alerts.insert({ ...alert, message: 'again' })]);
      expect(inserts.filter(Boolean)).toHaveLength(1);
      expect(await other.alerts.get('acme', alert.id)).toEqual(inserts[2] ? { ...alert, message: 'again' } : alert);
      expect(await repos.alerts.get('globex', alert.id)).toBeNull();
      expect(await repos.alerts.resolution('acme', alert.id)).toBeNull();
      const resolutions = await Promise.all([
        repos.alerts.resolve('acme', { alertId: alert.id, resolvedAtMs: NOW + 1, reason: 'spend fell' }),
        other.alerts.resolve('acme', { alertId: alert.id, resolvedAtMs: NOW + 2, reason: 'other' }),
      ]);
      expect(resolutions.filter(Boolean)).toHaveLength(1);
      expect(await repos.alerts.resolutions('acme')).toHaveLength(1);
      const first: Ack = { alertId: alert.id, ackedAtMs: NOW + 5, by: 'alice' };
      expect(await repos.alerts.acknowledge('acme', first)).toBe(true);
      expect(await other.alerts.acknowledge('acme', { ...first, ackedAtMs: NOW + 9, by: 'bob' })).toBe(false);
      expect(await other.alerts.ack('acme', alert.id)).toEqual(first);
      expect(await repos.alerts.acks('acme')).toEqual([first]);
      expect(await repos.alerts.acks('globex')).toEqual([]);
    });

    it("pages a tenant's alert history in the store: newest first, then by id, by state and by read status as of a time", async () => {
      // Five alerts of acme, two fired at the same time; one of globex.
      const fired = [NOW + 1000, NOW + 3000, NOW + 2000, NOW + 2000, NOW];
      const alerts = fired.map((firedAtMs, i) => ({ ...storedAlert('acme', `r${i}`, NOW), firedAtMs }));
      for (const a of [...alerts, storedAlert('globex', 'r0', NOW)]) expect(await repos.alerts.insert(a)).toBe(true);
      const newestFirst = [...alerts].sort((x, y) => y.firedAtMs - x.firedAtMs || (x.id < y.id ? -1 : 1));
      const [a0, a1, a2, a3] = alerts;
      await repos.alerts.resolve('acme', { alertId: a0.id, resolvedAtMs: NOW + 10, reason: 'spend fell' });
      await repos.alerts.resolve('acme', { alertId: a2.id, resolvedAtMs: NOW + 10, reason: 'spend fell' });
      await repos.alerts.acknowledge('acme', { alertId: a1.id, ackedAtMs: NOW + 20, by: null });
      await repos.alerts.acknowledge('acme', { alertId: a3.id, ackedAtMs: NOW + 40, by: 'bob' });
      // Resolving or acknowledging an alert that is not stored stores nothing.
      expect(await repos.alerts.resolve('acme', { alertId: 'al_none', resolvedAtMs: NOW, reason: 'x' })).toBe(false);
      expect(await repos.alerts.acknowledge('globex', { alertId: a1.id, ackedAtMs: NOW, by: null })).toBe(false);

      const ids = async (q: Partial<AlertHistoryQuery>) =>
        (await repos.alerts.page('acme', { asOfMs: NOW + 30, after: null, limit: 100, ...q })).map((e) => e.alert.id);
      const idsOf = (list: StoredAlert[]) => list.map((a) => a.id);
      expect(await ids({})).toEqual(idsOf(newestFirst));
      expect(await ids({ limit: 2 })).toEqual(idsOf(newestFirst.slice(0, 2)));
      const key = (a: StoredAlert) => alertOrderKey(a.firedAtMs, a.id);
      expect(await ids({ after: key(newestFirst[1]), limit: 2 })).toEqual(idsOf(newestFirst.slice(2, 4)));
      expect(await ids({ after: key(newestFirst[4]) })).toEqual([]);
      expect(await ids({ state: 'resolved' })).toEqual(idsOf([a2, a0]));
      expect(await ids({ state: 'firing' })).toEqual(idsOf(newestFirst.filter((a) => a !== a0 && a !== a2)));
      // Read as of NOW + 30: a1 only (a3 was acknowledged after).
      expect(await ids({ read: true })).toEqual([a1.id]);
      expect(await ids({ read: false })).toEqual(idsOf(newestFirst.filter((a) => a !== a1)));
      expect(await ids({ read: true, asOfMs: NOW + 40 })).toEqual(idsOf([a1, a3]));
      expect(await ids({ read: false, state: 'resolved' })).toEqual(idsOf([a2, a0]));
      expect(await repos.alerts.page('acme', { asOfMs: NOW + 30, after: null, limit: 1, read: true, state: 'firing' })).toEqual([
        { alert: a1, resolution: null, ack: { alertId: a1.id, ackedAtMs: NOW + 20, by: null } },
      ]);
      expect((await repos.alerts.page('globex', { asOfMs: NOW, after: null, limit: 100 })).map((e) => e.alert.tenant)).toEqual(['globex']);
    });

    it('remembers that API keys were required, for every instance', async () => {
      await openOther();
      expect(await repos.keysRequired.isMarked()).toBe(false);
      await Promise.all([repos.keysRequired.mark(NOW), other.keysRequired.mark(NOW + 1)]);
      await repos.keysRequired.mark(NOW + 2);
      expect(await other.keysRequired.isMarked()).toBe(true);
    });

    it('remembers each tenant seen once, across instances', async () => {
      await openOther();
      expect(await repos.seenTenants.all()).toEqual([]);
      await Promise.all([repos.seenTenants.remember('globex', NOW), other.seenTenants.remember('globex', NOW + 1), other.seenTenants.remember('acme', NOW)]);
      await repos.seenTenants.remember('acme', NOW + 2);
      expect(await other.seenTenants.all()).toEqual(['acme', 'globex']);
    });

    it('keeps the open index of firing alerts and lets one caller claim a redelivery', async () => {
      await openOther();
      await repos.alerts.putOpen('acme', 'al_1', { ruleId: 'r1', firedAtMs: NOW, delivered: false });
      await repos.alerts.putOpen('acme', 'al_2', { ruleId: 'r2', firedAtMs: NOW, delivered: false });
      await other.alerts.putOpen('acme', 'al_1', { ruleId: 'r1', firedAtMs: NOW, delivered: true });
      expect(await repos.alerts.getOpen('acme', 'al_1')).toEqual({ ruleId: 'r1', firedAtMs: NOW, delivered: true });
      await repos.alerts.deleteOpen('acme', 'al_2');
      await repos.alerts.deleteOpen('acme', 'al_2');
      expect(await repos.alerts.listOpen('acme')).toEqual([{ id: 'al_1', open: { ruleId: 'r1', firedAtMs: NOW, delivered: true } }]);
      const claims = await Promise.all([repos.alerts.claimRedelivery('acme', 'al_1', NOW), other.alerts.claimRedelivery('acme', 'al_1', NOW)]);
      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    it('keeps digest subscriptions per tenant', async () => {
      await repos.digestSubscriptions.save('acme', subscription('dg_1'));
      await repos.digestSubscriptions.save('acme', { ...subscription('dg_1'), hour: 9 });
      expect(await repos.digestSubscriptions.list('acme')).toEqual([{ ...subscription('dg_1'), hour: 9 }]);
      expect(await repos.digestSubscriptions.get('globex', 'dg_1')).toBeNull();
      expect(await repos.channels.get('acme', 'dg_1')).toBeNull();
      expect((await repos.digestSubscriptions.listAll()).map((e) => `${e.tenant}/${e.entity.id}`)).toEqual(['acme/dg_1']);
    });

    it("keeps the providers' admin keys per tenant and provider, replaced by a new one, for every instance", async () => {
      await openOther();
      const key = (id: 'openai' | 'anthropic', secret: string) => ({ id, key: secret, baseUrl: null, updatedAtMs: NOW });
      await repos.providerAdminKeys.save('acme', key('openai', 'sk-admin-1'));
      await repos.providerAdminKeys.save('acme', { ...key('openai', 'sk-admin-2'), baseUrl: 'http://127.0.0.1:9' });
      await other.providerAdminKeys.save('globex', key('anthropic', 'sk-ant-admin'));
      expect(await other.providerAdminKeys.get('acme', 'openai')).toEqual({ ...key('openai', 'sk-admin-2'), baseUrl: 'http://127.0.0.1:9' });
      expect(await repos.providerAdminKeys.get('acme', 'anthropic')).toBeNull();
      expect((await repos.providerAdminKeys.listAll()).map((e) => `${e.tenant}/${e.entity.id}/${e.entity.key}`)).toEqual([
        'acme/openai/sk-admin-2',
        'globex/anthropic/sk-ant-admin',
      ]);
      expect(await other.providerAdminKeys.remove('acme', 'openai')).toBe(true);
      expect(await repos.providerAdminKeys.list('acme')).toEqual([]);
    });

    it('keeps the billed days per tenant, a day pulled again replacing it, for every instance', async () => {
      await openOther();
      const day = (provider: 'openai' | 'anthropic', date: string, costNanos: string) => ({
        provider,
        day: date,
        costNanos,
        lines: [{ item: 'usage', model: 'gpt-4o', costNanos }],
        usage: [],
        pulledAtMs: NOW,
      });
      await repos.billedDays.save('acme', day('openai', '2026-11-15', '1'));
      await repos.billedDays.save('acme', day('anthropic', '2026-11-14', '2'));
      await other.billedDays.save('acme', day('openai', '2026-11-15', '3'));
      await other.billedDays.save('globex', day('openai', '2026-11-14', '4'));
      expect(await repos.billedDays.list('acme')).toEqual([day('anthropic', '2026-11-14', '2'), day('openai', '2026-11-15', '3')]);
      expect(await other.billedDays.list('globex')).toEqual([day('openai', '2026-11-14', '4')]);
    });

    it("claims a digest run once across instances, marks it sent once, and keeps each subscription's runs and deliveries apart", async () => {
      await openOther();
      const day = 86_400_000;
      const claims = await Promise.all([
        repos.digestRuns.claim('acme', digestRun('dg_1', NOW)),
        other.digestRuns.claim('acme', digestRun('dg_1', NOW, 'other')),
        repos.digestRuns.claim('acme', digestRun('dg_1', NOW)),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await repos.digestRuns.claim('globex', digestRun('dg_1', NOW))).toBe(true);
      await repos.digestRuns.claim('acme', digestRun('dg_1', NOW - day));
      await repos.digestRuns.claim('acme', digestRun('dg_10', NOW));
      expect((await other.digestRuns.ofSubscription('acme', 'dg_1')).map((r) => r.periodStartMs)).toEqual([NOW - day, NOW]);
      expect((await repos.digestRuns.get('acme', digestRunId('dg_1', NOW)))?.digest.totalCostNanos).toBe('3500000021');

      const runId = digestRunId('dg_1', NOW);
      expect(await repos.digestRuns.sentAt('acme', runId)).toBeNull();
      await repos.digestRuns.markSent('acme', runId, NOW + 5);
      await other.digestRuns.markSent('acme', runId, NOW + 9);
      expect(await other.digestRuns.sentAt('acme', runId)).toBe(NOW + 5);
      expect(await repos.digestRuns.sentOfSubscription('acme', 'dg_1')).toEqual(new Map([[runId, NOW + 5]]));
      expect(await repos.digestRuns.sentOfSubscription('acme', 'dg_10')).toEqual(new Map());
      const redeliveries = await Promise.all([repos.digestRuns.claimRedelivery('acme', runId, NOW), other.digestRuns.claimRedelivery('acme', runId, NOW)]);
      expect(redeliveries.filter(Boolean)).toHaveLength(1);

      await repos.digestRuns.saveDelivery('acme', runId, outcome('ch_1', false));
      await other.digestRuns.saveDelivery('acme', runId, outcome('ch_1', true));
      await repos.digestRuns.saveDelivery('acme', runId, outcome('ch_2', true));
      await repos.digestRuns.saveDelivery('acme', digestRunId('dg_10', NOW), outcome('ch_1', true));
      const deliveries = await repos.digestRuns.deliveriesOfSubscription('acme', 'dg_1');
      expect([...deliveries.keys()]).toEqual([runId]);
      expect(
        deliveries
          .get(runId)
          ?.map((d) => `${d.channelId}/${d.ok}`)
          .sort(),
      ).toEqual(['ch_1/true', 'ch_2/true']);
      expect(deliveries.get(runId)?.[0]).not.toHaveProperty('runId');
      expect(await repos.digestRuns.deliveriesOfSubscription('globex', 'dg_1')).toEqual(new Map());
    });

    it("records one delivery per alert, state and channel, a retry's outcome replacing the first", async () => {
      await repos.deliveries.save('acme', 'al_1', delivery('ch_1', 'firing', false));
      await repos.deliveries.save('acme', 'al_1', delivery('ch_1', 'firing', true));
      await repos.deliveries.save('acme', 'al_1', delivery('ch_1', 'resolved', true));
      await repos.deliveries.save('acme', 'al_2', delivery('ch_2', 'firing', true));
      await repos.deliveries.save('acme', 'al_10', delivery('ch_3', 'firing', true));
      await repos.deliveries.save('globex', 'al_1', delivery('ch_9', 'firing', true));
      expect((await repos.deliveries.ofAlert('acme', 'al_1')).map((d) => `${d.state}/${d.channelId}/${d.ok}`).sort()).toEqual([
        'firing/ch_1/true',
        'resolved/ch_1/true',
      ]);
      const page = await repos.deliveries.ofAlerts('acme', ['al_2', 'al_10', 'al_3']);
      expect([...page.keys()]).toEqual(['al_2', 'al_10', 'al_3']);
      expect(page.get('al_2')?.map((d) => d.channelId)).toEqual(['ch_2']);
      expect(page.get('al_10')?.map((d) => d.channelId)).toEqual(['ch_3']);
      expect(page.get('al_3')).toEqual([]);
    });
  });
}
