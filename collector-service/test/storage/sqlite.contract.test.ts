import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/storage/sqlite/sqlite.store';
import { record } from '../support/records';
import { storageContract } from './storage.contract';

async function open(path: string): Promise<SqliteStore> {
  const store = new SqliteStore(path);
  await store.init();
  return store;
}

storageContract('sqlite', {
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'tokenledger-sqlite-'));
    const path = join(dir, 'db.sqlite');
    const store = await open(path);
    return {
      store,
      another: () => open(path),
      destroy: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});

describe('sqlite: one transaction per batch', () => {
  it('leaves records and rollups untouched when a batch fails half way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenledger-sqlite-'));
    const store = await open(join(dir, 'db.sqlite'));
    const ALL = { tenant: 'default', fromMs: 0, toMs: Date.UTC(2100, 0, 1), filters: {} };
    await store.ingest([record()]);
    const broken = record();
    (broken as unknown as { costNanos: unknown }).costNanos = { not: 'money' };
    await expect(store.ingest([record(), broken])).rejects.toThrow();
    expect((await store.aggregate({ ...ALL, groupBy: [] }))[0].calls).toBe(1);
    expect((await store.listRecords({ ...ALL, limit: 10 })).records).toHaveLength(1);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
