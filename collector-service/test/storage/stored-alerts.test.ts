import { type Ack, alertId, type Resolution, type StoredAlert } from '../../src/alerts/alert';
import type { AlertEntry } from '../../src/storage/repositories/alerts.repository';
import { oldDocument as doc, oldMongoStore, type OldStore, oldSqliteStore, oldStoreKinds } from '../support/old-stores';

const NOW = Date.UTC(2026, 10, 30, 12);

function alert(tenant: string, ruleId: string, firedAtMs: number): StoredAlert {
  return {
    id: alertId(ruleId, 'tenant', NOW),
    tenant,
    ruleId,
    rule: 'daily_cost_above',
    severity: 'warning',
    subject: 'tenant',
    periodStartMs: NOW,
    periodEndMs: NOW + 86_400_000,
    valueNanos: '60000000001',
    thresholdNanos: '50000000000',
    count: null,
    message: 'spent $60.000000001 today',
    firedAtMs,
    channels: ['ch_1'],
  };
}

/** Alerts as the versions before kept them: documents, with their resolutions and acknowledgements beside them. */
const [FIRST, SECOND, THIRD, OTHER] = [
  alert('acme', 'r1', NOW + 1000),
  alert('acme', 'r2', NOW + 3000),
  alert('acme', 'r3', NOW + 2000),
  alert('globex', 'r1', NOW),
];
const RESOLVED: Resolution = { alertId: FIRST.id, resolvedAtMs: NOW + 5000, reason: 'spend fell' };
const READ: Ack = { alertId: FIRST.id, ackedAtMs: NOW + 6000, by: 'alice' };
const READ_TOO: Ack = { alertId: SECOND.id, ackedAtMs: NOW + 7000, by: null };
/** What holds no alert with a place in the history, and an acknowledgement of no alert: left where they are. */
const LEFT = [
  doc('alert', 'acme', 'al_no_time', { ...THIRD, id: 'al_no_time', firedAtMs: 'soon' }),
  doc('alert-ack', 'acme', 'al_gone', { alertId: 'al_gone', ackedAtMs: NOW, by: null }),
];
const OLD_DOCUMENTS = [
  ...[FIRST, SECOND, THIRD, OTHER].map((a) => doc('alert', a.tenant, a.id, a)),
  doc('alert-resolution', 'acme', FIRST.id, RESOLVED),
  doc('alert-ack', 'acme', FIRST.id, READ),
  doc('alert-ack', 'acme', SECOND.id, READ_TOO),
  ...LEFT,
  doc('alert-tenant', 'initech', 'seen', { atMs: NOW }),
  doc('alert-tenant', 'acme', 'seen', { atMs: NOW }),
  doc('access', 'default', 'keys-required', { since: new Date(NOW).toISOString() }),
];

/** The acme history, newest first. */
const ACME: AlertEntry[] = [
  { alert: SECOND, resolution: null, ack: READ_TOO },
  { alert: THIRD, resolution: null, ack: null },
  { alert: FIRST, resolution: RESOLVED, ack: READ },
];

interface StoreKind extends OldStore {
  /** The documents left of the alerts' old kinds. */
  alertDocuments(): Promise<number>;
  /** How the store holds each alert's value and threshold ("<type>:<value>", and which are in its JSON), by tenant/id. */
  storedAmounts(): Promise<Record<string, { value: string; threshold: string; inJson: string[] }>>;
  /** Puts the stored alerts' amounts back into their JSON, as decimal strings: how the versions before kept them. */
  amountsIntoJson(): Promise<void>;
}

/** The amounts an alert's stored JSON holds. */
const amountsIn = (body: string) => Object.keys(JSON.parse(body) as object).filter((k) => k === 'valueNanos' || k === 'thresholdNanos');

const OLD_KINDS = ['alert', 'alert-resolution', 'alert-ack'];

