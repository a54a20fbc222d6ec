import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type CollectorConfig } from '../config/config';
import type { RetryPolicy } from '../channels/retry';
import type { BilledDaysRepository } from '../storage/repositories/repositories';
import { BILLED_DAYS } from '../storage/storage.tokens';
import { BillPullError } from './admin-fetch';
import { AdminKeysService } from './admin-keys.service';
import { BILL_SOURCES } from './bill-sources';
import { type BilledProvider, DAY_MS, dayOf } from './billed-day';

/** What one pull did. */
export interface SyncOutcome {
  provider: BilledProvider;
  ok: boolean;
  /** Days stored (each replacing what was stored for it). */
  days: number;
  from: string;
  to: string;
  error: string | null;
}

/** Where one tenant's import from one provider stands. */
interface SyncState {
  lastAttemptMs: number | null;
  lastSuccessMs: number | null;
  /** The last failure's message (null once a pull succeeds). */
  lastError: string | null;
  failures: number;
  nextAttemptMs: number;
}

export type SyncListener = (provider: BilledProvider, ok: boolean) => void;

/** The scheduled import covers the previous and the current UTC month: providers revise recent days, and a month closes after it ends. */
export function scheduledWindow(nowMs: number): { fromMs: number; toMs: number } {
  const now = new Date(nowMs);
  return { fromMs: Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1), toMs: Math.floor(nowMs / DAY_MS) * DAY_MS + DAY_MS };
}

const TICK_MS = 60_000;
/** A failed import is tried again after 1, 2, 4 … minutes, at most the schedule's interval apart. */
const FIRST_RETRY_MS = 60_000;

/**
 * Imports what the providers bill each tenant, day by day, into documents the reconciliation reads:
 * on a schedule (every TOKENLEDGER_BILL_SYNC_HOURS, for the previous and current UTC month) and on
 * demand. Each request to a provider is retried with backoff; a pull that still fails is tried again
 * on later ticks, backing off, and shows in /readyz and on the `tokenledger_provider_bill_syncs_total`
 * metric. A day pulled again replaces what was stored for it, so pulls are idempotent.
 */
@Injectable()
export class BillSyncService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ProviderBills');
  private readonly states = new Map<string, SyncState>();
  private readonly listeners = new Set<SyncListener>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  readonly retry: RetryPolicy;

  constructor(
    @Inject(BILLED_DAYS) private readonly billedDays: BilledDaysRepository,
    @Inject(CONFIG) private readonly config: CollectorConfig,
    private readonly keys: AdminKeysService,
  ) {
    this.retry = { attempts: 3, baseDelayMs: config.billRetryBaseMs };
  }

  onApplicationBootstrap(): void {
    if (this.config.billSyncHours === 0) return;
    this.timer = setInterval(() => {
      if (!this.ticking) this.ticking = this.tick().finally(() => (this.ticking = null));
    }, TICK_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
  }

  /** Hears every pull's outcome (the metrics do). */
  onSync(listener: SyncListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One scheduled round: every configured key whose next pull is due. */
  async tick(nowMs = Date.now()): Promise<void> {
    const { fromMs, toMs } = scheduledWindow(nowMs);
    for (const { tenant, provider } of await this.keys.list(null)) {
      const state = this.state(tenant, provider, nowMs);
      if (state.nextAttemptMs <= nowMs) await this.sync(tenant, provider, fromMs, toMs, nowMs);
    }
  }

  /** Pulls [fromMs, toMs) (whole UTC days) from one provider for one tenant and stores each day. */
  async sync(tenant: string, provider: BilledProvider, fromMs: number, toMs: number, nowMs = Date.now()): Promise<SyncOutcome> {
    const outcome: SyncOutcome = { provider, ok: false, days: 0, from: dayOf(fromMs), to: dayOf(toMs), error: null };
    const access = await this.keys.access(tenant, provider);
    if (!access)
      return {
        ...outcome,
        error: `no ${provider} admin key for tenant "${tenant}": set one with PUT /v1/provider-bills/keys/${provider}${tenant === 'default' ? ` or TOKENLEDGER_${provider.toUpperCase()}_ADMIN_KEY` : ''}`,
      };
    const state = this.state(tenant, provider, nowMs);
    state.lastAttemptMs = nowMs;
    try {
      const days = await BILL_SOURCES[provider](access, fromMs, toMs, this.retry);
      for (const d of days) await this.billedDays.save(tenant, { ...d, pulledAtMs: nowMs });
      Object.assign(state, { lastSuccessMs: nowMs, lastError: null, failures: 0, nextAttemptMs: nowMs + this.intervalMs() });
      this.emit(provider, true);
      return { ...outcome, ok: true, days: days.length };
    } catch (err) {
      const message = (err as Error).message;
      state.failures++;
      state.lastError = message;
      state.nextAttemptMs = nowMs + Math.min(this.intervalMs(), FIRST_RETRY_MS * 2 ** (state.failures - 1));
      const hint = err instanceof BillPullError && err.permanent ? ' (check the admin key and base URL)' : '';
      this.logger.warn(
        `importing ${provider}'s bill for tenant "${tenant}" failed${hint}, trying again at ${new Date(state.nextAttemptMs).toISOString()}: ${message}`,
      );
      this.emit(provider, false);
      return { ...outcome, error: message };
    }
  }

  /** For /readyz: per provider, how many tenants import its bill, how many are failing, and when the last import succeeded. */
  health(): Record<BilledProvider, { tenants: number; failing: number; lastSuccessAt: string | null }> | null {
    if (this.states.size === 0) return null;
    const health = {
      openai: { tenants: 0, failing: 0, lastSuccessAt: null as string | null },
      anthropic: { tenants: 0, failing: 0, lastSuccessAt: null as string | null },
    };
    for (const [key, state] of this.states) {
      const h = health[key.slice(key.lastIndexOf('\u0000') + 1) as BilledProvider];
      h.tenants++;
      if (state.failures > 0) h.failing++;
      if (state.lastSuccessMs !== null && (h.lastSuccessAt === null || state.lastSuccessMs > Date.parse(h.lastSuccessAt)))
        h.lastSuccessAt = new Date(state.lastSuccessMs).toISOString();
    }
    return health;
  }

  /** Where a tenant's imports stand, for the keys listing. */
  stateOf(tenant: string, provider: BilledProvider) {
    const s = this.states.get(`${tenant}\u0000${provider}`);
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return s
      ? {
          lastAttemptAt: iso(s.lastAttemptMs),
          lastSuccessAt: iso(s.lastSuccessMs),
          lastError: s.lastError,
          failures: s.failures,
          nextAttemptAt: iso(s.nextAttemptMs),
        }
      : null;
  }

  private state(tenant: string, provider: BilledProvider, nowMs: number): SyncState {
    const key = `${tenant}\u0000${provider}`;
    let state = this.states.get(key);
    if (!state) this.states.set(key, (state = { lastAttemptMs: null, lastSuccessMs: null, lastError: null, failures: 0, nextAttemptMs: nowMs }));
    return state;
  }

  private intervalMs(): number {
    return (this.config.billSyncHours || 24) * 3_600_000;
  }

  private emit(provider: BilledProvider, ok: boolean): void {
    for (const listener of this.listeners) listener(provider, ok);
  }
}
