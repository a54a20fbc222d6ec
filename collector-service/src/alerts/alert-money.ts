import { formatUsd } from '@tokenledger/pricing';

const CENT = 10_000_000n;
const SIGNIFICANT = 3;

/**
 * An amount for an alert's message: to the cent, and an amount under a cent to three significant
 * digits (rounded half up), so a $0.004 limit reads "$0.004", never "$0.00". The dashboard shows
 * amounts the same way.
 */
export function usdText(nanos: bigint): string {
  const magnitude = nanos < 0n ? -nanos : nanos;
  if (magnitude === 0n || magnitude >= CENT) return `$${formatUsd(nanos, 2)}`;
  // A magnitude of d digits has its first significant digit at 10^(d-1) nanos, i.e. 10 - d decimal places.
  const places = Math.min(9, 9 - magnitude.toString().length + SIGNIFICANT);
  return `$${formatUsd(nanos, places).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
}
