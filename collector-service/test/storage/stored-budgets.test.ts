import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { MongoClient } from 'mongodb';
import { type Budget, budgetFromBody } from '../../src/budgets/budget';
import { MongoStore } from '../../src/storage/mongo/mongo.store';
import { SqliteStore } from '../../src/storage/sqlite/sqlite.store';
import type { StoragePort } from '../../src/storage/storage.port';

const NOW = Date.UTC(2026, 10, 30, 12);

/** Limits past what a double holds exactly (2^53 nanos is about $9M), and a small one. */
const BUDGETS: Array<{ tenant: string; budget: Budget }> = [
  { tenant: 'acme', budget: { ...budgetFromBody({ name: 'Org', period: 'month', limitUsd: '123456789.012345679' }, NOW), id: 'b1' } },
  { tenant: 'acme', budget: { ...budgetFromBody({ name: 'Team', period: 'day', limitUsd: '0.000000001', scope: { tags: { team: 'x' } } }, NOW), id: 'b2' } },
  { tenant: 'globex', budget: { ...budgetFromBody({ name: 'All', period: 'week', limitUsd: '9007199.254740993' }, NOW), id: 'b1' } },
];

/** A budget as the versions before kept it: a document whose limit is a decimal string of nanos. */
const oldDocument = ({ tenant, budget }: { tenant: string; budget: Budget }) => ({ kind: 'budget', tenant, id: budget.id, body: JSON.stringify(budget) });
/** A document of that kind that holds no budget: left where it is. */
const NOT_A_BUDGET = { kind: 'budget', tenant: 'acme', id: 'note', body: JSON.stringify({ name: 'not a budget', limitNanos: '12.5' }) };
const OLD_DOCUMENTS = [...BUDGETS.map(oldDocument), NOT_A_BUDGET];

interface StoreKind {
  /** A store as the versions before left it, holding BUDGETS as documents. */
  oldStore(): Promise<void>;
  open(): Promise<StoragePort>;
  /** How the store holds each budget's limit: its type there and its value, by tenant/id. */
  storedLimits(): Promise<Record<string, { type: string; value: string }>>;
  /** How many budgets are left among the documents. */
  budgetDocuments(): Promise<number>;
  drop(): Promise<void>;
}

function sqlite(): StoreKind {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-budgets-'));
  const path = join(dir, 'db.sqlite');
  const query = <T>(sql: string) => {
    const db = new DatabaseSync(path);
    try {
      const statement = db.prepare(sql);
      statement.setReadBigInts(true);
      return statement.all() as T[];
    } finally {
      db.close();
    }
  };
  return {
    async oldStore() {
      const store = new SqliteStore(path);
      await store.init();
      await store.close();
      // The file as schema 10 left it: budgets among the documents, no budgets table.
      const db = new DatabaseSync(path);
      db.exec('DROP TABLE budgets; PRAGMA user_version = 10;');
      const insert = db.prepare('INSERT INTO documents (kind, tenant, id, body) VALUES (?, ?, ?, ?)');
      for (const doc of OLD_DOCUMENTS) insert.run(doc.kind, doc.tenant, doc.id, doc.body);
      db.close();
    },
    async open() {
      const store = new SqliteStore(path);
      await store.init();
      return store;
    },
    storedLimits() {
      const rows = query<{ tenant: string; id: string; type: string; limit_nanos: bigint }>(
        'SELECT tenant, id, typeof(limit_nanos) AS type, limit_nanos FROM budgets',
      );
      return Promise.resolve(Object.fromEntries(rows.map((r) => [`${r.tenant}/${r.id}`, { type: r.type, value: String(r.limit_nanos) }])));
    },
    budgetDocuments() {
      return Promise.resolve(Number(query<{ n: bigint }>("SELECT COUNT(*) AS n FROM documents WHERE kind = 'budget'")[0].n));
    },
    drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

function mongo(uri: string): StoreKind {
  const dbName = `budgets_${randomBytes(4).toString('hex')}`;
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
    storedLimits: () =>
      withDb(async (db) => {
        const docs = await db.collection<{ _id: string; tenant: string; id: string; limitNanos: unknown }>('budgets').find().toArray();
        return Object.fromEntries(docs.map((d) => [`${d.tenant}/${d.id}`, { type: typeof d.limitNanos, value: String(d.limitNanos) }]));
      }),
    budgetDocuments: () => withDb((db) => db.collection('documents').countDocuments({ kind: 'budget' })),
    drop: () => withDb((db) => db.dropDatabase().then(() => undefined)),
  };
}

// Against the MongoDB-wire server in MONGODB_URI (FerretDB, started by the test command). Without one
// the suite fails rather than pass untested.
const uri = process.env.MONGODB_URI;
const kinds: Array<[string, () => StoreKind]> = [['sqlite', sqlite]];
if (uri) kinds.push(['mongo', () => mongo(uri)]);
else
  test('the stored budgets suite has a MongoDB-wire server to run against', () => {
    throw new Error('MONGODB_URI is not set: run the tests with ./run test (it starts FerretDB) or point MONGODB_URI at a MongoDB');
  });

jest.setTimeout(60_000);

describe.each(kinds)('budgets stored on %s', (name, make) => {
  let kind: StoreKind;
  const integer = name === 'sqlite' ? 'integer' : 'bigint';
  beforeEach(() => (kind = make()));
  afterEach(() => kind.drop());

  it('keeps a limit as an integer of nanos, exact past what a double holds', async () => {
    const store = await kind.open();
    for (const { tenant, budget } of BUDGETS) await store.budgets.save(tenant, budget);
    await store.close();
    expect(await kind.storedLimits()).toEqual({
      'acme/b1': { type: integer, value: '123456789012345679' },
      'acme/b2': { type: integer, value: '1' },
      'globex/b1': { type: integer, value: '9007199254740993' },
    });
    const reopened = await kind.open();
    expect(await reopened.budgets.listAll()).toEqual(BUDGETS.map(({ tenant, budget }) => ({ tenant, entity: budget })));
    await reopened.close();
  });

  it('opens a store whose budgets are documents with the limit as a decimal string: the same budgets to the nano, the limits integers, the documents gone', async () => {
    await kind.oldStore();
    const store = await kind.open();
    expect(await store.budgets.listAll()).toEqual(BUDGETS.map(({ tenant, budget }) => ({ tenant, entity: budget })));
    expect(await store.budgets.get('acme', 'b1')).toEqual(BUDGETS[0].budget);
    await store.close();
    expect(Object.values(await kind.storedLimits()).map((l) => l.type)).toEqual([integer, integer, integer]);
    // Only the document that holds no budget is left.
    expect(await kind.budgetDocuments()).toBe(1);
    // Opened again, nothing moves twice.
    const again = await kind.open();
    expect((await again.budgets.list('acme')).map((b) => b.limitNanos)).toEqual(['123456789012345679', '1']);
    await again.close();
  });
});
