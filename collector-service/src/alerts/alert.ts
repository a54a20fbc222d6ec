import { createHash } from 'node:crypto';
import { formatUsd } from '@tokenledger/pricing';
import type { AlertNotification } from '../channels/notification';
import type { DeliveryRecord } from '../channels/delivery.service';
import { deliveryView } from '../channels/delivery.dto';
import type { AlertRule } from './alert-rule';
import { parseBudgetSubject } from './budget-subject';
import type { Condition } from './condition';

/** Document kinds: the alert itself is written once (insertOnce); what happens to it later lives beside it. */
export const ALERT_KIND = 'alert';
export const RESOLUTION_KIND = 'alert-resolution';
export const OPEN_KIND = 'alert-open';
export const ACK_KIND = 'alert-ack';
export const DELIVERY_KIND = 'alert-delivery';
export const REDELIVERY_KIND = 'alert-redelivery';

/** A firing alert's index entry: what runs read to resolve it, and whether its firing was delivered. */
export interface OpenAlert {
  ruleId: string;
  firedAtMs: number;
  delivered: boolean;
}

/** A fired alert as stored. Money as decimal strings of nanos. */
export interface StoredAlert {
  id: string;
  tenant: string;
  ruleId: string;
  rule: AlertRule['type'];
  severity: Condition['severity'];
  subject: string;
  periodStartMs: number;
  periodEndMs: number;
  valueNanos: string | null;
  thresholdNanos: string | null;
  count: number | null;
  message: string;
  firedAtMs: number;
  /** The channels chosen when it fired; its resolution goes to the same ones. */
  channels: string[];
}

export interface Resolution {
  alertId: string;
  resolvedAtMs: number;
  reason: string;
}

export interface Ack {
  alertId: string;
  ackedAtMs: number;
  by: string | null;
}

/**
 * One alert per rule, subject and period: the id is a hash of the three, so every collector instance
 * derives the same id and the store's insertOnce lets exactly one of them fire it.
 */
export function alertId(ruleId: string, subject: string, periodStartMs: number): string {
  return `al_${createHash('sha256').update(`${ruleId}\n${subject}\n${periodStartMs}`).digest('hex').slice(0, 32)}`;
}

export function alertFrom(tenant: string, rule: AlertRule, c: Condition, nowMs: number): StoredAlert {
  return {
    id: alertId(rule.id, c.subject, c.periodStartMs),
    tenant,
    ruleId: rule.id,
    rule: rule.type,
    severity: c.severity,
    subject: c.subject,
    periodStartMs: c.periodStartMs,
    periodEndMs: c.periodEndMs,
    valueNanos: c.valueNanos === null ? null : c.valueNanos.toString(),
    thresholdNanos: c.thresholdNanos === null ? null : c.thresholdNanos.toString(),
    count: c.count,
    message: c.message,
    firedAtMs: nowMs,
    channels: [],
  };
}

const usd = (nanos: string | null) => (nanos === null ? null : formatUsd(BigInt(nanos)));
const iso = (ms: number) => new Date(ms).toISOString();

export function notificationOf(a: StoredAlert, resolution: Resolution | null): AlertNotification {
  return {
    id: a.id,
    tenant: a.tenant,
    state: resolution ? 'resolved' : 'firing',
    rule: a.rule,
    ruleId: a.ruleId,
    severity: a.severity,
    subject: a.subject,
    valueUsd: usd(a.valueNanos),
    thresholdUsd: usd(a.thresholdNanos),
    count: a.count,
    periodStart: iso(a.periodStartMs),
    periodEnd: iso(a.periodEndMs),
    firedAt: iso(a.firedAtMs),
    resolvedAt: resolution ? iso(resolution.resolvedAtMs) : null,
    message: resolution ? `${a.message} (resolved: ${resolution.reason})` : a.message,
  };
}

/**
 * An alert as the API lists it. `budgetName` is the current name of the budget a budget alert is about
 * (null for other alerts, and for a budget deleted since), so people read a name rather than its id.
 */
export function alertView(
  a: StoredAlert,
  resolution: Resolution | null,
  ack: Ack | null,
  deliveries: DeliveryRecord[],
  budgetName: (id: string) => string | null,
) {
  const budget = parseBudgetSubject(a.subject);
  return {
    id: a.id,
    state: resolution ? 'resolved' : 'firing',
    rule: a.rule,
    ruleId: a.ruleId,
    severity: a.severity,
    subject: a.subject,
    budget: budget && { id: budget.budgetId, name: budgetName(budget.budgetId), user: budget.user, threshold: budget.threshold },
    valueNanos: a.valueNanos,
    valueUsd: usd(a.valueNanos),
    thresholdNanos: a.thresholdNanos,
    thresholdUsd: usd(a.thresholdNanos),
    count: a.count,
    message: a.message,
    periodStart: iso(a.periodStartMs),
    periodEnd: iso(a.periodEndMs),
    firedAt: iso(a.firedAtMs),
    resolvedAt: resolution ? iso(resolution.resolvedAtMs) : null,
    resolvedReason: resolution?.reason ?? null,
    acknowledged: ack !== null,
    acknowledgedAt: ack ? iso(ack.ackedAtMs) : null,
    deliveries: deliveries.sort((x, y) => x.atMs - y.atMs).map((d) => ({ ...deliveryView(d), state: d.state })),
  };
}
