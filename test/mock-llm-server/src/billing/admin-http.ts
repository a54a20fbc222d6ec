import type { ServerResponse } from 'node:http';
import type { RecordedRequest } from '../http';
import { DAY_MS, type Day, dayOf } from './ledger';

/** A query parameter's values, however the client spelled the array: `group_by[]=a`, `group_by=a`, `group_by[0]=a`, `group_by=a,b`. */
export function queryList(req: RecordedRequest, name: string): string[] {
  const values: string[] = [];
  for (const [key, value] of req.query) {
    if (key === name || key === `${name}[]` || new RegExp(`^${name}\\[\\d+\\]$`).test(key)) values.push(...value.split(','));
  }
  return values.filter(Boolean);
}

/** The page a request asks for: its buckets start at `from` (a day), `limit` of them at most. */
export interface BucketPage {
  days: Day[];
  nextPage: string | null;
}

/**
 * Pages over UTC days from `fromMs` (snapped to its day) to `toMs` (exclusive), `limit` buckets a
 * page; the `page` cursor (opaque to clients, here the next day in base64url) picks up where the last
 * page stopped.
 */
export function bucketPage(fromMs: number, toMs: number, limit: number, page: string | null): BucketPage {
  let start = Math.floor(fromMs / DAY_MS) * DAY_MS;
  if (page !== null) {
    const day = Buffer.from(page, 'base64url').toString('utf8');
    const ms = Date.parse(`${day}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(ms)) throw new RangeError('page is not a cursor this API returned');
    start = ms;
  }
  const days: Day[] = [];
  let at = start;
  for (; at < toMs && days.length < limit; at += DAY_MS) days.push(dayOf(at));
  return { days, nextPage: at < toMs ? Buffer.from(dayOf(at)).toString('base64url') : null };
}

/** A whole number query parameter within bounds, or the default; null when it is not one. */
export function boundedInt(req: RecordedRequest, name: string, fallback: number, min: number, max: number): number | null {
  const raw = req.query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  return /^\d+$/.test(raw) && value >= min && value <= max ? value : null;
}

/**
 * Sends JSON whose numbers given as `RawNumber` keep their exact digits: OpenAI's costs are JSON
 * numbers, and a client must read them without passing through a double to stay exact.
 */
export class RawNumber {
  constructor(readonly text: string) {
    if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) throw new TypeError(`not a JSON number: ${JSON.stringify(text)}`);
  }
}

export function sendRawJson(res: ServerResponse, status: number, body: unknown): void {
  const raws: string[] = [];
  const text = JSON.stringify(body, (_key, value: unknown) => {
    if (value instanceof RawNumber) {
      raws.push(value.text);
      return `\u0000raw${raws.length - 1}\u0000`;
    }
    return value;
  }).replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)]);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Decimal texts summed exactly (a day's total when its lines are not asked for). */
export function sumDecimals(values: string[]): string {
  const places = Math.max(0, ...values.map((v) => (v.split('.')[1] ?? '').length));
  const total = values.reduce((sum, v) => {
    const [whole, fraction = ''] = v.split('.');
    return sum + BigInt(whole + fraction.padEnd(places, '0'));
  }, 0n);
  const digits = (total < 0n ? -total : total).toString().padStart(places + 1, '0');
  const text = places > 0 ? `${digits.slice(0, -places)}.${digits.slice(-places)}` : digits;
  return total < 0n ? `-${text}` : text;
}
