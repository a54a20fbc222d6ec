import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/app';
import { type CollectorConfig, loadConfig } from '../../src/config/config';
import { OtlpGrpcReceiver } from '../../src/ingest/otlp-grpc.receiver';

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
