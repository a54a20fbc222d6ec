import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { MongoClient } from 'mongodb';
import { createApp } from '../../src/app';
import { type CollectorConfig, loadConfig } from '../../src/config/config';
import { IngestEvents } from '../../src/ingest/ingest-events';
import { OtlpGrpcReceiver } from '../../src/ingest/otlp-grpc.receiver';
import type { IngestOutcome, StoragePort } from '../../src/storage/storage.port';
import { STORAGE } from '../../src/storage/storage.tokens';
import type { UsageRecord } from '../../src/usage/usage-record';

export interface RunningCollector {
  app: INestApplication;
  url: string;
  /** host:port of the OTLP/gRPC receiver, when asked for. */
  grpcAddress: string | null;
  config: CollectorConfig;
  close(): Promise<void>;
}

/**
 * The real service on 127.0.0.1 (or TOKENLEDGER_HOST) with an ephemeral port and a fresh SQLite file;
 * `url` is on 127.0.0.1. With `grpc`, its OTLP/gRPC receiver listens too, on another ephemeral port.
 */
export async function startCollector(env: Record<string, string> = {}, options: { grpc?: boolean } = {}): Promise<RunningCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-collector-'));
  const config = loadConfig({ TOKENLEDGER_SQLITE_PATH: join(dir, 'tokenledger.sqlite'), TOKENLEDGER_PORT: '0', ...env });
  const app = await createApp(config, { logger: false });
  await app.init();
  const grpcPort = options.grpc ? await app.get(OtlpGrpcReceiver).listen(0, config.host) : null;
  await app.listen(0, config.host);
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    grpcAddress: grpcPort === null ? null : `127.0.0.1:${grpcPort}`,
    config,
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Stores priced records as the service's ingest does: through its store, announced to what listens
 * to ingest (the budget spend cache, alerts, metering), without the OTLP decoding and pricing before.
 */
export function ingestRecords(app: INestApplication, records: UsageRecord[]): Promise<IngestOutcome> {
  const storage = app.get<StoragePort>(STORAGE);
  return app.get(IngestEvents).storing(records, (batch) => storage.ingest(batch));
}

/** A store of a test's own: the settings that open it (again, after a restart), and what deletes it. */
export interface OwnStore {
  env: Record<string, string>;
  drop(): Promise<void>;
}

/**
 * How a test opens a store: called, the settings of a fresh one (SQLite: the file of each
 * startCollector); `own()`, a store that outlives the service on it until the test drops it.
 */
export interface StoreEnvironment {
  (): Record<string, string>;
  own(): OwnStore;
}

/** The stores a test runs the service on: SQLite always, and a fresh database `<prefix>_<random>` on MONGODB_URI (FerretDB in the test command) when set. */
export function storeEnvironments(prefix: string): [string, StoreEnvironment][] {
  const ownSqlite = (): OwnStore => {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    return { env: { TOKENLEDGER_SQLITE_PATH: join(dir, 'db.sqlite') }, drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
  };
  const stores: [string, StoreEnvironment][] = [['sqlite', Object.assign(() => ({}), { own: ownSqlite })]];
  const uri = process.env.MONGODB_URI;
  if (uri) {
    const mongoEnv = () => {
      const url = new URL(uri);
      url.pathname = `/${prefix}_${randomBytes(4).toString('hex')}`;
      return { TOKENLEDGER_STORE: 'mongo', MONGODB_URI: url.toString() };
    };
    const ownMongo = (): OwnStore => {
      const env = mongoEnv();
      return { env, drop: () => dropDatabase(env.MONGODB_URI) };
    };
    stores.push(['mongo', Object.assign(mongoEnv, { own: ownMongo })]);
  }
  return stores;
}

async function dropDatabase(uri: string): Promise<void> {
  const client = await new MongoClient(uri).connect();
  try {
    await client.db().dropDatabase();
  } finally {
    await client.close();
  }
}
