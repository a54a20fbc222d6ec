import type { UsageRecord } from '../usage/usage-record';

/** A record as JSON text, with money (bigint) as decimal strings. */
export function encodeRecord(record: UsageRecord): string {
  // Only the two money fields are bigint; swapping them for strings avoids a replacer call per value.
  return JSON.stringify({
    ...record,
    costNanos: record.costNanos === null ? null : record.costNanos.toString(),
    providedCostNanos: record.providedCostNanos === null ? null : record.providedCostNanos.toString(),
  });
}

const MONEY_FIELDS = ['costNanos', 'providedCostNanos'] as const;

export function decodeRecord(text: string): UsageRecord {
  const record = JSON.parse(text) as UsageRecord;
  for (const field of MONEY_FIELDS) {
    const value = record[field] as unknown;
    record[field] = value === null || value === undefined ? null : BigInt(value as string);
  }
  // Records stored before audio tokens, token details and batch ids were read have no such fields: they had none we knew of.
  record.audioTokens ??= null;
  record.tokenDetails ??= null;
  record.batchId ??= null;
  // Nor do records stored before their priced quantities, or their prior pricings, were kept.
  record.priceQuantities ??= null;
  record.priceMultiplier ??= null;
  record.priorPricings ??= [];
  return record;
}

/** An opaque cursor for "newest first" pages: the last record's time and id. */
export function encodeCursor(timeMs: number, id: string): string {
  return Buffer.from(`${timeMs}:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { timeMs: number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  const timeMs = Number(text.slice(0, colon));
  if (colon < 1 || !Number.isSafeInteger(timeMs)) throw new TypeError('cursor is not one this service issued');
  return { timeMs, id: text.slice(colon + 1) };
}
