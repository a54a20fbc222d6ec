import { parseDecimal } from './decimal';

/**
 * Money is an integer number of nano-USD (1e-9 USD) from pricing to storage to sums. These are the
 * only conversions to and from USD text; floats appear only in `nanosToUsdNumber`, for presentation.
 */
export const NANOS_PER_USD = 1_000_000_000n;

/** Formats nano-USD as a USD decimal string with `places` decimals (default 9: exact). Fewer places round half up. */
export function formatUsd(nanos: bigint, places = 9): string {
  if (!Number.isInteger(places) || places < 0 || places > 9) throw new RangeError(`formatUsd: places must be 0..9, got ${places}`);
  const negative = nanos < 0n;
  let magnitude = negative ? -nanos : nanos;
  const drop = 10n ** BigInt(9 - places);
  if (drop > 1n) magnitude = (magnitude + drop / 2n) / drop;
  const digits = magnitude.toString().padStart(places + 1, '0');
  const whole = digits.slice(0, digits.length - places);
  const fraction = places > 0 ? `.${digits.slice(digits.length - places)}` : '';
  return `${negative && magnitude !== 0n ? '-' : ''}${whole}${fraction}`;
}

/** Parses a USD decimal string (`"10.00"`, `"0.000000001"`) into exact nano-USD. Rejects junk and more than 9 decimals. */
export function parseUsdToNanos(usd: string): bigint {
  if (typeof usd !== 'string') throw new TypeError(`USD amount must be a decimal string, got ${typeof usd}`);
  const negative = usd.trim().startsWith('-');
  const value = parseDecimal(negative ? usd.trim().slice(1) : usd);
  if (!value) throw new TypeError(`USD amount must be a decimal string like "10.50", got ${JSON.stringify(usd)}`);
  if (value.scale > 9) throw new RangeError(`USD amount ${usd} has more than 9 decimal places (the smallest unit is one nano-USD)`);
  const nanos = value.units * 10n ** BigInt(9 - value.scale);
  return negative ? -nanos : nanos;
}

/**
 * A billed amount, as a provider writes it, to exact nano-USD: `text` is the amount's decimal text
 * (a JSON number's own digits, exponent allowed, as OpenAI's Costs API sends USD; or a decimal string,
 * as Anthropic's cost report sends cents) in units of 1/`unitsPerUsd` USD. No float is involved;
 * digits past the nano are rounded half up (away from zero for a negative amount, a credit).
 */
export function billedAmountToNanos(text: string, unitsPerUsd: 1 | 100 = 1): bigint {
  const match = /^(-)?(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/.exec(typeof text === 'string' ? text.trim() : '');
  if (!match) throw new TypeError(`a billed amount must be decimal text like "12.50" or "1.5e-7", got ${JSON.stringify(text)}`);
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  // value = digits × 10^(exponent − fraction digits) / unitsPerUsd USD; in nanos, × 10^9.
  const digits = BigInt(whole + fraction);
  const shift = Number(exponent) - fraction.length + 9 - (unitsPerUsd === 100 ? 2 : 0);
  if (!Number.isSafeInteger(shift) || Math.abs(shift) > 400) throw new RangeError(`billed amount ${text} is out of range`);
  let nanos: bigint;
  if (shift >= 0) nanos = digits * 10n ** BigInt(shift);
  else {
    const divisor = 10n ** BigInt(-shift);
    nanos = (digits * 2n + divisor) / (2n * divisor);
  }
  return sign && nanos !== 0n ? -nanos : nanos;
}

/** For charts and seed-compatible responses only: never sum these. */
export function nanosToUsdNumber(nanos: bigint): number {
  return Number(nanos) / 1e9;
}
