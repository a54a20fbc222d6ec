import { diag } from '@opentelemetry/api';
import type { CallDescription, GateAnswer } from '@tokenledger/instrumentation-common';
import { ATTR_GEN_AI_AGENT_ID, ATTR_TOKENLEDGER_FEATURE, ATTR_TOKENLEDGER_TAG_PREFIX, ATTR_USER_ID } from '@tokenledger/semconv';
import { BudgetExceededError } from './budget-exceeded-error';
import { fetchDecision } from './check-client';
import { type BudgetCheckRequest, type BudgetDecision, requestKey } from './decision';
import type { ResolvedGuardOptions } from './options';

interface Entry {
  request: BudgetCheckRequest;
  decision: BudgetDecision | null;
  fetchedAt: number;
  /** When the last check failed (the collector unreachable or answering nonsense), for a short back-off. */
  failedAt: number | null;
  inflight: Promise<BudgetDecision | null> | null;
}

/** Attributions tracked at once; past this the least recently refreshed are forgotten. */
const MAX_ENTRIES = 10_000;

/**
 * Decides, per attribution (user, agent, feature, tags, service) and model/provider, whether an AI
 * call may go ahead, from the collector's `/v1/budgets/check`. Decisions are cached: a warm
 * decision answers synchronously (no network on the hot path) and is refreshed in the background
 * once older than `cacheMs`; a first call waits at most `coldWaitMs` for its decision, then the
 * failure policy applies (open: allowed with one warning; closed: blocked).
 */
export class BudgetGuard {
  private readonly entries = new Map<string, Entry>();
  private warned = false;

  constructor(readonly options: ResolvedGuardOptions) {}

  /** The call gate: null allows, an Error blocks; a Promise only on a cold cache. */
  gate(call: CallDescription): GateAnswer | Promise<GateAnswer> {
    const request = this.requestFor(call.attributes, call.provider, call.model);
    const key = requestKey(request);
    const now = this.options.now();
    const entry = this.entries.get(key);
    if (entry?.decision && now - entry.fetchedAt < this.options.maxStaleMs) {
      if (now - entry.fetchedAt >= this.options.cacheMs) void this.refresh(key, request);
      return this.answer(entry.decision);
    }
    if (entry?.failedAt !== undefined && entry.failedAt !== null && now - entry.failedAt < this.options.cacheMs) return this.unavailable();
    const pending = this.refresh(key, request);
    return new Promise<GateAnswer>((resolve) => {
      const timer = setTimeout(() => resolve(this.unavailable()), this.options.coldWaitMs);
      timer.unref();
      void pending.then((decision) => {
        clearTimeout(timer);
        resolve(decision ? this.answer(decision) : this.unavailable());
      });
    });
  }

  /** The decision for code that asks first: the cached one when fresh, else the collector's (full timeout). */
  async check(request: BudgetCheckRequest): Promise<BudgetDecision> {
    const key = requestKey(request);
    const entry = this.entries.get(key);
    if (entry?.decision && this.options.now() - entry.fetchedAt < this.options.cacheMs) return entry.decision;
    const decision = await this.refresh(key, request);
    if (decision) return decision;
    this.unavailable();
    const open = this.options.fail === 'open';
    return { allowed: open, decision: open ? 'allow' : 'block', budgets: [], resetsAt: null, unavailable: true };
  }

  /** What a check asks about, from the call's attribution attributes. */
  requestFor(attributes: Record<string, string>, provider?: string, model?: string): BudgetCheckRequest {
    const request: BudgetCheckRequest = {};
    if (attributes[ATTR_USER_ID]) request.user = attributes[ATTR_USER_ID];
    if (attributes[ATTR_GEN_AI_AGENT_ID]) request.agent = attributes[ATTR_GEN_AI_AGENT_ID];
    if (attributes[ATTR_TOKENLEDGER_FEATURE]) request.feature = attributes[ATTR_TOKENLEDGER_FEATURE];
    if (this.options.service) request.service = this.options.service;
    if (provider) request.provider = provider;
    if (model) request.model = model;
    for (const [key, value] of Object.entries(attributes)) {
      if (key.startsWith(ATTR_TOKENLEDGER_TAG_PREFIX)) (request.tags ??= {})[key.slice(ATTR_TOKENLEDGER_TAG_PREFIX.length)] = value;
    }
    return request;
  }

  /** Starts (or joins) the check for a key; resolves to the decision, or null when none could be had. */
  private refresh(key: string, request: BudgetCheckRequest): Promise<BudgetDecision | null> {
    let entry = this.entries.get(key);
    if (entry?.inflight) return entry.inflight;
    if (!entry) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      entry = { request, decision: null, fetchedAt: 0, failedAt: null, inflight: null };
      this.entries.set(key, entry);
    }
    const e = entry;
    e.inflight = fetchDecision(this.options.url, this.options.apiKey, request, this.options.timeoutMs).then(
      (decision) => {
        e.decision = decision;
        e.fetchedAt = this.options.now();
        e.failedAt = null;
        e.inflight = null;
        // Most recently refreshed last: the first key is the one to forget when full.
        this.entries.delete(key);
        this.entries.set(key, e);
        return decision;
      },
      (err: unknown) => {
        e.failedAt = this.options.now();
        e.inflight = null;
        this.warnOnce(err);
        return null;
      },
    );
    return e.inflight;
  }

  private answer(decision: BudgetDecision): GateAnswer {
    return decision.decision === 'block' || !decision.allowed ? BudgetExceededError.fromDecision(decision) : null;
  }

  /** No decision in time: the failure policy. */
  private unavailable(): GateAnswer {
    this.warnOnce(null);
    if (this.options.fail === 'open') return null;
    return new BudgetExceededError(
      `AI call blocked: the tokenledger collector at ${this.options.url} gave no budget decision in time, and TOKENLEDGER_BUDGET_FAIL=closed blocks calls until it does. Check that the collector is reachable, or set TOKENLEDGER_BUDGET_FAIL=open.`,
      { budgetId: null, resetsAt: null, reason: 'unavailable' },
    );
  }

  private warnOnce(err: unknown): void {
    if (this.warned) return;
    this.warned = true;
    const why = err ? `: ${err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err)}` : ` within ${this.options.coldWaitMs} ms`;
    const policy =
      this.options.fail === 'open'
        ? 'calls are allowed until it answers (TOKENLEDGER_BUDGET_FAIL=open)'
        : 'calls are blocked until it answers (TOKENLEDGER_BUDGET_FAIL=closed)';
    const message = `[tokenledger] budget guard: no decision from ${this.options.url}/v1/budgets/check${why}; ${policy}. Logged once.`;
    diag.warn(message);
    console.warn(message);
  }
}
