import type { Channel } from '../channel';
import type { AlertNotification } from '../notification';
import { checkHttpResponse, REQUEST_TIMEOUT_MS } from '../retry';

/** `daily_cost_above` → `TokenledgerDailyCostAbove`, the naming Prometheus alerts use. */
export const alertName = (rule: string) =>
  `Tokenledger${rule
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('')}`;

/**
 * Alertmanager's v2 `postableAlerts`: one alert. A firing alert ends when its period ends (Alertmanager
 * would otherwise resolve it after its resolve_timeout, as it expects senders to repeat themselves);
 * a resolution ends it now. Labels identify it, so the resolution updates the same alert.
 */
export function alertmanagerPayload(n: AlertNotification, generatorUrl: string) {
  return [
    {
      labels: {
        alertname: alertName(n.rule),
        category: 'cost',
        severity: n.severity,
        source: 'tokenledger-collector',
        tenant: n.tenant,
        rule: n.rule,
        rule_id: n.ruleId,
        subject: n.subject,
        alert_id: n.id,
      },
      annotations: {
        summary: n.message,
        ...(n.valueUsd !== null ? { value_usd: n.valueUsd } : {}),
        ...(n.thresholdUsd !== null ? { threshold_usd: n.thresholdUsd } : {}),
        ...(n.count !== null ? { calls: String(n.count) } : {}),
        period_start: n.periodStart,
        period_end: n.periodEnd,
      },
      startsAt: n.firedAt,
      endsAt: n.resolvedAt ?? n.periodEnd,
      generatorURL: generatorUrl,
    },
  ];
}

export async function sendAlertmanager(channel: Channel, n: AlertNotification, generatorUrl: string): Promise<void> {
  const base = channel.url.replace(/\/+$/, '');
  const response = await fetch(`${base}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(channel.secret ? { authorization: `Bearer ${channel.secret}` } : {}) },
    body: JSON.stringify(alertmanagerPayload(n, generatorUrl)),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await checkHttpResponse(response, 'alertmanager');
}
