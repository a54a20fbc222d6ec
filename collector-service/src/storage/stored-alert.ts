import type { StoredAlert } from '../alerts/alert';
import { storableNanos } from './money-entities';

/**
 * A fired alert as both stores keep it: its value and threshold integers of nano-USD of their own
 * (sqlite INTEGER, mongo Int64), the rest JSON. An amount no 64-bit integer holds stays in the JSON, as
 * the decimal string it is, so nothing is lost.
 */
export interface StoredAlertAmounts {
  valueNanos: bigint | null;
  thresholdNanos: bigint | null;
  body: string;
}

export function storedAlertAmounts(alert: StoredAlert): StoredAlertAmounts {
  const { valueNanos, thresholdNanos, ...rest } = alert;
  const [value, threshold] = [storableNanos(valueNanos), storableNanos(thresholdNanos)];
  const body = { ...rest, ...(value === null ? { valueNanos } : {}), ...(threshold === null ? { thresholdNanos } : {}) };
  return { valueNanos: value, thresholdNanos: threshold, body: JSON.stringify(body) };
}

export function alertOfAmounts(stored: StoredAlertAmounts): StoredAlert {
  const alert = JSON.parse(stored.body) as Omit<StoredAlert, 'valueNanos' | 'thresholdNanos'> & Partial<Pick<StoredAlert, 'valueNanos' | 'thresholdNanos'>>;
  return {
    ...alert,
    valueNanos: stored.valueNanos === null ? (alert.valueNanos ?? null) : stored.valueNanos.toString(),
    thresholdNanos: stored.thresholdNanos === null ? (alert.thresholdNanos ?? null) : stored.thresholdNanos.toString(),
  };
}
