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

/** For charts and seed-compatible responses only: never sum these. */
export function nanosToUsdNumber(nanos: bigint): number {
  return Number(nanos) / 1e9;
}
