import type { UsageRecord } from '../usage/usage-record';

/**
 * Label names of the collector's own metrics (Prometheus labels, not span attributes). Every one has
 * bounded cardinality: providers, models, cost types, services, agents and features are a deployment's
 * few; users only when allowlisted.
 */
export const LABEL = {
  PROVIDER: 'provider',
  MODEL: 'model',
  TYPE: 'type',
  SERVICE: 'service',
  AGENT: 'agent',
  FEATURE: 'feature',
  USER: 'user',
  KIND: 'kind',
  STATUS: 'status',
  OUTCOME: 'outcome',
  REASON: 'reason',
  ATTRIBUTE: 'attribute',
  BUDGET: 'budget',
} as const;

export type Labels = Record<string, string>;

/** What every per-call metric carries: where the call went and who made it. Absent values stay absent (no empty labels). */
export function callLabels(record: Pick<UsageRecord, 'provider' | 'model' | 'service' | 'agent' | 'feature'>): Labels {
  const labels: Labels = { [LABEL.PROVIDER]: record.provider, [LABEL.MODEL]: record.model, [LABEL.SERVICE]: record.service };
  if (record.agent) labels[LABEL.AGENT] = record.agent;
  if (record.feature) labels[LABEL.FEATURE] = record.feature;
  return labels;
}

/** Cost labels: the call's, its cost type, and its user when the user is on the allowlist. */
export function costLabels(
  record: Pick<UsageRecord, 'provider' | 'model' | 'service' | 'agent' | 'feature' | 'costType' | 'user'>,
  userAllowlist: ReadonlySet<string>,
): Labels {
  const labels: Labels = { ...callLabels(record), [LABEL.TYPE]: record.costType };
  if (record.user && userAllowlist.has(record.user)) labels[LABEL.USER] = record.user;
  return labels;
}
