import type { AlertRule } from '../alerts/alert-rule';
import type { MoneyEntityKind } from './money-entities';

/** Alert rules as both stores keep them (schema migration 15): the threshold an integer of nano-USD or none, the rest JSON. */
export const STORED_ALERT_RULES: MoneyEntityKind<AlertRule> = {
  documentKind: 'alert-rule',
  table: 'alert_rules',
  column: 'threshold_nanos',
  field: 'thresholdNanos',
  nullable: true,
};
