import { Inject, Injectable } from '@nestjs/common';
import type { Budget } from '../budgets/budget';
import type { PeriodSpend } from '../budgets/budget-spend';
import { type BudgetPeriodWindow, exhaustionMs, isoIn, projectedNanos, thresholdNanos } from '../budgets/budget-state';
import { BudgetsService } from '../budgets/budgets.service';
import type { BudgetsRepository } from '../storage/repositories/repositories';
import { BUDGETS } from '../storage/storage.tokens';
import { usdText as usd } from './alert-money';
import type { StoredAlert } from './alert';
import { budgetSubject, EXHAUSTION, parseBudgetSubject } from './budget-subject';
import type { Condition } from './condition';

const PERIOD_ADJECTIVE = { day: 'daily', week: 'weekly', month: 'monthly' } as const;
const percent = (fraction: number) => `${Math.round(fraction * 10_000) / 100} %`;

/** A budget's conditions in one period, and the spend they were computed from. */
interface Computed {
  total: bigint;
  conditions: Condition[];
}

/**
 * Budget threshold crossings: one condition per budget, threshold reached and period (and user, for
 * a perUser budget). Spend is the budgets module's in-memory, exact spend, the one
 * `POST /v1/budgets/check` answers from: kept up to date by every batch this process stores, read
 * from the rollups only for a budget and period not loaded yet (budgets sharing a period and scope
 * dimensions in one grouped read), and re-read when another instance wrote. The budgets are the
 * module's index, not the table: a pass runs after every stored batch, and a budget another instance
 * created or changed is seen once the budgets sync (every TOKENLEDGER_BUDGET_SYNC_MS), as the check sees it.
 * Spend only grows within a period, so a budget whose total is what it was at the last pass
 * has the same conditions: those are reused instead of being worked out again (a pass after an
 * ingest recomputes only the budgets the ingest touched). A threshold is reached at
 * ceil(limit × fraction), as budget states are decided.
 */
@Injectable()
export class BudgetConditions {
  /** Per tenant, the last pass's conditions by budget, revision and period. */
  private readonly lastPass = new Map<string, Map<string, Computed>>();

  constructor(
    @Inject(BUDGETS) private readonly repository: BudgetsRepository,
    private readonly budgets: BudgetsService,
  ) {}

  async conditions(tenant: string, nowMs: number): Promise<Condition[]> {
    const previous = this.lastPass.get(tenant);
    const current = new Map<string, Computed>();
    const conditions: Condition[] = [];
    const budgets = await this.budgetsWithSpend(tenant, nowMs);
    for (const budget of budgets) {
      const { window, spend } = await this.budgets.periodSpend(tenant, budget, nowMs);
      const key = `${budget.id}\u0000${budget.revision}\u0000${window.startMs}`;
      const last = previous?.get(key);
      const computed = last && last.total === spend.total ? last : { total: spend.total, conditions: budgetConditions(budget, window, spend) };
      current.set(key, computed);
      conditions.push(...computed.conditions);
    }
    // Only this pass's budgets and periods are kept: deleted budgets and past periods are forgotten.
    this.lastPass.set(tenant, current);
    return conditions;
  }

  /**
   * Budgets whose spend runs out within `withinMs` at the run rate (the status's `exhaustsAt`), or
   * has run out: one condition per budget (each user of a perUser budget) and period. An exhausted
   * budget keeps its condition, so the alert stays open until the period ends instead of resolving
   * as the limit is reached. Time moves the projection, so nothing is reused between passes.
   */
  async exhaustion(tenant: string, withinMs: number, nowMs: number): Promise<Condition[]> {
    const conditions: Condition[] = [];
    for (const budget of await this.budgetsWithSpend(tenant, nowMs)) {
      const { window, spend } = await this.budgets.periodSpend(tenant, budget, nowMs);
      conditions.push(...exhaustionConditions(budget, window, spend, withinMs, nowMs));
    }
    return conditions;
  }

