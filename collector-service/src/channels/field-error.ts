import { InputError } from '../http/input-error';

/** A bad request body field: answered 400 with the field's name, so the caller knows what to fix. */
export function badField(field: string, message: string): InputError {
  return new InputError('field', field, message);
}

export function optionalString(body: Record<string, unknown>, field: string, max = 2000): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) throw badField(field, `must be a non-empty string of at most ${max} characters`);
  return value;
}

export function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw badField(field, `must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** Rejects fields the endpoint does not know, so a typo is not silently ignored. */
export function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const field of Object.keys(body)) if (!allowed.includes(field)) throw badField(field, `is not a known field (known: ${allowed.join(', ')})`);
}

export function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) throw badField('body', 'must be a JSON object');
  return body as Record<string, unknown>;
}
