import type { SpanInput } from '../ingest/span-input';
import { TIME_BOUNDS } from './billable-bounds';
import { InvalidSpanError } from './span-attributes';

const NANOS_PER_MS = 1_000_000n;

/**
 * Refuses a call whose times cannot be a call's: a zero start, a clock in another millennium, a call
 * lasting years. Stored, it would land in a bucket no report asks for, or carry a duration no sum
 * can hold.
 */
export function assertPlausibleTimes(span: SpanInput, nowMs: number): void {
  const start = span.startTimeUnixNano;
  const latestMs = nowMs + TIME_BOUNDS.maxAheadMs;
  if (start < BigInt(TIME_BOUNDS.earliestStartMs) * NANOS_PER_MS || start > BigInt(latestMs) * NANOS_PER_MS) {
    throw new InvalidSpanError(
      `startTimeUnixNano ${shownTime(start)} is not a plausible time for a call: it must be from 2000-01-01 to one day past the collector's clock (${new Date(latestMs).toISOString()})`,
    );
  }
  if (span.endTimeUnixNano > start + BigInt(TIME_BOUNDS.maxDurationMs) * NANOS_PER_MS) {
    throw new InvalidSpanError(`endTimeUnixNano ${shownTime(span.endTimeUnixNano)} must be within 7 days after startTimeUnixNano: no call lasts longer`);
  }
}

/** The largest instant a Date holds, in ms. */
const MAX_DATE_MS = 8_640_000_000_000_000n;

/** A time in nanoseconds with its ISO date when it has one, else its first digits. */
function shownTime(nanos: bigint): string {
  if (nanos / NANOS_PER_MS <= MAX_DATE_MS) return `${nanos} (${new Date(Number(nanos / NANOS_PER_MS)).toISOString()})`;
  const digits = nanos.toString();
  return `${digits.slice(0, 20)}… (${digits.length} digits)`;
}
