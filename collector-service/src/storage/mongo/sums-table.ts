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

/** A packed blob of an earlier version: deflated columnar JSON (still read). */
interface JsonPacked {
  /** Key parts by column: k[i][row]. */
  k: KeyPart[][];
  /** Cost per row: a number when it is a safe integer, else its decimal string. */
  c: (number | string)[];
  /** The other measures, in NUMBER_MEASURES order: m[i][row]. */
  m: number[][];
}

/**
 * Which rows a read keeps, asked of each row's key. `columns`, when given, are values some key parts
 * must hold (a filter's): they are checked on the columns alone, before a row's key or sums are made,
 * and a blob whose dictionary lacks one is not read further. A part a table has no column for (rows
 * keyed in fewer parts, by a version before) is left to the function, as every part is asked of it.
 */
export type RowKeep = ((key: readonly KeyPart[]) => boolean) & { columns?: readonly (readonly [part: number, value: KeyPart])[] };

/**
 * The first byte of a blob of dictionary columns: never the first of a raw deflate stream (its bits
 * 1–2 name block type 3, which deflate reserves), so blobs of JSON columns are told apart from it.
 */
const DICTIONARY_COLUMNS = 0xff;

/**
 * Packs rows into one blob: a marker byte, then one deflated buffer of dictionary columns (per key
 * part, its distinct values as JSON and each row's index into them, 1, 2 or 4 bytes) followed by each
 * row's sums as variable-length numbers (see NumberWriter). A table is one value of a document, not a
 * document per row: FerretDB's cost for a read grows with the documents and the BSON values it
 * converts, and a blob is one value. A read that filters on some key parts (see RowKeep) compares
 * row indexes with the value's and makes only the rows it keeps: no JSON of the rows to parse. Refuses
 * sums the store cannot hold, naming `what` they are.
 */
export function packRows(rows: readonly SumsRow[], parts: number, what: () => string): Binary {
  return new Binary(packRowBytes(rows, parts, what));
}

