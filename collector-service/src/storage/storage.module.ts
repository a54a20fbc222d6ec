import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type CollectorConfig } from '../config/config';
import type { StoragePort } from './storage.port';
import { STORAGE } from './storage.tokens';
import { MongoStore } from './mongo/mongo.store';
import { RetentionService } from './retention.service';
import { SqliteStore } from './sqlite/sqlite.store';

/** Opens the adapter the configuration names (also used by the CLI). */
export async function openStore(config: CollectorConfig): Promise<StoragePort> {
  const store = config.store === 'mongo' ? new MongoStore(config.mongodbUri!) : new SqliteStore(config.sqlitePath);
  await store.init();
  return store;
}

/** Provides the StoragePort adapter TOKENLEDGER_STORE chooses, and closes it on shutdown. */
@Global()
@Module({
  providers: [{ provide: STORAGE, inject: [CONFIG], useFactory: openStore }, RetentionService],
  exports: [STORAGE, RetentionService],
})
export class StorageModule implements OnApplicationShutdown {
  constructor(@Inject(STORAGE) private readonly storage: StoragePort) {}

  async onApplicationShutdown(): Promise<void> {
    await this.storage.close();
  }
}
