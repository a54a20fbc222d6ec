import { type DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CONFIG, type CollectorConfig } from '../config/config';
import type { StoragePort } from './storage.port';
import { API_KEYS, RECORDS_READER, RECORDS_WRITER, ROLLUP_READER, STORAGE } from './storage.tokens';
import { REPOSITORY_PROVIDERS, REPOSITORY_TOKENS } from './repositories/repositories';
import { MongoStore } from './mongo/mongo.store';
import { RetentionService } from './retention.service';
import { SqliteStore } from './sqlite/sqlite.store';
import { StoreFaultFilter } from './store-fault.filter';
import { FaultMarkedStore } from './store-faults';

/** Opens the adapter the configuration names (also used by the CLI). */
export async function openStore(config: CollectorConfig): Promise<StoragePort> {
  const store = config.store === 'mongo' ? new MongoStore(config.mongodbUri!, { cachedRows: config.mongoCachedRows }) : new SqliteStore(config.sqlitePath);
  await store.init();
  return store;
}

const ROLES = [RECORDS_WRITER, RECORDS_READER, ROLLUP_READER, API_KEYS];

/**
 * Provides the StoragePort adapter TOKENLEDGER_STORE chooses (its failures marked as StoreFaultErrors
 * and answered 503), its roles and the entity repositories on it, and closes it on shutdown. The
 * service's start opens it first (`opened`), so it can wait for a MongoDB that is not up yet before
 * the app is built; otherwise it is opened here.
 */
@Global()
@Module({})
export class StorageModule implements OnApplicationShutdown {
  static forRoot(opened?: StoragePort): DynamicModule {
    return {
      module: StorageModule,
      providers: [
        // Every failure of the store is marked a StoreFaultError on its way out, and so answered 503.
        { provide: STORAGE, inject: [CONFIG], useFactory: async (config: CollectorConfig) => new FaultMarkedStore(opened ?? (await openStore(config))) },
        // The store's roles, each under its own token: the same adapter.
        ...ROLES.map((token) => ({ provide: token, useExisting: STORAGE })),
        ...REPOSITORY_PROVIDERS,
        RetentionService,
        // Whatever the store fails is answered "retry later", from any controller.
        { provide: APP_FILTER, useClass: StoreFaultFilter },
      ],
      exports: [STORAGE, ...ROLES, ...REPOSITORY_TOKENS, RetentionService],
    };
  }

  constructor(@Inject(STORAGE) private readonly storage: StoragePort) {}

  async onApplicationShutdown(): Promise<void> {
    await this.storage.close();
  }
}
