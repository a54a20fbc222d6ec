import { parseUsdToNanos } from '@tokenledger/pricing';
import type { AttributeValue, Attributes } from '../ingest/span-input';

/** A GenAI span whose data cannot make a record; the message names the attribute. */
export class InvalidSpanError extends Error {}

export function str(attrs: Attributes, ...keys: string[]): string | null {
  for (const key of keys) {
    const v = attrs[key];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  }
  return null;
}

/** A token-like count: a non-negative integer (or an integer string, as OTLP JSON sends int64). Absent → null. */
export function count(attrs: Attributes, key: string): number | null {
  const v: AttributeValue | undefined = attrs[key];
  if (v === undefined || v === null) return null;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new InvalidSpanError(`${key} must be a non-negative integer, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** The first of several count attributes that is present. */
export function firstCount(attrs: Attributes, ...keys: string[]): number | null {
  for (const key of keys) {
    const n = count(attrs, key);
    if (n !== null) return n;
  }
  return null;
}

/** A count that is a part of another (audio tokens of the input tokens): absent → 0, more than the whole → invalid. */
export function partCount(attrs: Attributes, key: string, whole: number, wholeKey: string): number {
  const n = count(attrs, key) ?? 0;
  if (n > whole) throw new InvalidSpanError(`${key} (${n}) must not exceed ${wholeKey} (${whole}), which includes it`);
  return n;
}

export function num(attrs: Attributes, key: string): number | null {
  const v = attrs[key];
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (n === undefined || n === null) return null;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new InvalidSpanError(`${key} must be a non-negative number, got ${JSON.stringify(v)}`);
  return n;
}

/** An amount in USD as nano-USD, rounded half up (emitters send more than 9 decimals); unreadable or absent → null. */
export function usdNanos(attrs: Attributes, key: string): bigint | null {
  const usd = str(attrs, key);
  return usd === null ? null : usdToNanosHalfUp(usd);
}

/** A provided cost may carry more than 9 decimals (OpenLIT sends a double); keep it to the nano, half up. */
export function usdToNanosHalfUp(usd: string): bigint | null {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(usd.trim());
  if (!m) return null;
  const fraction = (m[2] ?? '').padEnd(10, '0');
  const nanos = parseUsdToNanos(`${m[1]}.${fraction.slice(0, 9)}`);
  return fraction[9] >= '5' ? nanos + 1n : nanos;
}

export function bool(attrs: Attributes, key: string): boolean {
  const v = attrs[key];
  return v === true || v === 'true';
}

/** Every attribute under a prefix, as plain strings (tags, association properties, metadata). */
export function withPrefix(attrs: Attributes, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in attrs) {
    if (!key.startsWith(prefix)) continue;
    const v = attrs[key];
    if (v !== null && typeof v !== 'object') out[key.slice(prefix.length)] = String(v);
  }
  return out;
}
