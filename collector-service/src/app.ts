import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import type { CollectorConfig } from './config/config';

/**
 * Builds the service. Bodies are read by the handlers themselves (OTLP needs the raw bytes, with the
 * size limit applied while streaming), so Nest's JSON body parser is off.
 */
export async function createApp(config: CollectorConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), { bodyParser: false, logger: options.logger ?? ['log', 'warn', 'error'] });
  app.enableShutdownHooks();
  return app;
}
