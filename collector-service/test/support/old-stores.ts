import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { deflateRawSync } from 'node:zlib';
import { Binary, type Db, MongoClient } from 'mongodb';
import { MongoStore } from '../../src/storage/mongo/mongo.store';
import type { SumsRow } from '../../src/storage/mongo/sums-table';
import { NUMBER_MEASURES } from '../../src/storage/rollup-measures';
import { SqliteStore } from '../../src/storage/sqlite/sqlite.store';
import type { StoragePort } from '../../src/storage/storage.port';

/** A document as the versions before kept what now has a table (sqlite) or collection (mongo) of its own. */
export interface OldDocument {
  kind: string;
  tenant: string;
  id: string;
  body: string;
}

export const oldDocument = (kind: string, tenant: string, id: string, body: object): OldDocument => ({ kind, tenant, id, body: JSON.stringify(body) });

/** A store that an earlier version left holding some documents, to open with this one (a migration's test). */
export interface OldStore {
  /** Writes the store as the version before left it, holding the documents. */
  oldStore(): Promise<void>;
  /** Opens it with this version (closed by the caller). */
  open(): Promise<StoragePort>;
  /** The kind/tenant/id of the documents of these kinds left among the documents, in that order. */
  leftDocuments(kinds: readonly string[]): Promise<string[]>;
  drop(): Promise<void>;
}

/**
 * A sqlite file as schema `schema` left it: `tables` not there yet, `documents` among the documents;
 * `query` reads the file as it is (integers as bigint).
 */
export function oldSqliteStore(documents: readonly OldDocument[], before: { tables: readonly string[]; schema: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-old-store-'));
  const path = join(dir, 'db.sqlite');
  const open = async () => {
    const store = new SqliteStore(path);
    await store.init();
    return store;
  };
  const query = <T>(sql: string, ...params: SQLInputValue[]): T[] => {
    const db = new DatabaseSync(path);
    try {
      const statement = db.prepare(sql);
      statement.setReadBigInts(true);
      return statement.all(...params) as T[];
    } finally {
      db.close();
    }
  };
  return {
    async oldStore() {
      await (await open()).close();
      const db = new DatabaseSync(path);
      db.exec(`${before.tables.map((table) => `DROP TABLE ${table};`).join(' ')} PRAGMA user_version = ${before.schema};`);
      const insert = db.prepare('INSERT INTO documents (kind, tenant, id, body) VALUES (?, ?, ?, ?)');
      for (const d of documents) insert.run(d.kind, d.tenant, d.id, d.body);
      db.close();
    },
    open,
    query,
    leftDocuments: (kinds: readonly string[]) =>
      Promise.resolve(
        query<{ address: string }>(
          `SELECT kind || '/' || tenant || '/' || id AS address FROM documents WHERE kind IN (${kinds.map(() => '?').join(', ')}) ORDER BY kind, tenant, id`,
          ...kinds,
        ).map((r) => r.address),
      ),
    drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  } satisfies OldStore & Record<string, unknown>;
}

/** A mongo database of its own holding `documents` in its documents collection, as the versions before kept them; `withDb` reads it as it is. */
export function oldMongoStore(uri: string, documents: readonly OldDocument[]) {
  const dbName = `old_store_${randomBytes(4).toString('hex')}`;
  const withDb = async <T>(use: (db: Db) => Promise<T>): Promise<T> => {
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
        const docs = documents.map((d) => ({ _id: JSON.stringify([d.kind, d.tenant, d.id]), ...d }));
        await db.collection<{ _id: string }>('documents').insertMany(docs);
      }),
    async open() {
      const store = new MongoStore(uri, { dbName, compaction: { everyMs: 0 } });
      await store.init();
      return store;
    },
    withDb,
    leftDocuments: (kinds: readonly string[]) =>
      withDb(async (db) =>
        (
          await db
            .collection<{ _id: string; kind: string; tenant: string; id: string }>('documents')
            .find({ kind: { $in: [...kinds] } })
            .sort({ kind: 1, tenant: 1, id: 1 })
            .toArray()
        ).map((d) => `${d.kind}/${d.tenant}/${d.id}`),
      ),
    drop: () => withDb((db) => db.dropDatabase().then(() => undefined)),
  } satisfies OldStore & Record<string, unknown>;
}

/**
 * The stores a migration's suite runs on: sqlite, and mongo against the MongoDB-wire server in
 * MONGODB_URI (FerretDB, started by the test command). Without one the suite fails rather than pass
 * untested.
 */
export function oldStoreKinds<K extends OldStore>(suite: string, sqlite: () => K, mongo: (uri: string) => K): Array<[string, () => K]> {
  const uri = process.env.MONGODB_URI;
  const kinds: Array<[string, () => K]> = [['sqlite', sqlite]];
  if (uri) kinds.push(['mongo', () => mongo(uri)]);
  else
    test(`the ${suite} suite has a MongoDB-wire server to run against`, () => {
      throw new Error('MONGODB_URI is not set: run the tests with ./run test (it starts FerretDB) or point MONGODB_URI at a MongoDB');
    });
  return kinds;
}

/**
 * Rows packed as the versions before dictionary columns packed a compacted document's or a batch's
 * table (sums-table.ts): one deflated JSON of columns, key parts by column, the cost as a number when
 * it is a safe integer (else its digits), the other measures by column.
 */
export function jsonColumns(rows: readonly SumsRow[], parts: number): Binary {
  const safe = (cost: bigint) => cost >= -BigInt(Number.MAX_SAFE_INTEGER) && cost <= BigInt(Number.MAX_SAFE_INTEGER);
  const packed = {
    k: Array.from({ length: parts }, (_, i) => rows.map((row) => row.key[i] ?? null)),
    c: rows.map(({ sums }) => (safe(sums.costNanos) ? Number(sums.costNanos) : sums.costNanos.toString())),
    m: NUMBER_MEASURES.map((m) => rows.map(({ sums }) => sums[m.name])),
  };
  return new Binary(deflateRawSync(JSON.stringify(packed), { level: 1 }));
}
