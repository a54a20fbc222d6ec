import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The collector service as built by `npm run build` (the repository layout is fixed). */
const COLLECTOR_DIST = join(__dirname, '..', '..', '..', '..', 'collector-service', 'dist');
const { createApp } = require(join(COLLECTOR_DIST, 'app.js'));
const { loadConfig } = require(join(COLLECTOR_DIST, 'config', 'config.js'));
// The same class object the built app registered, so `app.get` finds its instance.
const { BudgetClock } = require(join(COLLECTOR_DIST, 'budgets', 'budget-clock.js'));

export interface CollectorInJest {
  url: string;
  /** The collector's budget clock: set `now` to move every budget into another period. */
  budgetClock: { now: () => number };
  api(path: string, body?: unknown): Promise<{ status: number; body: any }>;
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
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  return {
    url,
    budgetClock: app.get(BudgetClock),
    api: async (path, body) => {
      const res = await fetch(
        url + path,
        body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      );
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
