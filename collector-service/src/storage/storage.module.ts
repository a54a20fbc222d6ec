import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type CollectorConfig } from '../config/config';
import type { StoragePort } from './storage.port';
import { STORAGE } from './storage.tokens';
import { SqliteStore } from './sqlite/sqlite.store';

async function openStore(config: CollectorConfig): Promise<StoragePort> {
  if (config.store === 'mongo') {
    throw new Error('TOKENLEDGER_STORE=mongo: the MongoDB adapter is not part of this build yet; use the embedded sqlite store');
  }
  const store = new SqliteStore(config.sqlitePath);
  await store.init();
  return store;
}

/** Provides the StoragePort adapter TOKENLEDGER_STORE chooses, and closes it on shutdown. */
@Global()
@Module({
  providers: [{ provide: STORAGE, inject: [CONFIG], useFactory: openStore }],
  exports: [STORAGE],
})
export class StorageModule implements OnApplicationShutdown {
  constructor(@Inject(STORAGE) private readonly storage: StoragePort) {}

  async onApplicationShutdown(): Promise<void> {
    await this.storage.close();
  }
}
