import 'reflect-metadata';
import type { Server } from 'node:http';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { json, type NextFunction, type Request, type Response } from 'express';
import { AppModule } from './app.module';
import type { CollectorConfig } from './config/config';
import { openApiDocument } from './http/openapi';
import { loadLogSettings, ServiceLogger } from './logging/service-logger';
import { traceHttpClose, traceShutdownHooks } from './startup/shutdown-trace';
import type { StoragePort } from './storage/storage.port';

/** OTLP routes read their raw bytes themselves (size limit while streaming, protobuf or JSON, gzip). */
const RAW_BODY_ROUTES = new Set(['/v1/traces', '/v1/metrics']);

export interface AppOptions {
  /** The service's logger (default: one from TOKENLEDGER_LOG_*), or false for none. */
  logger?: LoggerService | false;
  /** A store opened already (the start waits for it); without it the app opens the configured one. */
  store?: StoragePort;
}

/**
 * Builds the service. Nest's own body parser is off; JSON bodies of the API (keys, budgets) are
 * parsed with a small limit, and the OTLP routes are left alone. A failure while building is thrown
 * to the caller (never a process exit), which says it in one line.
 */
/**
 * Slow and idle clients cannot hold the service's sockets open: a connection must send all of a
 * request's headers within the header timeout (a connection that sends nothing included) and the
 * whole request within the request timeout, and a keep-alive connection idle between requests is
 * closed after the idle timeout. A request being answered is never cut, however long its answer takes:
 * a socket inactivity timeout (server.setTimeout) would close it without an answer.
 */
function limitConnections(server: Server, config: CollectorConfig): void {
  server.timeout = 0;
  server.headersTimeout = config.httpHeadersTimeoutSeconds * 1000;
  server.requestTimeout = config.httpRequestTimeoutSeconds * 1000;
  server.keepAliveTimeout = config.httpIdleTimeoutSeconds * 1000;
  // Node checks the header and request timeouts of open connections on this interval, read when the
  // server starts listening (30 s by default; @types/node declares it only as a createServer option):
  // a quarter of the header timeout, at most 5 s, keeps each timeout close to its setting.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(5_000, server.headersTimeout / 4);
}

export async function createApp(config: CollectorConfig, options: AppOptions = {}): Promise<INestApplication> {
  // The adapter is given explicitly so Nest never has to find the package itself (workspace hoisting varies).
  const app = await NestFactory.create(AppModule.forRoot(config, options.store), new ExpressAdapter(), {
    bodyParser: false,
    logger: options.logger ?? new ServiceLogger(loadLogSettings()),
    abortOnError: false,
    // Each shutdown hook says at debug when it starts and ends, so a shutdown that hangs names the hook.
    instrument: { instanceDecorator: traceShutdownHooks },
  });
  const parseJson = json({ limit: '1mb' });
  app.use((req: Request, res: Response, next: NextFunction) => (RAW_BODY_ROUTES.has(req.path) ? next() : parseJson(req, res, next)));
  SwaggerModule.setup('docs', app, () => openApiDocument(app));
  limitConnections(app.getHttpServer() as Server, config);
  traceHttpClose(app);
  app.enableShutdownHooks();
  return app;
}
