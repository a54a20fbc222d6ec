import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { json, type NextFunction, type Request, type Response } from 'express';
import { AppModule } from './app.module';
import type { CollectorConfig } from './config/config';

/** OTLP routes read their raw bytes themselves (size limit while streaming, protobuf or JSON, gzip). */
const RAW_BODY_ROUTES = new Set(['/v1/traces', '/v1/metrics']);

/**
 * Builds the service. Nest's own body parser is off; JSON bodies of the API (keys, budgets) are
 * parsed with a small limit, and the OTLP routes are left alone.
 */
export async function createApp(config: CollectorConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), { bodyParser: false, logger: options.logger ?? ['log', 'warn', 'error'] });
  const parseJson = json({ limit: '1mb' });
  app.use((req: Request, res: Response, next: NextFunction) => (RAW_BODY_ROUTES.has(req.path) ? next() : parseJson(req, res, next)));
  app.enableShutdownHooks();
  return app;
}
