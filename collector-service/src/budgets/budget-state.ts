import { formatUsd } from '@tokenledger/pricing';
import { DateTime } from 'luxon';
import { BUCKET_MS } from '../storage/storage.port';
import { calendarPeriod } from '../time/periods';
import type { Budget } from './budget';

export type BudgetState = 'ok' | 'warning' | 'exceeded';

export interface BudgetPeriodWindow {
  startMs: number;
  endMs: number;
}

/** The calendar period (day, week from Monday, month) of the budget containing `atMs`, in its time zone. */
export const budgetPeriod = (budget: Budget, atMs: number): BudgetPeriodWindow => calendarPeriod(budget.period, atMs, budget.timezone);

/**
 * `exceeded` once spend reaches the limit (the next call would go over it), `warning` from the
 * lowest threshold below 1, else `ok`. Compared in exact integers: threshold × limit is rounded up to
 * the nano, so 0.8 of $10 warns at exactly $8.
 */
export function stateOf(budget: Budget, spentNanos: bigint): BudgetState {
  const limit = BigInt(budget.limitNanos);
  if (spentNanos >= limit) return 'exceeded';
  const warnAt = budget.thresholds.find((t) => t < 1);
  if (warnAt !== undefined && spentNanos >= thresholdNanos(limit, warnAt)) return 'warning';
  return 'ok';
}

/** ceil(limit × fraction), exactly: the fraction as a decimal with up to 9 places. */
export function thresholdNanos(limit: bigint, fraction: number): bigint {
  const scaled = BigInt(Math.round(fraction * 1e9));
  return (limit * scaled + 999_999_999n) / 1_000_000_000n;
}

/** spent / limit, for display (6 decimals); states are decided on the exact integers. */
export const ratioOf = (spentNanos: bigint, limitNanos: bigint): number => Number((spentNanos * 1_000_000n) / limitNanos) / 1e6;

/**
 * Spend extrapolated linearly to the period's end: spent × period length / elapsed, elapsed counted
 * from at least one 15-minute bucket so the first minutes of a period do not project absurd sums.
 */
export function projectedNanos(spentNanos: bigint, window: BudgetPeriodWindow, nowMs: number): bigint {
  const length = BigInt(window.endMs - window.startMs);
  const elapsed = BigInt(Math.min(window.endMs - window.startMs, Math.max(nowMs - window.startMs, BUCKET_MS)));
  return (spentNanos * length) / elapsed;
}

/** An instant as ISO 8601 with the zone's offset. */
export const isoIn = (ms: number, zone: string): string => DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true })!;

export const usd = (nanos: bigint): string => formatUsd(nanos);
