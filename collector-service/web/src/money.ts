/**
 * Money arrives from the API as exact decimal strings of USD (`"12.345678901"`). It is formatted from
 * that string (Intl.NumberFormat takes decimal strings exactly), so nothing is lost to floating point
 * on the way to the screen. Amounts under a cent keep three significant digits: $0.000123, not $0.00.
 */
const formatters = new Map<string, Intl.NumberFormat>();

/** `small`: three significant digits; a number: exactly that many decimal places. */
function formatter(kind: 'small' | number, locale: string | undefined): Intl.NumberFormat {
  const id = `${kind}:${locale ?? ''}`;
  let f = formatters.get(id);
  if (!f) {
    f =
      kind === 'small'
        ? new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', maximumSignificantDigits: 3 })
        : new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', minimumFractionDigits: kind, maximumFractionDigits: kind });
    formatters.set(id, f);
  }
  return f;
}

const CENT = 0.01;

/** `locale`: the browser's by default. */
export function formatUsd(usd: string | null | undefined, locale?: string): string {
  if (usd === null || usd === undefined) return '—';
  const approx = Math.abs(Number(usd));
  const kind = approx !== 0 && approx < CENT ? 'small' : 2;
  // format() accepts a decimal string and rounds it exactly (half-expand); the cast covers older DOM typings.
  return formatter(kind, locale).format(usd as unknown as number);
}

/** Decimal places an exact decimal string needs (trailing zeros dropped), at least the cent's two. */
export const placesOf = (usd: string) => Math.max(2, (usd.split('.')[1] ?? '').replace(/0+$/, '').length);

/**
 * Every digit of an exact amount, at least to the cent: for what the API keeps exactly and a reader
 * checks by hand (one call's cost, a budget's limit, a unit price): $0.03195, $0.004, $2.50.
 */
export function formatUsdExact(usd: string | null | undefined, locale?: string): string {
  if (usd === null || usd === undefined) return '—';
  return formatter(placesOf(usd), locale).format(usd as unknown as number);
}

const axis = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', maximumSignificantDigits: 3 });
/** Chart axis ticks: short, but never rounded into a different-looking value ($0.025, not $0.03). */
export const formatUsdTick = (usd: number) => axis.format(usd);

/** A float for chart geometry only; labels and tooltips go through formatUsd. */
export const usdNumber = (usd: string | null | undefined) => (usd ? Number(usd) : 0);

const integers = new Intl.NumberFormat();
export const formatCount = (n: number) => integers.format(n);

const percents = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
export const formatPercent = (n: number) => `${percents.format(n)} %`;

export const formatMs = (ms: number) => (ms >= 1000 ? `${percents.format(ms / 1000)} s` : `${integers.format(Math.round(ms))} ms`);

/** Percent change between two exact nano amounts, null when there was nothing before. */
export function percentChange(beforeNanos: string, afterNanos: string): number | null {
  const before = BigInt(beforeNanos);
  if (before === 0n) return null;
  return Number(((BigInt(afterNanos) - before) * 10_000n) / before) / 100;
}

/** Exact nanos (integer string) as the API's USD decimal string, for amounts summed in the browser. */
export function nanosToUsd(nanos: bigint): string {
  const sign = nanos < 0n ? '-' : '';
  const abs = nanos < 0n ? -nanos : nanos;
  return `${sign}${abs / 1_000_000_000n}.${(abs % 1_000_000_000n).toString().padStart(9, '0')}`;
}
