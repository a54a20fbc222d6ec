import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/app';
import { type CollectorConfig, loadConfig } from '../../src/config/config';

export interface RunningCollector {
  app: INestApplication;
  url: string;
  config: CollectorConfig;
  close(): Promise<void>;
}

/** The real service on 127.0.0.1 (or TOKENLEDGER_HOST) with an ephemeral port and a fresh SQLite file; `url` is on 127.0.0.1. */
export async function startCollector(env: Record<string, string> = {}): Promise<RunningCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-collector-'));
  const config = loadConfig({ TOKENLEDGER_SQLITE_PATH: join(dir, 'tokenledger.sqlite'), TOKENLEDGER_PORT: '0', ...env });
  const app = await createApp(config, { logger: false });
  await app.listen(0, config.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    config,
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
