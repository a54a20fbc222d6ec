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
 * The run rate is the period's spend so far over the time elapsed in it, counted as at least one
 * 15-minute bucket so the first minutes of a period do not project absurd sums. Spend is projected
 * along that rate from the period's start.
 */
const elapsedMs = (window: BudgetPeriodWindow, nowMs: number): bigint =>
  BigInt(Math.min(window.endMs - window.startMs, Math.max(nowMs - window.startMs, BUCKET_MS)));

/** Spend at the period's end at the run rate: spent × period length / elapsed, rounded down to the nano. */
export function projectedNanos(spentNanos: bigint, window: BudgetPeriodWindow, nowMs: number): bigint {
  return (spentNanos * BigInt(window.endMs - window.startMs)) / elapsedMs(window, nowMs);
}

/**
 * The instant the run rate reaches the limit, when that is before the period ends: period start +
 * limit × elapsed / spent, rounded up to the whole second (the first second by which the projected
 * spend has reached the limit). Null when nothing was spent, when the limit is already reached
 * (`stateOf` says exceeded) and when the limit outlasts the period.
 */
export function exhaustionMs(spentNanos: bigint, limitNanos: bigint, window: BudgetPeriodWindow, nowMs: number): number | null {
  if (spentNanos <= 0n || spentNanos >= limitNanos) return null;
  const sinceStart = (limitNanos * elapsedMs(window, nowMs) + spentNanos - 1n) / spentNanos;
  if (sinceStart >= BigInt(window.endMs - window.startMs)) return null;
  const atMs = Math.ceil((window.startMs + Number(sinceStart)) / 1000) * 1000;
  return atMs < window.endMs ? atMs : null;
}

/** An instant as ISO 8601 with the zone's offset. */
export const isoIn = (ms: number, zone: string): string => DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true })!;

export const usd = (nanos: bigint): string => formatUsd(nanos);
