import type { BilledDay } from '../../billing/billed-day';
import { storableNanos } from '../money-entities';

/** The days the providers billed a tenant, as imported: pulling a day again replaces it. */
export interface BilledDaysRepository {
  /** Creates or replaces the provider's day; a RangeError names an amount no signed 64-bit integer of nanos holds. */
  save(tenant: string, day: BilledDay): Promise<void>;
  /** The tenant's billed days, by provider, then day. */
  list(tenant: string): Promise<BilledDay[]>;
}

/** The document kind billed days were kept under before they had a table (collection) of their own, id `<provider>:<day>`. */
export const BILLED_DAY_DOCUMENT_KIND = 'provider-bill';

/** A billed day as both stores keep it: its total and each line's cost integers of nano-USD, the rest as it is. */
export interface StoredBilledDay {
  provider: BilledDay['provider'];
  day: string;
  costNanos: bigint;
  lines: Array<{ item: string; model: string | null; costNanos: bigint }>;
  /** The rest of the day (its usage, when it was pulled), as JSON. */
  rest: string;
}

/** The day as stored; a RangeError when an amount is not an integer of nanos a signed 64-bit integer holds. */
export function storedBilledDay(tenant: string, d: BilledDay): StoredBilledDay {
  const nanos = (amount: string, what: string) => {
    const stored = storableNanos(amount);
    if (stored === null)
      throw new RangeError(`billed day ${tenant}/${d.provider}:${d.day}: ${what} ${amount} is not an integer of nano-USD a signed 64-bit integer holds`);
    return stored;
  };
  const { provider, day, costNanos, lines, ...rest } = d;
  return {
    provider,
    day,
    costNanos: nanos(costNanos, 'the cost'),
    lines: lines.map((l) => ({ item: l.item, model: l.model, costNanos: nanos(l.costNanos, `the cost of ${l.item}`) })),
    rest: JSON.stringify(rest),
  };
}

export function billedDayOf(s: StoredBilledDay): BilledDay {
  return {
    provider: s.provider,
    day: s.day,
    costNanos: s.costNanos.toString(),
    lines: s.lines.map((l) => ({ item: l.item, model: l.model, costNanos: l.costNanos.toString() })),
    ...(JSON.parse(s.rest) as Pick<BilledDay, 'usage' | 'pulledAtMs'>),
  };
}

/** A billed day as the versions before kept it (a document), or null when the body holds none a 64-bit integer of nanos can hold. */
export function billedDayOfDocument(tenant: string, body: unknown): StoredBilledDay | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const d = body as BilledDay;
  if (typeof d.provider !== 'string' || typeof d.day !== 'string' || !Array.isArray(d.lines)) return null;
  try {
    return storedBilledDay(tenant, d);
  } catch {
    return null;
  }
}
