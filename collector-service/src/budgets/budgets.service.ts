import { Inject, Injectable, Logger, NotFoundException, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { StoragePort } from '../storage/storage.port';
import type { BudgetsRepository } from '../storage/repositories/repositories';
import { BUDGETS, STORAGE } from '../storage/storage.tokens';
import { CONFIG, type CollectorConfig } from '../config/config';
import { IngestEvents } from '../ingest/ingest-events';
import { type Budget, budgetFromBody, budgetView, patchBudget } from './budget';
import { budgetApplies, checkSubjectOf } from './budget-check';
import type { CheckBudgetDto, CreateBudgetDto, UpdateBudgetDto } from './budget.dto';
import { BudgetClock } from './budget-clock';
import { BudgetIndex } from './budget-index';
import { BudgetScopePairs } from './budget-pairs';
import { readSpend } from './budget-spend';
import { InputError } from '../http/input-error';
import { TooManyRowsError } from '../storage/rollup-rows';
import { BudgetSpendCache } from './budget-spend.cache';
import { type BudgetState, budgetPeriod, exhaustionMs, isoIn, projectedNanos, ratioOf, stateOf, usd } from './budget-state';

/** The least pause between the end of a round and the start of the next, when rounds take longer than the interval. */
const SYNC_MIN_PAUSE_MS = 100;
const TOP_USERS = 10;

export type BudgetDecision = 'allow' | 'warn' | 'block';

@Injectable()
export class BudgetsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Budgets');
  private readonly index: BudgetIndex;
  private readonly cache: BudgetSpendCache;
  private readonly pairs: BudgetScopePairs;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private syncing: Promise<void> | null = null;

  constructor(
    @Inject(STORAGE) private readonly storage: StoragePort,
    @Inject(BUDGETS) private readonly repository: BudgetsRepository,
    ingest: IngestEvents,
    private readonly clock: BudgetClock,
    /**
     * How often budgets and spend are brought in line with what other instances wrote to the store
     * (TOKENLEDGER_BUDGET_SYNC_MS): a sync round starts this long after the one before started, or
     * soon after that one ends if it took longer, so another instance's spend is seen within an
     * interval and a round's reads. 0: no timed rounds, only those `sync` is called for.
     */
    @Inject(CONFIG) private readonly config: Pick<CollectorConfig, 'budgetSyncMs'>,
  ) {
    this.index = new BudgetIndex(repository);
    this.cache = new BudgetSpendCache(storage, ingest);
    this.pairs = new BudgetScopePairs(storage);
  }

  async onModuleInit(): Promise<void> {
    await this.index.reload();
    await this.pairs.state(this.index);
    if (this.config.budgetSyncMs > 0) this.schedule(this.config.budgetSyncMs);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.syncing;
    this.cache.close();
  }

  /**
   * The next timed round, `delayMs` from now. A round that runs long is followed at once (after a
   * short pause), not at the next whole interval: a tick skipped while a round ran would leave other
   * instances' spend unseen for two intervals. Rounds never overlap, so slow ones never pile up.
   */
  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      const startedAt = performance.now();
      void this.sync().finally(() => {
        if (!this.stopped) this.schedule(Math.max(SYNC_MIN_PAUSE_MS, this.config.budgetSyncMs - (performance.now() - startedAt)));
      });
    }, delayMs);
    this.timer.unref();
  }

  /** A sync round that starts after every earlier one ends (what tests call instead of waiting for the timer). */
  sync(): Promise<void> {
    const round = (this.syncing ?? Promise.resolve()).then(() => this.syncRound());
    this.syncing = round;
    void round.finally(() => {
      if (this.syncing === round) this.syncing = null;
    });
    return round;
  }

  private async syncRound(): Promise<void> {
    try {
      for (const { tenant, id } of await this.index.reload()) this.cache.forget(tenant, id);
      await this.pairs.state(this.index);
      await this.cache.sync(this.clock.now());
    } catch (err) {
      this.logger.warn(`budget sync failed, retrying next round: ${(err as Error).message}`);
    }
  }

  async create(tenant: string, input: CreateBudgetDto) {
    const budget = budgetFromBody(input, this.clock.now());
    await this.repository.save(tenant, budget);
    this.index.set(tenant, budget);
    await this.pairs.state(this.index);
    return budgetView(budget);
  }

  async list(tenant: string) {
    return (await this.repository.list(tenant)).map(budgetView);
  }

  /**
   * A tenant's budgets in memory, by id: this process's writes at once, other instances' with the
   * next sync (as the check sees them), so a pass over them all reads no table.
   */
  indexed(tenant: string): Budget[] {
    return [...this.index.of(tenant)].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Every tenant's budgets, as stored. */
  async everyTenant(): Promise<Array<{ tenant: string; budget: Budget }>> {
    return (await this.repository.listAll()).map((e) => ({ tenant: e.tenant, budget: e.entity }));
  }

  async get(tenant: string, id: string) {
    return budgetView(await this.find(tenant, id));
  }

  async update(tenant: string, id: string, changes: UpdateBudgetDto) {
    const budget = patchBudget(await this.find(tenant, id), changes, this.clock.now());
    await this.repository.save(tenant, budget);
    this.index.set(tenant, budget);
    this.cache.forget(tenant, id);
    await this.pairs.state(this.index);
    return budgetView(budget);
  }

  async remove(tenant: string, id: string): Promise<void> {
    if (!(await this.repository.remove(tenant, id))) throw notFound(id);
    this.index.delete(tenant, id);
    this.cache.forget(tenant, id);
  }

  /**
   * Spend against the limit in the period containing `now`, read from the rollups (not the check
   * cache); a perUser budget's period of more than `maxUsers` users is a 400 naming the limit.
   */
  async status(tenant: string, id: string, now = this.clock.now(), maxUsers?: number) {
    const budget = await this.find(tenant, id);
    const window = budgetPeriod(budget, now);
    const spend = await readSpend(this.storage, tenant, budget, window, maxUsers).catch((err: unknown) => {
      if (!(err instanceof TooManyRowsError)) throw err;
      throw new InputError(
        'parameter',
        'id',
        `this per-user budget's period holds more than ${maxUsers!.toLocaleString('en-US')} users (TOKENLEDGER_BREAKDOWN_MAX_VALUES), more than a status reads: the check still holds each of them to the limit`,
      );
    });
    const limit = BigInt(budget.limitNanos);
    const figures = (spent: bigint) => {
      const projected = projectedNanos(spent, window, now);
      const exhaustsAt = exhaustionMs(spent, limit, window, now);
      return {
        spentNanos: spent.toString(),
        spentUsd: usd(spent),
        ratio: ratioOf(spent, limit),
        state: stateOf(budget, spent),
        projectedNanos: projected.toString(),
        projectedUsd: usd(projected),
        exhaustsAt: exhaustsAt === null ? null : isoIn(exhaustsAt, budget.timezone),
      };
    };
    const base = {
      id: budget.id,
      name: budget.name,
      action: budget.action,
      limitNanos: budget.limitNanos,
      limitUsd: usd(limit),
      periodStart: isoIn(window.startMs, budget.timezone),
      periodEnd: isoIn(window.endMs, budget.timezone),
    };
    if (!spend.byUser) return { ...base, ...figures(spend.total) };
    // perUser: the limit is each user's, so the budget stands where its highest-spending user does.
    const ranked = [...spend.byUser].sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : a[0] < b[0] ? -1 : 1));
    const top = ranked[0]?.[1] ?? 0n;
    return {
      ...base,
      ...figures(top),
      totalSpentNanos: spend.total.toString(),
      totalSpentUsd: usd(spend.total),
      users: ranked.length,
      usersExceeded: ranked.filter(([, s]) => s >= limit).length,
      topUsers: ranked.slice(0, TOP_USERS).map(([user, spent]) => ({ user, ...figures(spent) })),
    };
  }

  /**
   * A budget's spend in the period containing `nowMs` from the memory the check answers from
   * (read from the rollups on first use, then kept up to date by every stored batch).
   */
  periodSpend(tenant: string, budget: Budget, nowMs: number) {
    return this.cache.spend(tenant, budget, nowMs);
  }

  /** The budget's spend in the period containing `nowMs`, read from the store now (other instances' writes included). */
  freshPeriodSpend(tenant: string, budget: Budget, nowMs: number) {
    return this.cache.fresh(tenant, budget, nowMs);
  }

  /** Brings the spend of budgets not in memory yet into it with grouped reads (before a pass over them all). */
  preloadSpend(tenant: string, budgets: Budget[], nowMs: number): Promise<void> {
    return this.cache.preload(tenant, budgets, nowMs);
  }

  /**
   * The decision for a call about to be made: `block` when a matching `block` budget is exceeded,
   * `warn` when any matching budget is past a threshold or exceeded, else `allow`. Served from memory.
   */
  async check(tenant: string, call: CheckBudgetDto) {
    const subject = checkSubjectOf(call);
    const now = this.clock.now();
    const budgets: Array<{
      id: string;
      name: string;
      action: string;
      spentNanos: string;
      spentUsd: string;
      limitNanos: string;
      limitUsd: string;
      state: BudgetState;
      resetsAt: string;
    }> = [];
    let decision: BudgetDecision = 'allow';
    let blockUntil = -Infinity;
    let nextReset = Infinity;
    for (const budget of this.index.of(tenant)) {
      if (!budgetApplies(budget, subject)) continue;
      const { window, spend } = await this.cache.spend(tenant, budget, now);
      const spent = spend.byUser ? (spend.byUser.get(subject.user!) ?? 0n) : spend.total;
      const state = stateOf(budget, spent);
      if (state === 'exceeded' && budget.action === 'block') {
        decision = 'block';
        blockUntil = Math.max(blockUntil, window.endMs);
      } else if (state !== 'ok' && decision === 'allow') decision = 'warn';
      nextReset = Math.min(nextReset, window.endMs);
      budgets.push({
        id: budget.id,
        name: budget.name,
        action: budget.action,
        spentNanos: spent.toString(),
        spentUsd: usd(spent),
        limitNanos: budget.limitNanos,
        limitUsd: usd(BigInt(budget.limitNanos)),
        state,
        resetsAt: new Date(window.endMs).toISOString(),
      });
    }
    const resetsAtMs = decision === 'block' ? blockUntil : nextReset;
    return { allowed: decision !== 'block', decision, budgets, resetsAt: Number.isFinite(resetsAtMs) ? new Date(resetsAtMs).toISOString() : null };
  }

  private async find(tenant: string, id: string): Promise<Budget> {
    const budget = await this.repository.get(tenant, id);
    if (!budget) throw notFound(id);
    return budget;
  }
}

const notFound = (id: string) => new NotFoundException(`no budget with id "${id}" in this tenant`);
