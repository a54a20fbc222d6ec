import { randomUUID } from 'node:crypto';
import { formatUsd, parseUsdToNanos } from '@tokenledger/pricing';
import { canonicalProvider } from '@tokenledger/semconv';
import { checkZone } from '../time/periods';
import type { DimensionFilters } from '../storage/storage.port';

/** Storage kind of budget documents (see StoragePort documents). */
export const BUDGET_KIND = 'budget';

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

/** A budget as stored (a document; money as a decimal string of nanos). */
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

/** A request body field is wrong: 400 naming the field. */
export class BudgetFieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field} ${message}`);
  }
}

const FIELDS = ['name', 'scope', 'period', 'timezone', 'limitUsd', 'thresholds', 'action', 'channels'];
const MAX_TEXT = 200;

/** A new budget from a POST body. */
export function budgetFromBody(body: unknown, nowMs: number): Budget {
  const input = objectBody(body);
  if (input.name === undefined) throw new BudgetFieldError('name', 'is required');
  if (input.period === undefined) throw new BudgetFieldError('period', `is required (${BUDGET_PERIODS.join(', ')})`);
  if (input.limitUsd === undefined) throw new BudgetFieldError('limitUsd', 'is required (a USD decimal string like "10.00")');
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

/** The budget with a PATCH body's fields changed (fields left out keep their value). */
export function patchBudget(budget: Budget, body: unknown, nowMs: number): Budget {
  return { ...applyChanges(budget, objectBody(body), nowMs), revision: budget.revision + 1 };
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BudgetFieldError('body', 'must be a JSON object');
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input)) if (!FIELDS.includes(key)) throw new BudgetFieldError(key, `is not a budget field (fields: ${FIELDS.join(', ')})`);
  return input;
}

function applyChanges(budget: Budget, input: Record<string, unknown>, nowMs: number): Budget {
  const next = { ...budget, updatedAtMs: nowMs };
  if (input.name !== undefined) next.name = text(input.name, 'name');
  if (input.scope !== undefined) next.scope = scopeOf(input.scope);
  if (input.period !== undefined) next.period = oneOf(input.period, 'period', BUDGET_PERIODS);
  if (input.timezone !== undefined) {
    try {
      next.timezone = checkZone(text(input.timezone, 'timezone'));
    } catch (err) {
      if (err instanceof BudgetFieldError) throw err;
      throw new BudgetFieldError('timezone', `must be an IANA time zone: ${(err as Error).message}`);
    }
  }
  if (input.limitUsd !== undefined) next.limitNanos = limitOf(input.limitUsd).toString();
  if (input.thresholds !== undefined) next.thresholds = thresholdsOf(input.thresholds);
  if (input.action !== undefined) next.action = oneOf(input.action, 'action', BUDGET_ACTIONS);
  if (input.channels !== undefined) next.channels = channelsOf(input.channels);
  return next;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT) throw new BudgetFieldError(field, `must be a non-empty string of at most ${MAX_TEXT} characters`);
  return value;
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw new BudgetFieldError(field, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

function scopeOf(value: unknown): BudgetScope {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BudgetFieldError('scope', 'must be an object (empty for the whole tenant)');
  const scope: BudgetScope = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'perUser') {
      if (typeof v !== 'boolean') throw new BudgetFieldError('scope.perUser', 'must be true or false');
      if (v) scope.perUser = true;
    } else if (key === 'tags') {
      const tags = scopeTagsOf(v);
      if (Object.keys(tags).length > 0) scope.tags = tags;
    } else if ((SCOPE_DIMENSIONS as readonly string[]).includes(key)) {
      const dimension = key as ScopeDimension;
      const field = `scope.${dimension}`;
      scope[dimension] = dimension === 'provider' ? canonicalProvider(text(v, field)) : text(v, field);
    } else {
      throw new BudgetFieldError(`scope.${key}`, `is not a scope field (fields: ${[...SCOPE_DIMENSIONS, 'tags', 'perUser'].join(', ')})`);
    }
  }
  if (scope.perUser && scope.user !== undefined) throw new BudgetFieldError('scope.perUser', 'cannot be combined with scope.user (perUser gives every user the limit; scope.user names one)');
  return scope;
}

const MAX_TAGS = 20;

/** A scope's tags: an object of non-empty strings; a wrong value is named by its key (`scope.tags.team`). */
function scopeTagsOf(value: unknown): Record<string, string> {
  const field = 'scope.tags';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BudgetFieldError(field, 'must be an object of tag values, like { "team": "search" }');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_TAGS) throw new BudgetFieldError(field, `must have at most ${MAX_TAGS} tags`);
  for (const [key, v] of entries) {
    if (key === '' || key.length > MAX_TEXT) throw new BudgetFieldError(field, `keys must be non-empty strings of at most ${MAX_TEXT} characters`);
    text(v, `${field}.${key}`);
  }
  // fromEntries, not assignment: a tag named __proto__ stays a tag.
  return Object.fromEntries(entries) as Record<string, string>;
}

function limitOf(value: unknown): bigint {
  if (typeof value !== 'string') throw new BudgetFieldError('limitUsd', `must be a USD decimal string like "10.00", got ${JSON.stringify(value)}`);
  let nanos: bigint;
  try {
    nanos = parseUsdToNanos(value);
  } catch (err) {
    throw new BudgetFieldError('limitUsd', `must be a USD decimal string like "10.00" with at most 9 decimals (${(err as Error).message})`);
  }
  if (nanos <= 0n) throw new BudgetFieldError('limitUsd', `must be more than zero, got "${value}"`);
  return nanos;
}

function thresholdsOf(value: unknown): number[] {
  if (!Array.isArray(value)) throw new BudgetFieldError('thresholds', 'must be an array of fractions of the limit, like [0.8, 1.0]');
  value.forEach((t, i) => {
    if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0 || t > 10) throw new BudgetFieldError(`thresholds[${i}]`, `must be a fraction of the limit above 0 and at most 10 (0.8 = 80 %), got ${JSON.stringify(t)}`);
  });
  return [...new Set(value as number[])].sort((a, b) => a - b);
}

function channelsOf(value: unknown): string[] {
  if (!Array.isArray(value)) throw new BudgetFieldError('channels', 'must be an array of channel ids');
  value.forEach((c, i) => {
    if (typeof c !== 'string' || c === '' || c.length > MAX_TEXT) throw new BudgetFieldError(`channels[${i}]`, 'must be a channel id (a non-empty string)');
  });
  return [...new Set(value as string[])];
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
  return { ...rest, limitNanos, limitUsd: formatUsd(BigInt(limitNanos)), createdAt: new Date(budget.createdAtMs).toISOString(), updatedAt: new Date(budget.updatedAtMs).toISOString() };
}
