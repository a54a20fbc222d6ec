/**
 * Argument checks for the public API: a wrong argument throws a TypeError naming the field, at the
 * call, synchronously, so the mistake shows where it was made instead of as a wrong bill later.
 */

export function requireObject(fn: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${fn}: expected an options object, got ${describe(value)}`);
  return value as Record<string, unknown>;
}

export function requiredString(fn: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new TypeError(`${fn}: ${field} is required and must be a non-empty string, got ${describe(value)}`);
  return value;
}

export function optionalString(fn: string, field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return requiredString(fn, field, value);
}

/** A whole, non-negative, finite count (tokens, images, characters). */
export function count(fn: string, field: string, value: unknown, required: boolean): number | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new TypeError(`${fn}: ${field} must be a whole number of 0 or more, got ${describe(value)}`);
  return value;
}

/** A non-negative, finite quantity that may have a fraction (audio seconds). */
export function quantity(fn: string, field: string, value: unknown, required: boolean): number | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new TypeError(`${fn}: ${field} must be a finite number of 0 or more, got ${describe(value)}`);
  return value;
}

const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * An amount of US dollars as exact decimal text. A string like "0.0042" is taken as written (the
 * exact way); a number is accepted when its shortest decimal form is plain (no exponent), since
 * binary floats cannot hold most cent values exactly.
 */
export function usd(fn: string, field: string, value: unknown, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : null;
  if (text === null || !DECIMAL.test(text))
    throw new TypeError(`${fn}: ${field} must be an amount in USD of 0 or more as a decimal string like "0.0042" (or a plain number), got ${describe(value)}`);
  return text;
}

/** Metadata must survive JSON (it is stored as a JSON string). */
export function metadata(fn: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new TypeError(`${fn}: metadata must be a plain object, got ${describe(value)}`);
  try {
    return JSON.stringify(value);
  } catch (err) {
    throw new TypeError(`${fn}: metadata must be serialisable as JSON: ${(err as Error).message}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return `${value}n (a bigint)`;
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value) ?? `a ${typeof value}`;
  } catch {
    return `an object JSON cannot hold`;
  }
}
