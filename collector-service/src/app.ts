import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
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
  // The adapter is given explicitly so Nest never has to find the package itself (workspace hoisting varies).
  const app = await NestFactory.create(AppModule.forRoot(config), new ExpressAdapter(), { bodyParser: false, logger: options.logger ?? ['log', 'warn', 'error'] });
  const parseJson = json({ limit: '1mb' });
  app.use((req: Request, res: Response, next: NextFunction) => (RAW_BODY_ROUTES.has(req.path) ? next() : parseJson(req, res, next)));
  const openApi = new DocumentBuilder()
    .setTitle('tokenledger collector')
    .setDescription('Receives GenAI spans over OTLP, prices them exactly, and reports what AI calls cost. Money is integer nano-USD; every amount is given as ...Nanos and ...Usd strings.')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi));
  app.enableShutdownHooks();
  return app;
}
