import { once } from 'node:events';
import type { Response } from 'express';
import { usageOf, type PricingService } from '../../pricing/pricing.service';
import type { DimensionFilters, StoragePort } from '../../storage/storage.port';
import { csvField } from '../record-view';
import { FOCUS_COLUMNS, FocusDay, type FocusRow } from './focus-rows';
import { DAY_MS } from '../../time/utc-days';

export interface FocusRequest {
  tenant: string;
  /** Whole UTC days: FOCUS charge periods are UTC days here. */
  fromMs: number;
  toMs: number;
  filters: DimensionFilters;
}

const csvLine = (values: (string | null)[]) => `${values.map((v) => csvField(v)).join(',')}\r\n`;

/**
 * Streams a FOCUS 1.2 CSV of the tenant's AI usage: the records of each UTC day are summed into
 * FOCUS rows (see FocusDay) and written when the next day starts, so memory holds one day's rows.
 * Unpriced calls have no cost and are left out, as every total leaves them out: the file's BilledCost
 * sums to the cost report's total over the same days, to the nano.
 */
export async function streamFocus(storage: StoragePort, pricing: PricingService, req: FocusRequest, res: Response): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="tokenledger-focus-${req.tenant}-${new Date(req.fromMs).toISOString().slice(0, 10)}.csv"`);
  const write = async (chunk: string) => {
    if (!res.write(chunk)) await once(res, 'drain');
  };
  const writeRows = async (rows: FocusRow[]) => {
    for (const row of rows) await write(csvLine(FOCUS_COLUMNS.map(([, value]) => value(row))));
  };
  await write(csvLine(FOCUS_COLUMNS.map(([id]) => id)));
  const day = new FocusDay();
  for await (const record of storage.streamRecords({ tenant: req.tenant, fromMs: req.fromMs, toMs: req.toMs, filters: req.filters })) {
    if (res.destroyed) return;
    const dayMs = Math.floor(record.timeMs / DAY_MS) * DAY_MS;
    if (day.dayMs !== dayMs) {
      await writeRows(day.take());
      day.dayMs = dayMs;
    }
    if (record.costNanos === null) continue;
    const usage = usageOf(record);
    day.add(record, pricing.listBook.price(usage), () => pricing.book.price(usage));
  }
  await writeRows(day.take());
  res.end();
}
