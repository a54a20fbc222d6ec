import { parseUsdToNanos } from '@tokenledger/pricing';
import type { AttributeValue, Attributes } from '../ingest/span-input';
import { BILLABLE_BOUNDS, grouped, TEXT_BOUNDS } from './billable-bounds';

/** A GenAI span whose data cannot make a record; the message names the attribute. */
export class InvalidSpanError extends Error {}

/** The first of the keys that holds text (numbers and booleans as text), of at most 256 characters. */
export function str(attrs: Attributes, ...keys: string[]): string | null {
  for (const key of keys) {
    const v = attrs[key];
    if (typeof v === 'string' && v !== '') return boundedText(key, v);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  }
  return null;
}

/** Text that becomes a record's name, id or tag: at most TEXT_BOUNDS.length characters, else the span is refused. */
export function boundedText(name: string, text: string): string {
  if (text.length > TEXT_BOUNDS.length)
    throw new InvalidSpanError(`${name} is ${text.length} characters long; at most ${TEXT_BOUNDS.length} are kept for a name, id or tag`);
  return text;
}

/**
 * A token-like count: a non-negative integer (or an integer string, as OTLP JSON sends int64) of at
 * most `max` (what one call can bill). Absent → null.
 */
export function count(attrs: Attributes, key: string, max: number = BILLABLE_BOUNDS.tokens): number | null {
  const v: AttributeValue | undefined = attrs[key];
  if (v === undefined || v === null) return null;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n) && n > max) throw beyondBound(key, v, grouped(max));
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new InvalidSpanError(`${key} must be a non-negative integer, got ${shown(v)}`);
  }
  return n;
}

function beyondBound(key: string, value: AttributeValue, bound: string): InvalidSpanError {
  return new InvalidSpanError(`${key} is ${shown(value)}, more than one call can bill (at most ${bound}); the span is not stored`);
}

/** A value as a rejection quotes it: NaN and Infinity by name (JSON would say null), at most 40 characters. */
function shown(value: AttributeValue): string {
  const text = typeof value === 'number' ? String(value) : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
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

/** A non-negative number of at most `max`; absent → null. */
export function num(attrs: Attributes, key: string, max: number): number | null {
  const v = attrs[key];
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (n === undefined || n === null) return null;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new InvalidSpanError(`${key} must be a non-negative number, got ${JSON.stringify(v)}`);
  if (n > max) throw beyondBound(key, v, grouped(max));
  return n;
}

/**
 * A USD amount as its decimal string, of at most `maxNanos`; absent → null. Text that is not a
 * decimal passes through, for the price book to call invalid.
 */
export function usdAmount(attrs: Attributes, key: string, maxNanos: bigint): string | null {
  const usd = str(attrs, key);
  usdNanosOf(key, usd, maxNanos);
  return usd;
}

/**
 * An amount in USD as nano-USD, rounded half up (emitters send more than 9 decimals), of at most
 * `maxNanos`; absent → null. A value that is no amount (NaN, negative, text) is never used: null, and
 * `ignore` is told why, so the sender hears of it while the call is still stored.
 */
export function usdNanos(attrs: Attributes, key: string, maxNanos: bigint, ignore: (value: IgnoredValue) => void): bigint | null {
  const usd = str(attrs, key);
  const nanos = usdNanosOf(key, usd, maxNanos);
  if (usd !== null && nanos === null) {
    ignore({
      attribute: key,
      reason: `${key} is ${shown(attrs[key])}, not a non-negative decimal amount in USD; ignored, the call is priced by the collector alone`,
    });
  }
  return nanos;
}

/**
 * An amount in USD sent as a double (OpenLIT's `gen_ai.usage.cost`), as nano-USD: to 12 places is
 * exact enough, the record keeps it to the nano. Beyond `maxNanos` the span is rejected, as any
 * amount; a value that is no amount (NaN, Infinity, negative, text) is ignored as `usdNanos` does.
 */
export function usdDoubleNanos(attrs: Attributes, key: string, maxNanos: bigint, ignore: (value: IgnoredValue) => void): bigint | null {
  const v = attrs[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return usdNanos(attrs, key, maxNanos, ignore);
  if (BigInt(Math.ceil(v)) * 1_000_000_000n > maxNanos) throw beyondBound(key, v, `$${grouped(maxNanos / 1_000_000_000n)}`);
  return usdToNanosHalfUp(v.toFixed(12));
}

/** An attribute value a stored span carried but the collector could not use, and why. */
export interface IgnoredValue {
  attribute: string;
  reason: string;
}

function usdNanosOf(key: string, usd: string | null, maxNanos: bigint): bigint | null {
  const nanos = usd === null ? null : usdToNanosHalfUp(usd);
  if (nanos !== null && nanos > maxNanos) throw beyondBound(key, usd, `$${grouped(maxNanos / 1_000_000_000n)}`);
  return nanos;
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

/** A call's tags (`tokenledger.tag.<key>`): at most 50, keys and values of at most 256 characters. */
export function tagsOf(attrs: Attributes, prefix: string): Record<string, string> {
  const tags = withPrefix(attrs, prefix);
  const keys = Object.keys(tags);
  if (keys.length > TEXT_BOUNDS.tags) throw new InvalidSpanError(`the span carries ${keys.length} tags; at most ${TEXT_BOUNDS.tags} (${prefix}<key>)`);
  for (const key of keys) {
    boundedText(`${prefix}${key.length > 40 ? `${key.slice(0, 40)}…` : key}`, key);
    boundedText(`${prefix}${key}`, tags[key]);
  }
  return tags;
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
