/**
 * What the dashboard must show (en-US) for the API's exact amounts, worked out here with BigInt from
 * the API's strings: an oracle independent of the dashboard's own formatting code.
 */

function parse(decimal: string): { units: bigint; scale: number } {
  const [whole, fraction = ''] = decimal.split('.');
  return { units: BigInt(whole + fraction), scale: fraction.length };
}

/** units / 10^scale as "$1,234.5678", trailing zeros dropped, at least two decimals. */
function dollars(units: bigint, scale: number): string {
  const digits = units.toString().padStart(scale + 1, '0');
  const whole = BigInt(digits.slice(0, digits.length - scale));
  const fraction = digits
    .slice(digits.length - scale)
    .replace(/0+$/, '')
    .padEnd(2, '0');
  return `$${whole.toLocaleString('en-US')}.${fraction}`;
}

/** Every digit of an exact USD string: "0.031950000" → "$0.03195", "5.000000000" → "$5.00". */
export const dollarsExact = (usd: string) => {
  const { units, scale } = parse(usd);
  return dollars(units, scale);
};

/** An exact USD price per unit times 10^exponent: ("0.0000025", 6) → "$2.50" (per 1M). */
export const dollarsPer = (usdPerUnit: string, exponent: number) => {
  const { units, scale } = parse(usdPerUnit);
  return scale >= exponent ? dollars(units, scale - exponent) : dollars(units * 10n ** BigInt(exponent - scale), 0);
};

/** An amount under a cent to three significant digits, rounded half up: "0.004275000" → "$0.00428". */
export function dollarsUnderACent(usd: string): string {
  const { units, scale } = parse(usd);
  const drop = units.toString().length - 3;
  if (drop <= 0) return dollars(units, scale);
  const step = 10n ** BigInt(drop);
  return dollars(((units + step / 2n) / step) * step, scale);
}

/** To the cent, rounded half up: "1234.565000000" → "$1,234.57". */
export const dollarsToTheCent = (usd: string) => {
  const { units, scale } = parse(usd);
  const step = 10n ** BigInt(Math.max(0, scale - 2));
  return dollars((units + step / 2n) / step, Math.min(scale, 2));
};
