import { type DynamicModule, Global, Module } from '@nestjs/common';
import { CONFIG, type CollectorConfig } from './config';

/** Configuration is read and validated once, before the app is built (main.ts), then shared. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: CollectorConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: CONFIG, useValue: config }], exports: [CONFIG] };
  }
}
