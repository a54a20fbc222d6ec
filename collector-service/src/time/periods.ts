import { DateTime, Info } from 'luxon';
import { BUCKET_MS } from '../storage/storage.port';

/**
 * Calendar arithmetic in IANA time zones, on 15-minute bucket boundaries. Every IANA offset is a
 * multiple of 15 minutes, so a local day, week or month is an exact union of rollup buckets, DST
 * days of 23 or 25 hours included. Used by reports and by budget periods.
 */
export type CalendarUnit = 'day' | 'week' | 'month';

export class TimeZoneError extends Error {}

/**
 * Zone names already found valid. Luxon's check builds an Intl.DateTimeFormat on every call, most
 * of the time of a request that names a zone; a name stays valid for the life of the process. Bounded,
 * because zone names match without regard to case: a client could send endless spellings of one zone.
 */
const validZones = new Set<string>();
const MAX_CACHED_ZONES = 1024;

export function checkZone(tz: string): string {
  if (validZones.has(tz)) return tz;
  if (!Info.isValidIANAZone(tz)) throw new TimeZoneError(`"${tz}" is not an IANA time zone (e.g. UTC, Europe/Madrid, America/New_York)`);
  if (validZones.size < MAX_CACHED_ZONES) validZones.add(tz);
  return tz;
}

/** The calendar day, week (from Monday) or month containing `atMs` in `tz`. */
export function calendarPeriod(unit: CalendarUnit, atMs: number, tz: string): { startMs: number; endMs: number } {
  const start = DateTime.fromMillis(atMs, { zone: tz }).startOf(unit === 'week' ? 'week' : unit);
  return { startMs: start.toMillis(), endMs: start.plus({ [`${unit}s`]: 1 }).toMillis() };
}

/** Local midnight of an ISO date (`2026-03-29`) in `tz`, or the instant of a date-time with offset. Null when neither. */
export function parseInstant(value: string, tz: string): number | null {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const parsed = dateOnly ? DateTime.fromISO(value, { zone: tz }) : DateTime.fromISO(value, { setZone: true });
  if (!parsed.isValid) return null;
  if (!dateOnly && !/(Z|[+-]\d{2}:?\d{2})$/.test(value)) return null; // a date-time must say its offset
  return parsed.toMillis();
}

export const floorToBucket = (ms: number) => Math.floor(ms / BUCKET_MS) * BUCKET_MS;
export const ceilToBucket = (ms: number) => Math.ceil(ms / BUCKET_MS) * BUCKET_MS;

/** Start of the local hour or day containing a bucket, in `tz`. */
export function localStart(unit: 'hour' | 'day', ms: number, tz: string): number {
  return DateTime.fromMillis(ms, { zone: tz }).startOf(unit).toMillis();
}

const HOUR_MS = 3_600_000;

/** Every local hour or day start in [fromMs, toMs), in `tz` (a DST day has 23 or 25 hours). */
export function localSteps(unit: 'hour' | 'day', fromMs: number, toMs: number, tz: string): number[] {
  const steps: number[] = [];
  let t = DateTime.fromMillis(fromMs, { zone: tz }).startOf(unit);
  if (unit === 'hour') {
    // An hour is 3,600,000 ms in every zone (luxon adds it so too): only the first start needs the
    // zone, and a month of hours is not 720 calendar computations on the event loop.
    for (let ms = t.toMillis(); ms < toMs; ms += HOUR_MS) if (ms >= fromMs || steps.length === 0) steps.push(ms);
    return steps;
  }
  while (t.toMillis() < toMs) {
    if (t.toMillis() >= fromMs || steps.length === 0) steps.push(t.toMillis());
    t = t.plus({ days: 1 });
  }
  return steps;
}

/** The local calendar date (YYYY-MM-DD) or date-time of an instant, for response labels. */
export function localLabel(ms: number, tz: string, unit: 'hour' | 'day'): string {
  const t = DateTime.fromMillis(ms, { zone: tz });
  return unit === 'day' ? t.toISODate()! : t.toISO({ suppressMilliseconds: true })!;
}

export function daysInMonth(atMs: number, tz: string): number {
  return DateTime.fromMillis(atMs, { zone: tz }).daysInMonth!;
}

/** 1 on the first local day of the month. */
export function dayOfMonth(atMs: number, tz: string): number {
  return DateTime.fromMillis(atMs, { zone: tz }).day;
}
