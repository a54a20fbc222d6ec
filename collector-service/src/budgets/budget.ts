import { randomUUID } from 'node:crypto';
import { formatUsd, parseUsdToNanos } from '@tokenledger/pricing';
import { canonicalProvider } from '@tokenledger/semconv';
import type { DimensionFilters } from '../storage/storage.port';
import type { BudgetScopeDto, CreateBudgetDto, UpdateBudgetDto } from './budget.dto';

export const BUDGET_PERIODS = ['day', 'week', 'month'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];
export const BUDGET_ACTIONS = ['notify', 'block'] as const;
export type BudgetAction = (typeof BUDGET_ACTIONS)[number];

/** Scope fields that are rollup dimensions: a budget's spend is an exact rollup sum filtered by them. */
export const SCOPE_DIMENSIONS = ['user', 'agent', 'model', 'provider', 'feature', 'service'] as const;
export type ScopeDimension = (typeof SCOPE_DIMENSIONS)[number];

export interface BudgetScope extends Partial<Record<ScopeDimension, string>> {
  /** Only records whose tags include every one of these key=value pairs. */
  tags?: Record<string, string>;
  /** The limit applies to each user separately. */
  perUser?: boolean;
}

/** A budget (the limit in nanos as a decimal string; stored as an integer, see storage/stored-budget.ts). */
export interface Budget {
  id: string;
  name: string;
  scope: BudgetScope;
  period: BudgetPeriod;
  timezone: string;
  limitNanos: string;
  thresholds: number[];
  action: BudgetAction;
  channels: string[];
  createdAtMs: number;
  updatedAtMs: number;
  /** Bumped by every change, so cached spend of an older version is never reused. */
  revision: number;
}

/** A new budget from a create request's fields (validated by CreateBudgetDto). */
export function budgetFromBody(input: CreateBudgetDto, nowMs: number): Budget {
  const base: Budget = {
    id: randomUUID(),
    name: '',
    scope: {},
    period: 'month',
    timezone: 'UTC',
    limitNanos: '0',
    thresholds: [0.8, 1],
    action: 'notify',
    channels: [],
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
    revision: 1,
  };
  return applyChanges(base, input, nowMs);
}

/** The budget with a change request's fields changed (fields left out keep their value). */
export function patchBudget(budget: Budget, changes: UpdateBudgetDto, nowMs: number): Budget {
  return { ...applyChanges(budget, changes, nowMs), revision: budget.revision + 1 };
}

function applyChanges(budget: Budget, input: UpdateBudgetDto, nowMs: number): Budget {
  const next = { ...budget, updatedAtMs: nowMs };
  if (input.name !== undefined) next.name = input.name;
  if (input.scope !== undefined) next.scope = scopeOf(input.scope);
  if (input.period !== undefined) next.period = input.period;
  if (input.timezone !== undefined) next.timezone = input.timezone;
  if (input.limitUsd !== undefined) next.limitNanos = parseUsdToNanos(input.limitUsd).toString();
  if (input.thresholds !== undefined) next.thresholds = [...new Set(input.thresholds)].sort((a, b) => a - b);
  if (input.action !== undefined) next.action = input.action;
  if (input.channels !== undefined) next.channels = [...new Set(input.channels)];
  return next;
}

/** The scope as stored: providers by their canonical name, no empty tags, perUser only when true. */
function scopeOf(input: BudgetScopeDto): BudgetScope {
  const scope: BudgetScope = {};
  for (const dimension of SCOPE_DIMENSIONS) {
    const value = input[dimension];
    if (value !== undefined) scope[dimension] = dimension === 'provider' ? canonicalProvider(value) : value;
  }
  if (input.tags !== undefined && Object.keys(input.tags).length > 0) scope.tags = input.tags;
  if (input.perUser) scope.perUser = true;
  return scope;
}

/** The rollup filters of a budget's scope (a perUser budget adds the user being looked at). */
export function scopeFilters(scope: BudgetScope, user?: string): DimensionFilters {
  const filters: DimensionFilters = {};
  for (const d of SCOPE_DIMENSIONS) if (scope[d] !== undefined) filters[d] = scope[d];
  if (scope.perUser && user !== undefined) filters.user = user;
  return filters;
}

/** The API view of a budget: limit in nanos and USD. */
export function budgetView(budget: Budget) {
  const { limitNanos, revision: _revision, ...rest } = budget;
  return {
    ...rest,
    limitNanos,
    limitUsd: formatUsd(BigInt(limitNanos)),
    createdAt: new Date(budget.createdAtMs).toISOString(),
    updatedAt: new Date(budget.updatedAtMs).toISOString(),
  };
}
