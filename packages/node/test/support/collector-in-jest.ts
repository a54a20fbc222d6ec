import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectorApi } from './collector-api';

/** The collector service as built by `npm run build` (the repository layout is fixed). */
const COLLECTOR_DIST = join(__dirname, '..', '..', '..', '..', 'collector-service', 'dist');
const { createApp } = require(join(COLLECTOR_DIST, 'app.js')) as typeof import('../../../../collector-service/dist/app');
const { loadConfig } = require(join(COLLECTOR_DIST, 'config', 'config.js')) as typeof import('../../../../collector-service/dist/config/config');
// The same class object the built app registered, so `app.get` finds its instance.
const { BudgetClock } = require(join(COLLECTOR_DIST, 'budgets', 'budget-clock.js')) as typeof import('../../../../collector-service/dist/budgets/budget-clock');

export interface CollectorInJest {
  url: string;
  /** The collector's budget clock: set `now` to move every budget into another period. */
  budgetClock: { now: () => number };
  api<T>(path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/**
 * The real built collector inside the jest process (open mode, loopback, a fresh SQLite file), for
 * tests that must reach its objects, such as the budget clock, while an app runs as its own process.
 */
export async function startCollectorInJest(): Promise<CollectorInJest> {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-node-collector-'));
  const app = await createApp(loadConfig({ TOKENLEDGER_SQLITE_PATH: join(dir, 'tokenledger.sqlite'), TOKENLEDGER_PORT: '0' }), { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  return {
    url,
    budgetClock: app.get(BudgetClock),
    api: (path, body) => collectorApi(url, path, body),
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
