import { DateTime } from 'luxon';
import { type DigestSubscription, WEEKDAYS } from './digest-subscription';

/** The local day or week a digest covers, and the instant it is due (its `hour` on the day after). */
export interface DigestPeriod {
  startMs: number;
  endMs: number;
  dueMs: number;
}

type Cadence = Pick<DigestSubscription, 'cadence' | 'weekday' | 'hour' | 'timezone'>;

/**
 * The latest period whose digest is due at `nowMs`: the local day (daily) or the seven local days
 * before the weekday it is sent on (weekly), once its hour has come on the day after. Local midnights
 * and DST days come from the zone, so a period is always a whole number of 15-minute rollup buckets.
 */
export function latestDuePeriod(s: Cadence, nowMs: number): DigestPeriod {
  const today = DateTime.fromMillis(nowMs, { zone: s.timezone }).startOf('day');
  const back = s.cadence === 'weekly' ? (today.weekday - (WEEKDAYS.indexOf(s.weekday!) + 1) + 7) % 7 : 0;
  let end = today.minus({ days: back });
  const length = s.cadence === 'weekly' ? { weeks: 1 } : { days: 1 };
  // An hour a DST change skips is sent at the first instant after it.
  if (end.set({ hour: s.hour }).toMillis() > nowMs) end = end.minus(length);
  return { startMs: end.minus(length).toMillis(), endMs: end.toMillis(), dueMs: end.set({ hour: s.hour }).toMillis() };
}

/** The period just before one (the digest's comparison). */
export function previousPeriod(s: Pick<DigestSubscription, 'cadence' | 'timezone'>, period: Pick<DigestPeriod, 'startMs'>): { startMs: number; endMs: number } {
  const start = DateTime.fromMillis(period.startMs, { zone: s.timezone });
  return { startMs: start.minus(s.cadence === 'weekly' ? { weeks: 1 } : { days: 1 }).toMillis(), endMs: period.startMs };
}
