import { badField } from '../channels/field-error';
import type { CreateDigestDto, UpdateDigestDto } from './digest.dto';

export const DIGEST_CADENCES = ['daily', 'weekly'] as const;
export type DigestCadence = (typeof DIGEST_CADENCES)[number];
/** Weekdays in ISO order: Monday is 1. */
export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A tenant's subscription to a spend digest, as stored. */
export interface DigestSubscription {
  id: string;
  name: string;
  cadence: DigestCadence;
  /** weekly: the day it is sent on (the week it covers ends the midnight before); null for daily. */
  weekday: Weekday | null;
  /** The local hour it is sent at, 0-23. */
  hour: number;
  /** The IANA zone whose days and weeks it covers. */
  timezone: string;
  /** Channel ids; empty = the tenant's default channels. */
  channels: string[];
  enabled: boolean;
  createdAtMs: number;
  updatedAtMs: number;
}

/** A weekly digest names its weekday; a daily one has none. */
function checkCadence(s: DigestSubscription): DigestSubscription {
  if (s.cadence === 'weekly' && s.weekday === null) throw badField('weekday', `is required for a weekly digest (${WEEKDAYS.join(', ')})`);
  if (s.cadence === 'daily' && s.weekday !== null) throw badField('weekday', 'applies only to weekly digests');
  return s;
}

export function subscriptionFromBody(id: string, input: CreateDigestDto, nowMs: number): DigestSubscription {
  return checkCadence({
    id,
    name: input.name!,
    cadence: input.cadence!,
    weekday: input.weekday ?? null,
    hour: input.hour ?? 8,
    timezone: input.timezone ?? 'UTC',
    channels: [...new Set(input.channels ?? [])],
    enabled: input.enabled ?? true,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  });
}

/** The subscription with a change request's fields changed; a change to daily drops the weekday. */
export function patchSubscription(current: DigestSubscription, input: UpdateDigestDto, nowMs: number): DigestSubscription {
  const cadence = input.cadence ?? current.cadence;
  const weekday = input.weekday !== undefined ? input.weekday : cadence === 'daily' && input.cadence !== undefined ? null : current.weekday;
  return checkCadence({
    ...current,
    name: input.name ?? current.name,
    cadence,
    weekday,
    hour: input.hour ?? current.hour,
    timezone: input.timezone ?? current.timezone,
    channels: input.channels === undefined ? current.channels : [...new Set(input.channels)],
    enabled: input.enabled ?? current.enabled,
    updatedAtMs: nowMs,
  });
}

export function subscriptionView(s: DigestSubscription) {
  return {
    id: s.id,
    name: s.name,
    cadence: s.cadence,
    weekday: s.weekday,
    hour: s.hour,
    timezone: s.timezone,
    channels: s.channels,
    enabled: s.enabled,
    createdAt: new Date(s.createdAtMs).toISOString(),
    updatedAt: new Date(s.updatedAtMs).toISOString(),
  };
}
