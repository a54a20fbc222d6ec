import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Binary } from 'mongodb';
import { addSums, NUMBER_MEASURES, type Sums, zeroSums } from '../rollup-measures';

/** The largest sum of nano-USD the store holds: int64, about $9.2 billion, as the sqlite adapter's INTEGER columns. */
export const MAX_STORED_NANOS = 2n ** 63n - 1n;

/** One part of a row's key: a bucket or day (epoch ms), a dimension value, a tag set, a version. */
export type KeyPart = string | number | null;

/** Exact sums under a key of a fixed number of parts. */
export interface SumsRow {
  key: KeyPart[];
  sums: Sums;
}

/** A sum that cannot be stored: never wrapped, never rounded. */
export class StoredSumTooLargeError extends Error {}

interface Packed {
  /** Key parts by column: k[i][row]. */
  k: KeyPart[][];
  /** Cost per row: a number when it is a safe integer, else its decimal string. */
  c: (number | string)[];
  /** The other measures, in NUMBER_MEASURES order: m[i][row]. */
  m: number[][];
}

/**
 * Packs rows into one deflated blob of columnar JSON. A table is one value of a document, not a
 * document per row: FerretDB's cost for a read grows with the documents and the BSON values it
 * converts, and a blob is one value. Refuses sums the store cannot hold, naming `what` they are.
 */
export function packRows(rows: readonly SumsRow[], parts: number, what: () => string): Binary {
  return new Binary(packRowBytes(rows, parts, what));
}

/** packRows' blob as bytes (what an ingest thread prepares, see prepared-batch.ts). */
export function packRowBytes(rows: readonly SumsRow[], parts: number, what: () => string): Buffer {
  const packed: Packed = { k: Array.from({ length: parts }, () => []), c: [], m: NUMBER_MEASURES.map(() => []) };
  for (const { key, sums } of rows) {
    checkStorable(sums, what);
    for (let i = 0; i < parts; i++) packed.k[i].push(key[i] ?? null);
    packed.c.push(sums.costNanos >= -MAX_SAFE && sums.costNanos <= MAX_SAFE ? Number(sums.costNanos) : sums.costNanos.toString());
    NUMBER_MEASURES.forEach((m, i) => packed.m[i].push(sums[m.name]));
  }
  return deflateRawSync(JSON.stringify(packed), { level: 1 });
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The rows of a packed blob; only those whose key `keep` keeps, when given (the others are never made). */
export function unpackRows(blob: Binary, keep?: (key: readonly KeyPart[]) => boolean): SumsRow[] {
  const rows: SumsRow[] = [];
  eachRow(blob, keep, (row) => rows.push(row));
  return rows;
}

/** Hands each row of a packed blob that `keep` keeps to `use` as it is made (the others are never made). */
export function eachRow(blob: Binary, keep: ((key: readonly KeyPart[]) => boolean) | undefined, use: (row: SumsRow) => void): void {
  const packed = JSON.parse(inflateRawSync(blob.buffer).toString('utf8')) as Packed;
  for (let r = 0; r < packed.c.length; r++) {
    const key = packed.k.map((column) => column[r]);
    if (keep && !keep(key)) continue;
    const sums = zeroSums();
    sums.costNanos = BigInt(packed.c[r]);
    for (let i = 0; i < NUMBER_MEASURES.length; i++) sums[NUMBER_MEASURES[i].name] = packed.m[i][r];
    use({ key, sums });
  }
}

/** Throws when a sum is beyond what the store holds: int64 nano-USD, safe integer counts, a finite duration. */
export function checkStorable(sums: Sums, what: () => string): void {
  if (sums.costNanos > MAX_STORED_NANOS || sums.costNanos < -MAX_STORED_NANOS) {
    throw new StoredSumTooLargeError(
      `${what()}: a cost of ${sums.costNanos} nano-USD is more than the store can hold (int64 nano-USD, about $9.2 billion per sum)`,
    );
  }
  for (const m of NUMBER_MEASURES) {
    if (m.kind === 'duration') {
      if (!Number.isFinite(sums[m.name])) throw new StoredSumTooLargeError(`${what()}: the duration sum is not a finite number`);
    } else if (!Number.isSafeInteger(sums[m.name]))
      throw new StoredSumTooLargeError(`${what()}: ${m.name} ${sums[m.name]} is not an integer the store can hold exactly`);
  }
}

/** Adds `from` into the rows of `into` by key, summing exactly. */
export function sumRowsInto(into: Map<string, SumsRow>, from: Iterable<SumsRow>): void {
  for (const row of from) {
    const id = JSON.stringify(row.key);
    const existing = into.get(id);
    if (existing) addSums(existing.sums, row.sums);
    else into.set(id, { key: row.key, sums: { ...row.sums } });
  }
}
