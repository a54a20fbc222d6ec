import { formatUsd, parseUsdToNanos } from '@tokenledger/pricing';
import { badField } from '../channels/field-error';
import { checkZone } from '../time/periods';
import type { CreateAlertRuleDto, UpdateAlertRuleDto } from './alert-rule.dto';

export const RULE_TYPES = [
  'daily_cost_above',
  'projected_month_above',
  'user_daily_cost_above',
  'trend_increase_above',
  'budget_threshold',
  'unpriced_usage',
  'spike',
  'reconciliation_drift',
  'budget_exhaustion',
] as const;
export type RuleType = (typeof RULE_TYPES)[number];

/** An alert rule as stored. Money as a decimal string of nanos (documents hold JSON, not bigint). */
export interface AlertRule {
  id: string;
  type: RuleType;
  /** USD limit (daily, projected, per user), or the floor under which a spike or a billing difference is ignored, in nano-USD. */
  thresholdNanos: string | null;
  /** trend_increase_above, reconciliation_drift: percent (20 = 20 %). */
  percent: number | null;
  /** spike: the last hour must exceed this many times the hourly mean of the previous 7 days. */
  multiplier: number | null;
  /** budget_exhaustion: how far ahead a projected exhaustion is told (rules stored before it have none). */
  withinHours?: number | null;
  /** The IANA zone whose days and months the rule counts in. */
  timezone: string;
  /** Channel ids; empty = the tenant's default channels. */
  channels: string[];
  enabled: boolean;
  createdAtMs: number;
  updatedAtMs: number;
}

export type RuleInput = Pick<AlertRule, 'type' | 'thresholdNanos' | 'percent' | 'multiplier' | 'withinHours' | 'timezone' | 'channels' | 'enabled'>;

const USES_THRESHOLD: RuleType[] = ['daily_cost_above', 'projected_month_above', 'user_daily_cost_above', 'spike', 'reconciliation_drift'];
/** Rules whose threshold is an optional floor rather than the limit itself. */
const THRESHOLD_IS_FLOOR: RuleType[] = ['spike', 'reconciliation_drift'];
const USES_PERCENT: RuleType[] = ['trend_increase_above', 'reconciliation_drift'];
/** The spike's defaults: 3 × the mean, and never for less than a dollar in the hour. */
export const SPIKE_DEFAULTS = { multiplier: 3, floorNanos: 1_000_000_000n };
/** The longest warning a budget_exhaustion rule may ask for: a month and a day (longer than any period). */
export const MAX_WITHIN_HOURS = 32 * 24;

/** A checked USD amount as stored, or none. */
const nanosOf = (usd: string | null | undefined): string | null => (usd === undefined || usd === null ? null : parseUsdToNanos(usd).toString());

/** Checks that a rule has what its type needs, and nothing its type ignores. */
function checkRule(rule: RuleInput): RuleInput {
  if (USES_THRESHOLD.includes(rule.type)) {
    if (rule.thresholdNanos === null && !THRESHOLD_IS_FLOOR.includes(rule.type)) throw badField('thresholdUsd', `is required for ${rule.type}`);
  } else if (rule.thresholdNanos !== null) throw badField('thresholdUsd', `does not apply to ${rule.type}`);
  if (USES_PERCENT.includes(rule.type) && rule.percent === null) throw badField('percent', `is required for ${rule.type} (20 = 20 %)`);
  if (!USES_PERCENT.includes(rule.type) && rule.percent !== null) throw badField('percent', `applies only to ${USES_PERCENT.join(' and ')}, not ${rule.type}`);
  if (rule.type !== 'spike' && rule.multiplier !== null) throw badField('multiplier', `applies only to spike, not ${rule.type}`);
  if (rule.type === 'budget_exhaustion' && rule.withinHours === null)
    throw badField('withinHours', 'is required for budget_exhaustion (hours ahead: 48 = two days)');
  if (rule.type !== 'budget_exhaustion' && rule.withinHours !== null) throw badField('withinHours', `applies only to budget_exhaustion, not ${rule.type}`);
  return rule;
}

/** A new rule from its checked body. */
export function parseRule(body: CreateAlertRuleDto): RuleInput {
  return checkRule({
    type: body.type,
    thresholdNanos: nanosOf(body.thresholdUsd),
    percent: body.percent ?? null,
    multiplier: body.multiplier ?? null,
    withinHours: body.withinHours ?? null,
    timezone: body.timezone === undefined ? 'UTC' : checkZone(body.timezone),
    channels: body.channels === undefined ? [] : [...new Set(body.channels)],
    enabled: body.enabled ?? true,
  });
}

/** A checked PATCH body applied to a stored rule; the type cannot change (make a new rule instead). */
export function patchRule(current: AlertRule, body: UpdateAlertRuleDto): RuleInput {
  if (body.type !== undefined && body.type !== current.type) throw badField('type', 'cannot change; create a new rule instead');
  return checkRule({
    type: current.type,
    thresholdNanos: body.thresholdUsd === undefined ? current.thresholdNanos : nanosOf(body.thresholdUsd),
    percent: body.percent === undefined ? current.percent : body.percent,
    multiplier: body.multiplier === undefined ? current.multiplier : body.multiplier,
    withinHours: body.withinHours === undefined ? (current.withinHours ?? null) : body.withinHours,
    timezone: body.timezone === undefined ? current.timezone : checkZone(body.timezone),
    channels: body.channels === undefined ? current.channels : [...new Set(body.channels)],
    enabled: body.enabled ?? current.enabled,
  });
}

/** A default rule: what sets it apart is its type and its threshold or percent; the rest is the same for all. */
function defaultRule(id: string, type: RuleType, { thresholdNanos = null, percent = null }: { thresholdNanos?: string | null; percent?: number | null } = {}) {
  return { id, type, thresholdNanos, percent, multiplier: null, withinHours: null, timezone: 'UTC', channels: [], enabled: true };
}

/** Every tenant starts with the seeds' alert defaults (spike is opt-in). Their ids are fixed, so seeding twice is harmless. */
export const DEFAULT_RULES: (RuleInput & { id: string })[] = [
  defaultRule('default-daily-cost', 'daily_cost_above', { thresholdNanos: '50000000000' }),
  defaultRule('default-projected-month', 'projected_month_above', { thresholdNanos: '1000000000000' }),
  defaultRule('default-user-daily-cost', 'user_daily_cost_above', { thresholdNanos: '10000000000' }),
  defaultRule('default-trend', 'trend_increase_above', { percent: 20 }),
  defaultRule('default-budget-thresholds', 'budget_threshold'),
  defaultRule('default-unpriced-usage', 'unpriced_usage'),
];

export function ruleView(r: AlertRule) {
  return {
    id: r.id,
    type: r.type,
    thresholdNanos: r.thresholdNanos,
    thresholdUsd: r.thresholdNanos === null ? null : formatUsd(BigInt(r.thresholdNanos)),
    percent: r.percent,
    multiplier: r.type === 'spike' ? (r.multiplier ?? SPIKE_DEFAULTS.multiplier) : null,
    withinHours: r.withinHours ?? null,
    timezone: r.timezone,
    channels: r.channels,
    enabled: r.enabled,
    createdAt: new Date(r.createdAtMs).toISOString(),
    updatedAt: new Date(r.updatedAtMs).toISOString(),
  };
}