function sqlite(): StoreKind {
  // The file as schema 11 left it: alerts among the documents, no alerts table.
  const store = oldSqliteStore(OLD_DOCUMENTS, { tables: ['alert_history'], schema: 11 });
  const inKinds = OLD_KINDS.map(() => '?').join(', ');
  return {
    ...store,
    alertDocuments: () =>
      Promise.resolve(Number(store.query<{ n: bigint }>(`SELECT COUNT(*) AS n FROM documents WHERE kind IN (${inKinds})`, ...OLD_KINDS)[0].n)),
    storedAmounts() {
      const rows = store.query<{ tenant: string; id: string; vt: string; value_nanos: unknown; tt: string; threshold_nanos: unknown; body: string }>(
        'SELECT tenant, id, typeof(value_nanos) AS vt, value_nanos, typeof(threshold_nanos) AS tt, threshold_nanos, body FROM alert_history',
      );
      const amounts = (r: (typeof rows)[number]) => ({
        value: `${r.vt}:${String(r.value_nanos)}`,
        threshold: `${r.tt}:${String(r.threshold_nanos)}`,
        inJson: amountsIn(r.body),
      });
      return Promise.resolve(Object.fromEntries(rows.map((r) => [`${r.tenant}/${r.id}`, amounts(r)])));
    },
    amountsIntoJson() {
      // The file as schema 15 left it: the alert history in the alerts table, the amounts in the JSON.
      for (const sql of [
        `CREATE TABLE alerts (tenant TEXT NOT NULL, id TEXT NOT NULL, order_key TEXT NOT NULL, acked_at_ms INTEGER NOT NULL,
           body TEXT NOT NULL, resolution TEXT, ack TEXT, PRIMARY KEY (tenant, id)) STRICT, WITHOUT ROWID`,
        `INSERT INTO alerts SELECT tenant, id, order_key, acked_at_ms,
           json_set(body, '$.valueNanos', CAST(value_nanos AS TEXT), '$.thresholdNanos', CAST(threshold_nanos AS TEXT)), resolution, ack FROM alert_history`,
        'DROP TABLE alert_history',
        'PRAGMA user_version = 15',
      ])
        store.query(sql);
      return Promise.resolve();
    },
  };
}

function mongo(uri: string): StoreKind {
  const store = oldMongoStore(uri, OLD_DOCUMENTS);
  const typed = (v: unknown) => `${v === null ? 'null' : typeof v}:${String(v)}`;
  return {
    ...store,
    alertDocuments: () => store.withDb((db) => db.collection('documents').countDocuments({ kind: { $in: OLD_KINDS } })),
    storedAmounts: () =>
      store.withDb(async (db) => {
        const docs = await db
          .collection<{ _id: string; tenant: string; id: string; valueNanos: unknown; thresholdNanos: unknown; body: string }>('alerts')
          .find()
          .toArray();
        return Object.fromEntries(
          docs.map((d) => [`${d.tenant}/${d.id}`, { value: typed(d.valueNanos), threshold: typed(d.thresholdNanos), inJson: amountsIn(d.body) }]),
        );
      }),
    amountsIntoJson: () =>
      store.withDb(async (db) => {
        const alerts = db.collection<{ _id: string; valueNanos?: bigint | null; thresholdNanos?: bigint | null; body: string }>('alerts');
        for (const d of await alerts.find().toArray()) {
          const body = { ...(JSON.parse(d.body) as object), valueNanos: String(d.valueNanos), thresholdNanos: String(d.thresholdNanos) };
          await alerts.updateOne({ _id: d._id }, { $set: { body: JSON.stringify(body) }, $unset: { valueNanos: '', thresholdNanos: '' } });
        }
      }),
  };
}

const kinds = oldStoreKinds('stored alerts', sqlite, mongo);

jest.setTimeout(60_000);

