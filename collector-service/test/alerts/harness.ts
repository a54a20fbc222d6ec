import { AlertClock } from '../../src/alerts/alert-clock';
import type { AlertDto, AlertPageDto } from '../../src/alerts/alert.dto';
import type { AlertRuleDto, AlertRuleListDto } from '../../src/alerts/alert-rule.dto';
import { AlertEvaluator } from '../../src/alerts/alert-evaluator.service';
import { AlertSchedule } from '../../src/alerts/alert-schedule.service';
import { type Budget, budgetFromBody } from '../../src/budgets/budget';
import { BudgetsService } from '../../src/budgets/budgets.service';
import type { StoragePort } from '../../src/storage/storage.port';
import { STORAGE } from '../../src/storage/storage.tokens';
import type { UsageRecord } from '../../src/usage/usage-record';
import { callAs } from '../support/api';
import { record } from '../support/records';
import { ingestRecords, type RunningCollector, startCollector, storeEnvironments } from '../support/app';
import { type HttpReceiver, startHttpReceiver } from '../channels/receivers';
import { verifySignature } from '../../src/channels/signature';

/** The stores alert tests run on: SQLite always, and a fresh database on MONGODB_URI (FerretDB in the test command) when set. */
export const alertStores = () => storeEnvironments('tokenledger_alerts');

export const ADMIN_KEY = 'admin-key-for-tests-0123456789abcdef';
export const SECRET = 'whsec-0123456789abcdef';
export const USD = 1_000_000_000n;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** The injected clock: Tuesday 24 November 2026, 13:05 UTC. */
export const NOW = Date.UTC(2026, 10, 24, 13, 5);

/** A call to the service with the admin key (or `key`), its answer read as T (null when the body is empty). */
export const api = <T>(c: RunningCollector, method: string, path: string, body?: unknown, key = ADMIN_KEY) => callAs<T>(c, key, method, path, body);

/** A collector (schedule off: tests evaluate with an injected clock) and a webhook receiver that checks signatures, as the tenant's default channel. */
export interface AlertHarness {
  c: RunningCollector;
  hook: HttpReceiver;
  storage: StoragePort;
  /** A budget of `default` made at NOW, written to the store as another instance would, and synced (what budget passes read). */
  budget(body: Record<string, unknown>): Promise<Budget>;
  evaluate(nowMs?: number): ReturnType<AlertEvaluator['evaluate']>;
  /** Stores records as ingest does (their amounts go into the rollups), and waits for the after-ingest budget run. */
  spend(...records: Partial<UsageRecord>[]): Promise<void>;
  /** Waits until the budget evaluations that ingests triggered have run. */
  settled(): Promise<void>;
  /** Webhook bodies received so far. */
  received(): Record<string, unknown>[];
  alerts(query?: string): Promise<AlertDto[]>;
  /** Every rule of the tenant but the one type, disabled: each test sees one rule's alerts. */
  only(type: string, patch?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** The alerts' clock is NOW unless `realClock` (for the schedule's own timer). */
export async function startAlertHarness(env: Record<string, string> = {}, options: { realClock?: boolean } = {}): Promise<AlertHarness> {
  const c = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY, TOKENLEDGER_ALERT_INTERVAL_SECONDS: '0', TOKENLEDGER_ALERT_RETRY_BASE_MS: '0', ...env });
  const hook = await startHttpReceiver((req) => {
    const invalid = verifySignature(SECRET, req.body, req.headers['tokenledger-signature'] as string, Math.floor(Date.now() / 1000));
    return invalid ? { status: 401, body: invalid } : { status: 200 };
  });
  const channel = await api(c, 'POST', '/v1/channels', { type: 'webhook', name: 'hook', url: hook.url, secret: SECRET, default: true });
  if (channel.status !== 201) throw new Error(`channel: ${JSON.stringify(channel.body)}`);
  const storage = c.app.get<StoragePort>(STORAGE);
  const evaluator = c.app.get(AlertEvaluator);
  const schedule = c.app.get(AlertSchedule);
  if (!options.realClock) c.app.get(AlertClock).now = () => NOW;
  return {
    c,
    hook,
    storage,
    budget: async (body) => {
      const b = budgetFromBody(body, NOW);
      await storage.budgets.save('default', b);
      await c.app.get(BudgetsService).sync();
      return b;
    },
    evaluate: (nowMs = NOW) => evaluator.evaluate(nowMs),
    spend: async (...records) => {
      await ingestRecords(
        c.app,
        records.map((r) => record(r)),
      );
      await schedule.settled();
    },
    settled: () => schedule.settled(),
    received: () => hook.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>),
    alerts: async (query = '') => (await api<AlertPageDto>(c, 'GET', `/v1/alerts${query}`)).body.alerts,
    only: async (type, patch = {}) => {
      const { rules } = (await api<AlertRuleListDto>(c, 'GET', '/v1/alert-rules')).body;
      let id = '';
      for (const rule of rules) {
        if (rule.type === type) id = rule.id;
        await api(c, 'PATCH', `/v1/alert-rules/${rule.id}`, rule.type === type ? patch : { enabled: false });
      }
      if (!id) id = (await api<AlertRuleDto>(c, 'POST', '/v1/alert-rules', { type, ...patch })).body.id;
      return id;
    },
    close: async () => {
      await c.close();
      await hook.close();
    },
  };
}
