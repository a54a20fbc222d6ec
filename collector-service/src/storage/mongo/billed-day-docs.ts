import type { Collection } from 'mongodb';
import type { BilledDay } from '../../billing/billed-day';
import { checkAddress } from '../documents';
import { billedDayOf, type BilledDaysRepository, type StoredBilledDay, storedBilledDay } from '../repositories/billed-days.repository';
import { upsert } from './inserts';

/** A billed day in its collection: the total and each line's cost Int64s of nano-USD (never Decimal128), the rest JSON. */
export interface BilledDayDoc extends Omit<StoredBilledDay, 'costNanos' | 'lines'> {
  /** JSON [tenant, provider, day] */
  _id: string;
  tenant: string;
  costNanos: bigint | number;
  lines: Array<{ item: string; model: string | null; costNanos: bigint | number }>;
}

/** Billed days in a collection of their own. */
export class MongoBilledDays implements BilledDaysRepository {
  constructor(private readonly days: Collection<BilledDayDoc>) {}

  async save(tenant: string, day: BilledDay): Promise<void> {
    checkAddress('billed day', tenant, `${day.provider}:${day.day}`);
    const { provider, day: date, costNanos, lines, rest } = storedBilledDay(tenant, day);
    await upsert(this.days, JSON.stringify([tenant, provider, date]), { tenant, provider, day: date, costNanos, lines, rest });
  }

  async list(tenant: string): Promise<BilledDay[]> {
    checkAddress('billed day', tenant, 'list');
    const docs = await this.days.find({ tenant }).sort({ provider: 1, day: 1 }).toArray();
    return docs.map((d) =>
      billedDayOf({
        provider: d.provider,
        day: d.day,
        costNanos: BigInt(d.costNanos),
        lines: d.lines.map((l) => ({ item: l.item, model: l.model, costNanos: BigInt(l.costNanos) })),
        rest: d.rest,
      }),
    );
  }
}
