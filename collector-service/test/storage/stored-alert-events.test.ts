import type { OpenAlert } from '../../src/alerts/alert';
import { alertDelivery } from '../support/outcomes';
import { oldDocument as doc, oldMongoStore, type OldStore, oldSqliteStore, oldStoreKinds } from '../support/old-stores';

const NOW = Date.UTC(2026, 10, 30, 12);

const open = (ruleId: string, delivered: boolean): OpenAlert => ({ ruleId, firedAtMs: NOW, delivered });

/** The open index and the redelivery claims as the versions before kept them: documents. */
const OPEN = [
  { tenant: 'acme', id: 'al_1', open: open('r1', false) },
  { tenant: 'acme', id: 'al_2', open: open('r2', true) },
  { tenant: 'globex', id: 'al_1', open: open('r1', true) },
];
const CLAIMED = [
  { tenant: 'acme', id: 'al_1', body: { atMs: NOW } },
  { tenant: 'globex', id: 'al_9', body: { at: 'no time' } },
];
/** An open entry that holds none: left where it is. */
const NOT_OPEN = doc('alert-open', 'acme', 'al_bad', { ruleId: 'r1', firedAtMs: 'soon', delivered: false });

const delivery = alertDelivery;
/** The alerts' deliveries as the versions before kept them: documents of the record and its alert, id `<alert>.<state>.<channel>`. */
const DELIVERED = [
  { tenant: 'acme', alertId: 'al_1', delivery: delivery('ch_1', 'firing', false) },
  { tenant: 'acme', alertId: 'al_1', delivery: delivery('ch_1', 'resolved', true) },
  { tenant: 'acme', alertId: 'al_10', delivery: delivery('ch_2', 'firing', true) },
  { tenant: 'globex', alertId: 'al_1', delivery: delivery('ch_9', 'firing', true) },
];
/** A delivery document that holds none: left where it is. */
const NOT_DELIVERED = doc('alert-delivery', 'acme', 'al_2.firing.ch_1', { alertId: 7, state: 'firing' });

const OLD_DOCUMENTS = [
  ...OPEN.map((o) => doc('alert-open', o.tenant, o.id, o.open)),
  ...CLAIMED.map((c) => doc('alert-redelivery', c.tenant, c.id, c.body)),
  NOT_OPEN,
  ...DELIVERED.map((d) => doc('alert-delivery', d.tenant, `${d.alertId}.${d.delivery.state}.${d.delivery.channelId}`, { alertId: d.alertId, ...d.delivery })),
  NOT_DELIVERED,
];
const OLD_KINDS = ['alert-open', 'alert-redelivery'];

// The file as schema 20 left it: the open index, the redelivery claims and the deliveries among the documents.
const sqlite = (): OldStore => oldSqliteStore(OLD_DOCUMENTS, { tables: ['open_alerts', 'alert_redeliveries', 'alert_deliveries'], schema: 20 });
const mongo = (uri: string): OldStore => oldMongoStore(uri, OLD_DOCUMENTS);

const kinds = oldStoreKinds('stored alert events', sqlite, mongo);

jest.setTimeout(60_000);

describe.each(kinds)("alerts' open index, redelivery claims and deliveries stored on %s", (_name, make) => {
  let kind: OldStore;
  beforeEach(() => (kind = make()));
  afterEach(() => kind.drop());

  it('opens a store whose open index and redelivery claims are documents: the same entries and claims, in tables of their own, the documents gone', async () => {
    await kind.oldStore();
    const store = await kind.open();
    expect(await store.openAlerts.listOpen('acme')).toEqual(OPEN.filter((o) => o.tenant === 'acme').map(({ id, open }) => ({ id, open })));
    expect(await store.openAlerts.getOpen('globex', 'al_1')).toEqual(OPEN[2].open);
    // A claim made before stays made, whatever its body held.
    expect(await store.openAlerts.claimRedelivery('acme', 'al_1', NOW + 1)).toBe(false);
    expect(await store.openAlerts.claimRedelivery('globex', 'al_9', NOW + 1)).toBe(false);
    expect(await store.openAlerts.claimRedelivery('acme', 'al_2', NOW + 1)).toBe(true);
    await store.openAlerts.deleteOpen('acme', 'al_2');
    await store.close();
    expect(await kind.leftDocuments(OLD_KINDS)).toEqual(['alert-open/acme/al_bad']);
    // Opened again, nothing moves twice; what was written since stays.
    const again = await kind.open();
    expect((await again.openAlerts.listOpen('acme')).map((e) => e.id)).toEqual(['al_1']);
    expect(await again.openAlerts.claimRedelivery('acme', 'al_2', NOW + 2)).toBe(false);
    await again.close();
  });

  it('opens a store whose alert deliveries are documents: the same deliveries per alert, in a table of their own, the documents gone', async () => {
    await kind.oldStore();
    const store = await kind.open();
    expect(await store.alertDeliveries.ofAlert('acme', 'al_1')).toEqual([DELIVERED[0].delivery, DELIVERED[1].delivery]);
    const page = await store.alertDeliveries.ofAlerts('acme', ['al_10', 'al_2']);
    expect([...page.entries()]).toEqual([
      ['al_10', [DELIVERED[2].delivery]],
      ['al_2', []],
    ]);
    expect(await store.alertDeliveries.ofAlert('globex', 'al_1')).toEqual([DELIVERED[3].delivery]);
    // A retry's outcome replaces the one moved.
    await store.alertDeliveries.save('acme', 'al_1', delivery('ch_1', 'firing', true));
    await store.close();
    expect(await kind.leftDocuments(['alert-delivery'])).toEqual(['alert-delivery/acme/al_2.firing.ch_1']);
    // Opened again, nothing moves twice; what was written since stays.
    const again = await kind.open();
    expect(await again.alertDeliveries.ofAlert('acme', 'al_1')).toEqual([delivery('ch_1', 'firing', true), DELIVERED[1].delivery]);
    await again.close();
  });
});