/** packRows' blob as bytes (what an ingest thread prepares, see prepared-batch.ts). */
export function packRowBytes(rows: readonly SumsRow[], parts: number, what: () => string): Buffer {
  const out = new NumberWriter(64 + rows.length * (parts + 16));
  out.u32(rows.length);
  out.byte(parts);
  for (let i = 0; i < parts; i++) {
    const indexOf = new Map<KeyPart, number>();
    const indexes = rows.map(({ key }) => {
      const value = key[i] ?? null;
      let index = indexOf.get(value);
      if (index === undefined) indexOf.set(value, (index = indexOf.size));
      return index;
    });
    out.bytes(Buffer.from(JSON.stringify([...indexOf.keys()]), 'utf8'));
    const width = indexWidth(indexOf.size);
    out.byte(width);
    for (const index of indexes) out.uint(index, width);
  }
  for (const { sums } of rows) {
    checkStorable(sums, what);
    if (sums.costNanos >= -MAX_SAFE && sums.costNanos <= MAX_SAFE) out.number(Number(sums.costNanos));
    else out.decimal(sums.costNanos.toString());
    for (const m of NUMBER_MEASURES) out.number(sums[m.name]);
  }
  return Buffer.concat([Buffer.of(DICTIONARY_COLUMNS), deflateRawSync(out.done(), { level: 1 })]);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const indexWidth = (values: number) => (values <= 0x100 ? 1 : values <= 0x10000 ? 2 : 4);

/** The rows of a packed blob; only those whose key `keep` keeps, when given (the others are never made). */
export function unpackRows(blob: Binary, keep?: RowKeep): SumsRow[] {
  const rows: SumsRow[] = [];
  eachRow(blob, keep, (row) => rows.push(row));
  return rows;
}

/** Hands each row of a packed blob that `keep` keeps to `use` as it is made (the others are never made). */
export function eachRow(blob: Binary, keep: RowKeep | undefined, use: (row: SumsRow) => void): void {
  const bytes = blob.buffer;
  if (bytes[0] === DICTIONARY_COLUMNS) eachDictionaryRow(inflateRawSync(bytes.subarray(1)), keep, use);
  else eachJsonRow(JSON.parse(inflateRawSync(bytes).toString('utf8')) as JsonPacked, keep, use);
}

function eachDictionaryRow(bytes: Buffer, keep: RowKeep | undefined, use: (row: SumsRow) => void): void {
  const input = new NumberReader(bytes);
  const count = input.u32();
  const parts = input.byte();
  const columns: { values: KeyPart[]; width: number; at: number }[] = [];
  for (let i = 0; i < parts; i++) {
    const values = JSON.parse(input.bytes().toString('utf8')) as KeyPart[];
    const width = input.byte();
    columns.push({ values, width, at: input.at });
    input.at += count * width;
  }
  // The filter's values as indexes into their columns: a value a column lacks matches no row.
  const wanted: [column: { width: number; at: number }, index: number][] = [];
  for (const [part, value] of keep?.columns ?? []) {
    if (part >= parts) continue;
    const index = columns[part].values.indexOf(value);
    if (index < 0) return;
    wanted.push([columns[part], index]);
  }
  for (let r = 0; r < count; r++) {
    let kept = true;
    for (const [{ width, at }, index] of wanted) if (input.uintAt(at + r * width, width) !== index) kept = false;
    const key = kept ? columns.map(({ values, width, at }) => values[input.uintAt(at + r * width, width)]) : null;
    if (!key || (keep && !keep(key))) {
      input.skipNumbers(1 + NUMBER_MEASURES.length);
      continue;
    }
    const sums = zeroSums();
    sums.costNanos = input.cost();
    for (let i = 0; i < NUMBER_MEASURES.length; i++) sums[NUMBER_MEASURES[i].name] = input.number();
    use({ key, sums });
  }
}

function eachJsonRow(packed: JsonPacked, keep: RowKeep | undefined, use: (row: SumsRow) => void): void {
  const wanted = (keep?.columns ?? []).filter(([part]) => part < packed.k.length);
  for (let r = 0; r < packed.c.length; r++) {
    if (!wanted.every(([part, value]) => packed.k[part]?.[r] === value)) continue;
    const key = packed.k.map((column) => column[r]);
    if (keep && !keep(key)) continue;
    const sums = zeroSums();
    sums.costNanos = BigInt(packed.c[r]);
    for (let i = 0; i < NUMBER_MEASURES.length; i++) sums[NUMBER_MEASURES[i].name] = packed.m[i][r];
    use({ key, sums });
  }
}

/**
 * A number's first byte: its sign (0x40) and low 6 bits, 0x80 when 7-bit groups follow (little end
 * first). A safe integer takes as many bytes as it needs (a count of 0 to 63: one); anything else is
 * ESCAPE and a tag: FLOAT then 8 bytes (a duration's fraction), DECIMAL then a length byte and the
 * digits (a cost past 2^53).
 */
const SIGN = 0x40;
const MORE = 0x80;
/** The sign of zero: no integer is written so. */
const ESCAPE = SIGN;
const FLOAT = 0;
const DECIMAL = 1;

/** A growing buffer of packed numbers. */
class NumberWriter {
  private buffer: Buffer;
  private at = 0;

  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  byte(value: number): void {
    this.room(1);
    this.buffer[this.at++] = value;
  }

  u32(value: number): void {
    this.room(4);
    this.at = this.buffer.writeUInt32LE(value, this.at);
  }

  uint(value: number, width: number): void {
    this.room(width);
    this.at = this.buffer.writeUIntLE(value, this.at, width);
  }

  /** Bytes after their length (u32). */
  bytes(value: Buffer): void {
    this.u32(value.length);
    this.room(value.length);
    this.at += value.copy(this.buffer, this.at);
  }

  number(value: number): void {
    if (!Number.isSafeInteger(value)) {
      this.byte(ESCAPE);
      this.byte(FLOAT);
      this.room(8);
      this.at = this.buffer.writeDoubleLE(value, this.at);
      return;
    }
    let rest = Math.abs(value);
    const low = rest % 64;
    rest = Math.floor(rest / 64);
    this.byte((value < 0 ? SIGN : 0) | low | (rest > 0 ? MORE : 0));
    while (rest > 0) {
      const group = rest % 128;
      rest = Math.floor(rest / 128);
      this.byte(group | (rest > 0 ? MORE : 0));
    }
  }

  decimal(digits: string): void {
    this.byte(ESCAPE);
    this.byte(DECIMAL);
    const bytes = Buffer.from(digits, 'latin1');
    this.byte(bytes.length);
    this.room(bytes.length);
    this.at += bytes.copy(this.buffer, this.at);
  }

  done(): Buffer {
    return this.buffer.subarray(0, this.at);
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }
}

/** Reads what NumberWriter wrote. */
class NumberReader {
  at = 0;

  constructor(private readonly buffer: Buffer) {}

  byte(): number {
    return this.buffer[this.at++];
  }

  u32(): number {
    const value = this.buffer.readUInt32LE(this.at);
    this.at += 4;
    return value;
  }

  uintAt(at: number, width: number): number {
    const b = this.buffer;
    return width === 1 ? b[at] : width === 2 ? b[at] | (b[at + 1] << 8) : b.readUInt32LE(at);
  }

  bytes(): Buffer {
    const length = this.u32();
    this.at += length;
    return this.buffer.subarray(this.at - length, this.at);
  }

  number(): number {
    const first = this.byte();
    if (first === ESCAPE) {
      if (this.byte() !== FLOAT) throw new Error('a packed sum is not a number');
      this.at += 8;
      return this.buffer.readDoubleLE(this.at - 8);
    }
    let value = first & 0x3f;
    let scale = 64;
    for (let b = first; b & MORE; scale *= 128) {
      b = this.byte();
      value += (b & 0x7f) * scale;
    }
    return first & SIGN ? -value : value;
  }

  cost(): bigint {
    if (this.buffer[this.at] !== ESCAPE || this.buffer[this.at + 1] !== DECIMAL) return BigInt(this.number());
    const length = this.buffer[this.at + 2];
    this.at += 3 + length;
    return BigInt(this.buffer.toString('latin1', this.at - length, this.at));
  }

  skipNumbers(count: number): void {
    const b = this.buffer;
    for (let n = 0; n < count; n++) {
      if (b[this.at] === ESCAPE) this.at += b[this.at + 1] === FLOAT ? 10 : 3 + b[this.at + 2];
      else {
        while (b[this.at] & MORE) this.at++;
        this.at++;
      }
    }
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
