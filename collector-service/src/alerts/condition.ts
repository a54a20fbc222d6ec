import type { AlertNotification } from '../channels/notification';

/** One thing over its threshold right now: what an evaluator reports, and what becomes an alert. */
export interface Condition {
  /** `tenant`, `user:<id>`, `model:<name>`, `budget:<id>@0.8`, ... */
  subject: string;
  periodStartMs: number;
  periodEndMs: number;
  valueNanos: bigint | null;
  thresholdNanos: bigint | null;
  count: number | null;
  severity: AlertNotification['severity'];
  message: string;
  /** Channels this condition names besides the rule's (a budget's own channels). */
  extraChannels?: string[];
}
