// Protobuf's wire format as a tree of fields, only as far as the fuzzer needs it: a field whose
// payload parses as fields again (and re-encodes to the same bytes) is a message, anything else
// stays bytes. The encoder writes whatever a field says, including lengths, wire types and varints
// that lie, which is how the fuzzer makes hostile bodies. Only Node's built-ins: the bench loads
// this from source.

export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const FIXED32 = 5;

export interface WireField {
  no: number;
  wireType: number;
  /** A varint's value; for the other wire types, their bytes (a message's when `children` is unset). */
  value: bigint | Uint8Array;
  children?: WireField[];
  /** A length written instead of the payload's. */
  lengthOverride?: bigint;
  /** A wire type written in the tag instead of `wireType`, the payload kept. */
  tagWireType?: number;
  /** Written with this many needless continuation bytes (a varint too long). */
  overlongBy?: number;
}

export function encodeVarint(value: bigint, overlongBy = 0): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  for (let i = 0; i < overlongBy; i++) {
    out[out.length - 1] |= 0x80;
    out.push(i === overlongBy - 1 ? 0 : 0x80);
  }
  return out;
}

function readVarint(buf: Uint8Array, at: number): { value: bigint; next: number } | null {
  let value = 0n;
  for (let shift = 0n, i = at; i < buf.length && shift < 70n; shift += 7n, i++) {
    value |= BigInt(buf[i] & 0x7f) << shift;
    if ((buf[i] & 0x80) === 0) return { value, next: i + 1 };
  }
  return null;
}

/** The fields of `buf`, or null when it is not a whole, canonical run of fields. */
export function parseFields(buf: Uint8Array): WireField[] | null {
  const fields: WireField[] = [];
  let at = 0;
  while (at < buf.length) {
    const tag = readVarint(buf, at);
    if (!tag || tag.value >> 3n === 0n || tag.value >> 3n > 0x1fffffffn) return null;
    const no = Number(tag.value >> 3n);
    const wireType = Number(tag.value & 7n);
    at = tag.next;
    if (wireType === VARINT) {
      const v = readVarint(buf, at);
      if (!v) return null;
      fields.push({ no, wireType, value: v.value });
      at = v.next;
    } else if (wireType === FIXED64 || wireType === FIXED32) {
      const size = wireType === FIXED64 ? 8 : 4;
      if (at + size > buf.length) return null;
      fields.push({ no, wireType, value: buf.slice(at, at + size) });
      at += size;
    } else if (wireType === LENGTH_DELIMITED) {
      const len = readVarint(buf, at);
      if (!len || len.next + Number(len.value) > buf.length) return null;
      const payload = buf.slice(len.next, len.next + Number(len.value));
      const children = payload.length > 0 ? parseFields(payload) : null;
      const isMessage = children !== null && Buffer.from(encodeFields(children)).equals(Buffer.from(payload));
      fields.push(isMessage ? { no, wireType, value: payload, children } : { no, wireType, value: payload });
      at = len.next + payload.length;
    } else {
      return null;
    }
  }
  return fields;
}

export function encodeFields(fields: WireField[]): Buffer {
  const chunks: Uint8Array[] = [];
  for (const f of fields) {
    chunks.push(Buffer.from(encodeVarint((BigInt(f.no) << 3n) | BigInt(f.tagWireType ?? f.wireType))));
    if (f.wireType === VARINT) {
      chunks.push(Buffer.from(encodeVarint(f.value as bigint, f.overlongBy)));
      continue;
    }
    const payload = f.children ? encodeFields(f.children) : (f.value as Uint8Array);
    if (f.wireType === LENGTH_DELIMITED) chunks.push(Buffer.from(encodeVarint(f.lengthOverride ?? BigInt(payload.length), f.overlongBy)));
    chunks.push(payload);
  }
  return Buffer.concat(chunks);
}

export function cloneFields(fields: WireField[]): WireField[] {
  return fields.map((f) => ({ ...f, children: f.children ? cloneFields(f.children) : undefined }));
}

/** Every field of the tree with the list that holds it and the field numbers on its way from the root. */
export function walkFields(fields: WireField[], path: number[] = []): { field: WireField; parent: WireField[]; path: number[] }[] {
  const all: { field: WireField; parent: WireField[]; path: number[] }[] = [];
  for (const field of fields) {
    const here = [...path, field.no];
    all.push({ field, parent: fields, path: here });
    if (field.children) all.push(...walkFields(field.children, here));
  }
  return all;
}
