import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type CollectorConfig } from '../config/config';
import type { StoragePort } from './storage.port';
import { STORAGE } from './storage.tokens';
import { MongoStore } from './mongo/mongo.store';
import { RetentionService } from './retention.service';
import { SqliteStore } from './sqlite/sqlite.store';
import { StoredRecordsFeed } from './stored-records.feed';

/** Opens the adapter the configuration names (also used by the CLI). */
export async function openStore(config: CollectorConfig): Promise<StoragePort> {
  const store = config.store === 'mongo' ? new MongoStore(config.mongodbUri!) : new SqliteStore(config.sqlitePath);
  await store.init();
  return store;
}

/**
 * Provides the StoragePort adapter TOKENLEDGER_STORE chooses (its ingests reported to the
 * StoredRecordsFeed), and closes it on shutdown.
 */
@Global()
@Module({
  providers: [
    { provide: StoredRecordsFeed, useFactory: () => new StoredRecordsFeed() },
    { provide: STORAGE, inject: [CONFIG, StoredRecordsFeed], useFactory: async (config: CollectorConfig, feed: StoredRecordsFeed) => feed.observe(await openStore(config)) },
    RetentionService,
  ],
  exports: [STORAGE, StoredRecordsFeed, RetentionService],
})
export class StorageModule implements OnApplicationShutdown {
  constructor(@Inject(STORAGE) private readonly storage: StoragePort) {}

  async onApplicationShutdown(): Promise<void> {
    await this.storage.close();
  }
}
