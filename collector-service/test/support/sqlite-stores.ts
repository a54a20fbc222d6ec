import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FOLD_SETTINGS, type FoldSettings } from '../../src/storage/sqlite/rollup-folds';
import { SqliteStore } from '../../src/storage/sqlite/sqlite.store';

/**
 * A fresh database file for each test of the calling `describe`, and every store opened on it closed
 * after the test: several stores on one file stand for a restart or a second process.
 */
export function sqliteStoresPerTest(prefix: string) {
  let dir = '';
  let path = '';
  const opened: SqliteStore[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    path = join(dir, 'db.sqlite');
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    path: () => path,
    open: async (settings: FoldSettings = DEFAULT_FOLD_SETTINGS) => {
      const store = new SqliteStore(path, settings);
      await store.init();
      opened.push(store);
      return store;
    },
  };
}
