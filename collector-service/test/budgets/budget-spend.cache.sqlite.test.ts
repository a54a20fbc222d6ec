import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/storage/sqlite/sqlite.store';
import { spendCacheSuite } from './budget-spend.cache';

spendCacheSuite('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-cache-'));
  const store = new SqliteStore(join(dir, 'db.sqlite'));
  await store.init();
  return {
    store,
    destroy: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
