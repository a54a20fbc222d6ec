import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { MongoClient } from 'mongodb';
import { type Ack, alertId, type Resolution, type StoredAlert } from '../../src/alerts/alert';
import { MongoStore } from '../../src/storage/mongo/mongo.store';
import type { AlertEntry } from '../../src/storage/repositories/alerts.repository';
import { SqliteStore } from '../../src/storage/sqlite/sqlite.store';
import type { StoragePort } from '../../src/storage/storage.port';

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
const doc = (kind: string, tenant: string, id: string, body: object) => ({ kind, tenant, id, body: JSON.stringify(body) });
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

interface StoreKind {
  /** A store as the versions before left it, holding OLD_DOCUMENTS. */
  oldStore(): Promise<void>;
  open(): Promise<StoragePort>;
  /** The documents left of the alerts' old kinds. */
  alertDocuments(): Promise<number>;
  drop(): Promise<void>;
}

const OLD_KINDS = ['alert', 'alert-resolution', 'alert-ack'];

function sqlite(): StoreKind {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-alerts-'));
  const path = join(dir, 'db.sqlite');
  return {
    async oldStore() {
      const store = new SqliteStore(path);
      await store.init();
      await store.close();
      // The file as schema 11 left it: alerts among the documents, no alerts table.
      const db = new DatabaseSync(path);
      db.exec('DROP TABLE alerts; PRAGMA user_version = 11;');
      const insert = db.prepare('INSERT INTO documents (kind, tenant, id, body) VALUES (?, ?, ?, ?)');
      for (const d of OLD_DOCUMENTS) insert.run(d.kind, d.tenant, d.id, d.body);
      db.close();
    },
    async open() {
      const store = new SqliteStore(path);
      await store.init();
      return store;
    },
    alertDocuments() {
      const db = new DatabaseSync(path);
      try {
        return Promise.resolve(
          (db.prepare(`SELECT COUNT(*) AS n FROM documents WHERE kind IN (${OLD_KINDS.map(() => '?').join(', ')})`).get(...OLD_KINDS) as { n: number }).n,
        );
      } finally {
        db.close();
      }
    },
    drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

function mongo(uri: string): StoreKind {
  const dbName = `alerts_${randomBytes(4).toString('hex')}`;
  const withDb = async <T>(use: (db: ReturnType<MongoClient['db']>) => Promise<T>): Promise<T> => {
    const client = await new MongoClient(uri, { useBigInt64: true }).connect();
    try {
      return await use(client.db(dbName));
    } finally {
      await client.close();
    }
  };
  return {
    oldStore: () =>
      withDb(async (db) => {
        const docs = OLD_DOCUMENTS.map((d) => ({ _id: JSON.stringify([d.kind, d.tenant, d.id]), ...d }));
        await db.collection<{ _id: string }>('documents').insertMany(docs);
      }),
    async open() {
      const store = new MongoStore(uri, { dbName, compaction: { everyMs: 0 } });
      await store.init();
      return store;
    },
    alertDocuments: () => withDb((db) => db.collection('documents').countDocuments({ kind: { $in: OLD_KINDS } })),
    drop: () => withDb((db) => db.dropDatabase().then(() => undefined)),
  };
}

// Against the MongoDB-wire server in MONGODB_URI (FerretDB, started by the test command). Without one
// the suite fails rather than pass untested.
const uri = process.env.MONGODB_URI;
const kinds: Array<[string, () => StoreKind]> = [['sqlite', sqlite]];
if (uri) kinds.push(['mongo', () => mongo(uri)]);
else
  test('the stored alerts suite has a MongoDB-wire server to run against', () => {
    throw new Error('MONGODB_URI is not set: run the tests with ./run test (it starts FerretDB) or point MONGODB_URI at a MongoDB');
  });

jest.setTimeout(60_000);

describe.each(kinds)('alerts stored on %s', (_name, make) => {
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
    expect((await again.listDocuments('alert-tenant', null)).length).toBe(0);
    expect(await again.keysRequired.isMarked()).toBe(true);
    expect(await again.getDocument('access', 'default', 'keys-required')).toBeNull();
    await again.close();
  });
});
