/**
 * Exact decimal numbers as a BigInt mantissa and a power-of-ten scale: value = units × 10^-scale.
 * Prices are published as decimals ($2.50, $0.0375, 3.99 %); turning them into binary floats would
 * change them, so every price and fractional quantity goes through here instead.
 */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL_PATTERN = /^(\d+)(?:\.(\d+))?$/;
const POW10: bigint[] = [];
export function pow10(n: number): bigint {
  return (POW10[n] ??= 10n ** BigInt(n));
}

/** Parses a non-negative decimal string (`"2.5"`, `"0.0375"`, `"10"`). Returns null when it is not one. */
export function parseDecimal(text: string): Decimal | null {
  const match = DECIMAL_PATTERN.exec(text.trim());
  if (!match) return null;
  const fraction = match[2] ?? '';
  return { units: BigInt(match[1] + fraction), scale: fraction.length };
}

/**
 * The exact decimal a JavaScript number was written as. `String(n)` gives the shortest decimal that
 * reads back as the same double, which for a price published as "0.15" is "0.15", not
 * 0.1499999999999999944488848768742172978818416595458984375.
 */
export function decimalFromNumber(value: number): Decimal | null {
  if (!Number.isFinite(value) || value < 0) return null;
  const text = String(value);
  if (!text.includes('e')) return parseDecimal(text);
  // Exponent forms: 1e-7, 1.5e+21
  const [mantissa, exponentText] = text.split('e');
  const base = parseDecimal(mantissa);
  if (!base) return null;
  const exponent = Number(exponentText);
  return exponent >= 0 ? { units: base.units * pow10(exponent), scale: base.scale } : { units: base.units, scale: base.scale - exponent };
}

export function decimalToString(value: Decimal): string {
  if (value.scale === 0) return value.units.toString();
  const digits = value.units.toString().padStart(value.scale + 1, '0');
  const whole = digits.slice(0, digits.length - value.scale);
  const fraction = digits.slice(digits.length - value.scale).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}

export function decimalIsZero(value: Decimal): boolean {
  return value.units === 0n;
}

/** An exact non-negative fraction num/den. Line costs are fractions of a dollar until the one final rounding. */
export interface Fraction {
  num: bigint;
  den: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
};

export function fraction(num: bigint, den: bigint): Fraction {
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

export function addFractions(a: Fraction, b: Fraction): Fraction {
  if (a.den === b.den) return { num: a.num + b.num, den: a.den };
  return fraction(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function multiplyFraction(a: Fraction, b: Fraction): Fraction {
  return fraction(a.num * b.num, a.den * b.den);
}

export function decimalAsFraction(value: Decimal): Fraction {
  return { num: value.units, den: pow10(value.scale) };
}

/** Rounds num/den half up to an integer (non-negative values). */
export function roundHalfUp(value: Fraction): bigint {
  const quotient = value.num / value.den;
  const remainder = value.num - quotient * value.den;
  return remainder * 2n >= value.den ? quotient + 1n : quotient;
}

/** A fraction as a decimal string, exact when the denominator divides a power of ten, else to 15 places (for display of line items only). */
export function fractionToDecimalString(value: Fraction, maxPlaces = 15): string {
  for (let places = 0; places <= maxPlaces; places++) {
    const scaled = value.num * pow10(places);
    if (scaled % value.den === 0n) return decimalToString({ units: scaled / value.den, scale: places });
  }
  return decimalToString({ units: roundHalfUp({ num: value.num * pow10(maxPlaces), den: value.den }), scale: maxPlaces });
}
