import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
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
  const { port } = app.getHttpServer().address() as AddressInfo;
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

/** The stores a test runs the service on: SQLite always, and a fresh database `<prefix>_<random>` on MONGODB_URI (FerretDB in the test command) when set. */
export function storeEnvironments(prefix: string): [string, () => Record<string, string>][] {
  const uri = process.env.MONGODB_URI;
  const stores: [string, () => Record<string, string>][] = [['sqlite', () => ({})]];
  if (uri) {
    stores.push([
      'mongo',
      () => {
        const url = new URL(uri);
        url.pathname = `/${prefix}_${randomBytes(4).toString('hex')}`;
        return { TOKENLEDGER_STORE: 'mongo', MONGODB_URI: url.toString() };
      },
    ]);
  }
  return stores;
}
