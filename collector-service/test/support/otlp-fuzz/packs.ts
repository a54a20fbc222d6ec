// Packs of fuzz cases: the cases a request decoder reads whole, sent several to a request. On a store
// where every acknowledged request costs a round of writes whatever it holds (FerretDB: some 50 ms a
// batch on a busy 2-core machine), one request per case caps a run at a few thousand cases; a pack
// of 20 costs what one case did. The decoder only chooses which cases go together: the service's
// answer is still the verdict, and a pack it does not acknowledge is sent again one case at a time
// (see send.ts), so a pack can only add findings. Only Node's built-ins: the bench loads this from
// source and hands it the service's decoders from the build.
import type { FuzzCase } from './cases.ts';

export interface Packer {
  /** The case's part of a pack, or null when the case must travel alone (the decoder refuses it, or it cannot be joined). */
  member(fuzzCase: FuzzCase): Uint8Array | null;
  /** One request holding every member's spans. */
  join(members: Uint8Array[]): Uint8Array;
  /** At most this many cases and bytes in a pack. */
  maxCases: number;
  maxBytes: number;
}

/** Throws when the service would answer the body 400. */
type Decoder = (body: Uint8Array) => unknown;

const accepted = (decode: Decoder, body: Uint8Array) => {
  try {
    decode(body);
    return true;
  } catch {
    return false;
  }
};

const LIMITS = { maxCases: 50, maxBytes: 1 << 20 };

/**
 * OTLP/HTTP protobuf: concatenated ExportTraceServiceRequests are one request holding all their
 * resourceSpans (protobuf merges a message's repeated fields), so a pack is the cases' bytes as sent.
 */
export function protobufPacker(decode: Decoder): Packer {
  return {
    ...LIMITS,
    member: (fuzzCase) => (fuzzCase.body.length > 0 && accepted(decode, fuzzCase.body) ? fuzzCase.body : null),
    join: (members) => Buffer.concat(members),
  };
}

const RESOURCE_SPANS = /^\{"resourceSpans":\[([\s\S]*)\]\}$/;

/**
 * OTLP/JSON: a case whose text is `{"resourceSpans":[…]}` and nothing else gives the text of its
 * elements, as sent; a pack lists every member's elements in one `resourceSpans`.
 */
export function jsonPacker(decode: Decoder): Packer {
  const elementsOf = (body: Uint8Array): string | null => {
    const text = Buffer.from(body).toString('utf8');
    const elements = RESOURCE_SPANS.exec(text)?.[1];
    if (!elements) return null;
    try {
      const whole = JSON.parse(text) as Record<string, unknown>;
      const listed = JSON.parse(`[${elements}]`) as unknown[];
      // `{"resourceSpans":[],"x":[1]}` matches too: the elements' text must be the array, whole.
      const array = whole.resourceSpans;
      return Object.keys(whole).length === 1 && Array.isArray(array) && array.length === listed.length ? elements : null;
    } catch {
      return null;
    }
  };
  return {
    ...LIMITS,
    member: (fuzzCase) => {
      if (!accepted(decode, fuzzCase.body)) return null;
      const elements = elementsOf(fuzzCase.body);
      return elements === null ? null : Buffer.from(elements);
    },
    join: (members) => Buffer.from(`{"resourceSpans":[${members.map((m) => Buffer.from(m).toString('utf8')).join(',')}]}`),
  };
}
