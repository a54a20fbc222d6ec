import type { Entity } from './repositories/entity-repository';

/** The entity's fields that hold money: a decimal string of nano-USD (or null, where the kind allows none). */
type MoneyField<T> = { [K in keyof T & string]: T[K] extends string | null ? K : never }[keyof T & string];

/**
 * An entity kept in a table (mongo: a collection) of its own: its money an integer of nano-USD (sqlite
 * INTEGER, mongo Int64, never a float or Decimal128), the rest of it JSON. An entity that holds no money
 * (channels, digest subscriptions) has no such column: all of it is JSON.
 */
export interface MoneyEntityKind<T extends Entity> {
  /** The document kind it was kept under before it had a table; also what errors call it. */
  documentKind: string;
  /** The sqlite table and the mongo collection. */
  table: string;
  /** The sqlite column of the money; null for an entity without money. */
  column: string | null;
  /** The entity's money field, as the API and the mongo documents name it; null for an entity without money. */
  field: MoneyField<T> | null;
  /** Whether the entity may have no amount (stored as NULL / null). */
  nullable: boolean;
}

/** An entity without money, all of it JSON in its table (collection), kept before as documents of `documentKind`. */
export const jsonEntityKind = <T extends Entity>(documentKind: string, table: string): MoneyEntityKind<T> => ({
  documentKind,
  table,
  column: null,
  field: null,
  nullable: true,
});

/** An entity as both stores keep it. */
export interface StoredEntity {
  nanos: bigint | null;
  body: string;
}

/** The most nano-USD a stored amount may be: what both stores hold as a signed 64-bit integer. */
export const MAX_STORED_NANOS = 2n ** 63n - 1n;

/**
 * Whether a document of the kind's old document kind holds one as the versions before wrote it: the
 * amount a decimal string of nanos a 64-bit integer holds (or none, where the kind allows none).
 * Anything else stays where it is.
 */
export function isEntityDocument<T extends Entity>(kind: MoneyEntityKind<T>, body: Record<string, unknown>): boolean {
  if (kind.field === null) return !Array.isArray(body);
  const amount = body[kind.field];
  if (amount === null || amount === undefined) return kind.nullable;
  return typeof amount === 'string' && /^\d{1,19}$/.test(amount) && BigInt(amount) <= MAX_STORED_NANOS;
}

/**
 * The SQL condition for a document of the kind's old document kind that holds one (see isEntityDocument),
 * for the schema migration that moves them into the table.
 */
export function oldDocumentCondition<T extends Entity>(kind: MoneyEntityKind<T>): string {
  if (kind.field === null) return `kind = '${kind.documentKind}' AND json_valid(body) AND json_type(body) = 'object'`;
  const path = `'$.${kind.field}'`;
  const none = kind.nullable ? ` OR json_type(body, ${path}) IS NULL OR json_type(body, ${path}) = 'null'` : '';
  return `kind = '${kind.documentKind}' AND json_valid(body) AND (${storedNanosCondition('body', kind.field)}${none})`;
}

/**
 * The SQL condition for a JSON column whose `field` is a decimal string of nanos that a 64-bit integer
 * holds (up to 19 digits, no sign): what a migration moves into an INTEGER column.
 */
export function storedNanosCondition(column: string, field: string): string {
  const path = `'$.${field}'`;
  const amount = `json_extract(${column}, ${path})`;
  return `(json_type(${column}, ${path}) = 'text' AND ${amount} NOT GLOB '*[^0-9]*' AND length(${amount}) BETWEEN 1 AND 19
    AND (length(${amount}) < 19 OR ${amount} <= '${MAX_STORED_NANOS}'))`;
}

/** The nanos of a decimal string as a stored integer, or null when there are none or a signed 64-bit integer cannot hold them. */
export function storableNanos(amount: string | null | undefined): bigint | null {
  if (typeof amount !== 'string' || !/^-?\d{1,19}$/.test(amount)) return null;
  const nanos = BigInt(amount);
  return nanos <= MAX_STORED_NANOS && nanos >= -MAX_STORED_NANOS - 1n ? nanos : null;
}

export function storedEntity<T extends Entity>(kind: MoneyEntityKind<T>, entity: T): StoredEntity {
  if (kind.field === null) return { nanos: null, body: JSON.stringify(entity) };
  const { [kind.field]: amount, ...rest } = entity as Record<string, unknown>;
  if (amount === null || amount === undefined) {
    if (!kind.nullable) throw new TypeError(`${kind.documentKind} ${entity.id}: ${kind.field} is required`);
    return { nanos: null, body: JSON.stringify(rest) };
  }
  return { nanos: BigInt(amount as string), body: JSON.stringify(rest) };
}

export function entityOf<T extends Entity>(kind: MoneyEntityKind<T>, stored: StoredEntity): T {
  if (kind.field === null) return JSON.parse(stored.body) as T;
  return { ...(JSON.parse(stored.body) as Omit<T, typeof kind.field>), [kind.field]: stored.nanos === null ? null : stored.nanos.toString() } as unknown as T;
}