  /**
   * Whether a budget alert's condition still holds on the spend read from the store now: spend in
   * memory lags what other instances stored by up to a sync, so an alert another instance fired on
   * spend this one has not seen yet must not resolve here. `exhaustionWithinMs`: the exhaustion
   * rule's horizon, or null for threshold alerts. False when the period ended or the budget is gone.
   */
  async holds(tenant: string, alert: StoredAlert, nowMs: number, exhaustionWithinMs: number | null): Promise<boolean> {
    const subject = parseBudgetSubject(alert.subject);
    if (!subject || nowMs >= alert.periodEndMs) return false;
    const budget = await this.repository.get(tenant, subject.budgetId);
    if (!budget) return false;
    const { window, spend } = await this.budgets.freshPeriodSpend(tenant, budget, nowMs);
    if (window.startMs !== alert.periodStartMs) return false;
    const conditions =
      exhaustionWithinMs === null ? budgetConditions(budget, window, spend) : exhaustionConditions(budget, window, spend, exhaustionWithinMs, nowMs);
    return conditions.some((c) => c.subject === alert.subject);
  }

  /** The tenant's budgets from the budgets module's index (what the check matches), their spend loaded. */
  private async budgetsWithSpend(tenant: string, nowMs: number): Promise<Budget[]> {
    const budgets = this.budgets.indexed(tenant);
    await this.budgets.preloadSpend(tenant, budgets, nowMs);
    return budgets;
  }

  /** Tenants that have budgets. */
  async tenants(): Promise<string[]> {
    return [...new Set((await this.repository.listAll()).map((e) => e.tenant))];
  }
}

/** The thresholds a budget's spenders (the scope, or each user of a perUser budget) have reached. */
function budgetConditions(budget: Budget, window: BudgetPeriodWindow, spend: PeriodSpend): Condition[] {
  const conditions: Condition[] = [];
  const limit = BigInt(budget.limitNanos);
  const spenders: Iterable<[string | null, bigint]> = spend.byUser ?? [[null, spend.total]];
  for (const [user, spent] of spenders) {
    for (const fraction of budget.thresholds) {
      const threshold = thresholdNanos(limit, fraction);
      if (spent < threshold) continue;
      const who = user === null ? '' : ` for user ${user}`;
      conditions.push({
        subject: budgetSubject(budget.id, user, fraction),
        periodStartMs: window.startMs,
        periodEndMs: window.endMs,
        valueNanos: spent,
        thresholdNanos: threshold,
        count: null,
        severity: fraction >= 1 ? 'critical' : 'warning',
        message: `Budget "${budget.name}"${who} reached ${percent(fraction)} of its ${PERIOD_ADJECTIVE[budget.period]} limit of ${usd(limit)}: ${usd(spent)} spent`,
        extraChannels: budget.channels,
      });
    }
  }
  return conditions;
}

/** The spenders of a budget whose limit runs out within `withinMs` at the run rate, or has run out. */
function exhaustionConditions(budget: Budget, window: BudgetPeriodWindow, spend: PeriodSpend, withinMs: number, nowMs: number): Condition[] {
  const conditions: Condition[] = [];
  const limit = BigInt(budget.limitNanos);
  const spenders: Iterable<[string | null, bigint]> = spend.byUser ?? [[null, spend.total]];
  for (const [user, spent] of spenders) {
    const exhausted = spent >= limit;
    const atMs = exhaustionMs(spent, limit, window, nowMs);
    if (!exhausted && (atMs === null || atMs - nowMs > withinMs)) continue;
    const projected = projectedNanos(spent, window, nowMs);
    const who = user === null ? '' : ` for user ${user}`;
    const limitText = `its ${PERIOD_ADJECTIVE[budget.period]} limit of ${usd(limit)}`;
    conditions.push({
      subject: budgetSubject(budget.id, user, EXHAUSTION),
      periodStartMs: window.startMs,
      periodEndMs: window.endMs,
      valueNanos: exhausted ? spent : projected,
      thresholdNanos: limit,
      count: null,
      severity: 'warning',
      message: exhausted
        ? `Budget "${budget.name}"${who} has used up ${limitText}: ${usd(spent)} spent`
        : `Budget "${budget.name}"${who} will use up ${limitText} at ${isoIn(atMs!, budget.timezone)} (${budget.timezone}) at the current rate: ${usd(spent)} spent, ${usd(projected)} projected by the period's end`,
      extraChannels: budget.channels,
    });
  }
  return conditions;
}
