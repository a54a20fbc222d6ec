/** What a channel delivers: one alert firing, or the same alert resolving. Money as exact USD strings. */
export interface AlertNotification {
  /** The alert's id: the same for its firing and its resolution, and in every instance. */
  id: string;
  tenant: string;
  state: 'firing' | 'resolved';
  /** The rule type, e.g. `daily_cost_above`. */
  rule: string;
  ruleId: string;
  severity: 'info' | 'warning' | 'critical';
  /** What crossed: `tenant`, `user:<id>`, `model:<name>`, `budget:<id>@0.8`, ... */
  subject: string;
  valueUsd: string | null;
  thresholdUsd: string | null;
  /** For rules that count calls (unpriced usage): how many. */
  count: number | null;
  periodStart: string;
  periodEnd: string;
  firedAt: string;
  resolvedAt: string | null;
  message: string;
}

/** Idempotency key of one notification: stable across retries and collector instances. */
export const idempotencyKey = (n: AlertNotification) => `${n.id}:${n.state}`;

/** The webhook body (documented fields first; `state`, `tenant`, `resolvedAt` tell a resolution apart). */
export function webhookBody(n: AlertNotification) {
  return {
    id: n.id,
    rule: n.rule,
    severity: n.severity,
    subject: n.subject,
    valueUsd: n.valueUsd,
    thresholdUsd: n.thresholdUsd,
    periodStart: n.periodStart,
    firedAt: n.firedAt,
    message: n.message,
    state: n.state,
    tenant: n.tenant,
    ruleId: n.ruleId,
    count: n.count,
    periodEnd: n.periodEnd,
    resolvedAt: n.resolvedAt,
  };
}

/** One line for people (Slack, e-mail subject). */
export function headline(n: AlertNotification): string {
  return `${n.state === 'resolved' ? 'Resolved' : n.severity.toUpperCase()}: ${n.message}`;
}

/** The details, as text lines (e-mail body, Slack context). */
export function detailLines(n: AlertNotification): string[] {
  return [
    `Rule: ${n.rule} (${n.ruleId})`,
    `Tenant: ${n.tenant}`,
    `Subject: ${n.subject}`,
    ...(n.valueUsd !== null ? [`Value: $${n.valueUsd}`] : []),
    ...(n.thresholdUsd !== null ? [`Threshold: $${n.thresholdUsd}`] : []),
    ...(n.count !== null ? [`Calls: ${n.count}`] : []),
    `Period: ${n.periodStart} to ${n.periodEnd}`,
    `Fired: ${n.firedAt}`,
    ...(n.resolvedAt ? [`Resolved: ${n.resolvedAt}`] : []),
    `Alert id: ${n.id}`,
  ];
}