describe.each(kinds)('alerts stored on %s', (name, make) => {
  let kind: StoreKind;
  beforeEach(() => (kind = make()));
  afterEach(() => kind.drop());

  const everything = { asOfMs: NOW + 60_000, after: null, limit: 10 };

  it('opens a store whose alerts, tenants seen and keys-required mark are documents: the same history with its resolutions and acknowledgements, paged in order, the same tenants, the documents gone', async () => {
    await kind.oldStore();
    const store = await kind.open();
    expect(await store.alertHistory.page('acme', everything)).toEqual(ACME);
    expect(await store.alertHistory.page('globex', everything)).toEqual([{ alert: OTHER, resolution: null, ack: null }]);
    // The tenants seen, kept as documents too, move into their own table.
    expect(await store.seenTenants.all()).toEqual(['acme', 'initech']);
    // So does the mark that keys were required.
    expect(await store.keysRequired.isMarked()).toBe(true);
    expect(await store.alertHistory.page('acme', { ...everything, read: false })).toEqual([ACME[1]]);
    expect(await store.alertHistory.page('acme', { ...everything, state: 'resolved' })).toEqual([ACME[2]]);
    // The first to resolve or acknowledge stays first.
    expect(await store.alertHistory.acknowledge('acme', { ...READ, by: 'bob' })).toBe(false);
    expect(await store.alertHistory.resolve('acme', { ...RESOLVED, reason: 'again' })).toBe(false);
    expect(await store.alertHistory.ack('acme', FIRST.id)).toEqual(READ);
    await store.close();
    expect(await kind.alertDocuments()).toBe(LEFT.length);
    // Opened again, nothing moves twice.
    const again = await kind.open();
    expect(await again.alertHistory.page('acme', everything)).toEqual(ACME);
    expect(await again.seenTenants.all()).toEqual(['acme', 'initech']);
    expect((await kind.leftDocuments(['alert-tenant'])).length).toBe(0);
    expect(await again.keysRequired.isMarked()).toBe(true);
    expect(await kind.leftDocuments(['access'])).toEqual([]);
    await again.close();
  });

  const integer = name === 'sqlite' ? 'integer' : 'bigint';

  it("keeps an alert's value and threshold as integers of nanos, and an amount no 64-bit integer holds in its JSON", async () => {
    const past64 = { ...alert('acme', 'r9', NOW + 9000), valueNanos: '-1500', thresholdNanos: '99999999999999999999' };
    const store = await kind.open();
    expect(await store.alertHistory.insert(FIRST)).toBe(true);
    expect(await store.alertHistory.insert(past64)).toBe(true);
    await store.close();
    expect(await kind.storedAmounts()).toEqual({
      [`acme/${FIRST.id}`]: { value: `${integer}:60000000001`, threshold: `${integer}:50000000000`, inJson: [] },
      [`acme/${past64.id}`]: { value: `${integer}:-1500`, threshold: 'null:null', inJson: ['thresholdNanos'] },
    });
    const reopened = await kind.open();
    expect(await reopened.alertHistory.get('acme', past64.id)).toEqual(past64);
    expect((await reopened.alertHistory.page('acme', everything)).map((e) => e.alert)).toEqual([past64, FIRST]);
    await reopened.close();
  });

  it('opens a store whose alerts hold their value and threshold in their JSON as decimal strings: the same alerts, the amounts integers', async () => {
    const store = await kind.open();
    for (const a of [FIRST, OTHER]) await store.alertHistory.insert(a);
    await store.alertHistory.resolve('acme', RESOLVED);
    await store.close();
    await kind.amountsIntoJson();
    const moved = await kind.open();
    expect(await moved.alertHistory.page('acme', everything)).toEqual([{ alert: FIRST, resolution: RESOLVED, ack: null }]);
    expect(await moved.alertHistory.get('globex', OTHER.id)).toEqual(OTHER);
    await moved.close();
    const amounts = { value: `${integer}:60000000001`, threshold: `${integer}:50000000000`, inJson: [] };
    expect(await kind.storedAmounts()).toEqual({ [`acme/${FIRST.id}`]: amounts, [`globex/${OTHER.id}`]: amounts });
  });
});
