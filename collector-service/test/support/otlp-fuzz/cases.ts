// The fuzzers' cases, each made from (seed, index) alone, so any case can be made again by itself.
// Every CONTROL_EVERY-th case is a valid control request (its spans must all be counted); the others
// are mutations of real-shaped OTLP requests: of their protobuf encoding (bit flips, truncation,
// lying lengths and wire types, duplicated, dropped and grafted fields, huge and overlong varints,
// deep nesting) or of their OTLP/JSON (nulls, wrong types, huge numbers, odd strings and keys, deep
// nesting, broken text in every position). Only Node's built-ins: the bench loads this from source.
import { seededRandom } from '../../../../bench/usage-records.js';
import {
  FIXED32,
  FIXED64,
  LENGTH_DELIMITED,
  VARINT,
  cloneFields,
  encodeFields,
  encodeVarint,
  parseFields,
  walkFields,
  type WireField,
} from './protobuf-wire.ts';
import { controlRequest, mutationBases, pick, type Random, withIdBytes } from './requests.ts';

export const CONTROL_EVERY = 20;

export interface FuzzCase {
  index: number;
  contentType: string;
  body: Uint8Array;
  /** What was done to the base request, for the failure message. */
  mutations: string[];
  /** A valid request: its spans and cost must all be counted once it is acknowledged. */
  control: { spans: number; nanos: bigint } | null;
}

/** The random source of one case of a fuzzer: the seed and the index, nothing else (each fuzzer its own stream). */
const caseRandom = (seed: number, stream: number, index: number): Random =>
  seededRandom((Math.imul(seed ^ Math.imul(stream, 0x85ebca6b), 0x9e3779b1) + index) >>> 0);
const PROTOBUF_STREAM = 1;
const JSON_STREAM = 2;

/**
 * Span times of every case: the start of the UTC day an hour before the run began, so that the
 * control spans (in that day's first hour) are past, and counted, even in a run started just after
 * midnight (a case's bytes depend on it).
 */
export const fuzzDayMs = (nowMs = Date.now()) => {
  const hourAgo = nowMs - 3_600_000;
  return hourAgo - (hourAgo % 86_400_000);
};

export interface FuzzerOptions {
  seed: number;
  dayMs: number;
  /** The control requests' service name, so their totals can be read apart from the mutants'. */
  controlService: string;
}

function controlCase(
  random: Random,
  index: number,
  options: FuzzerOptions,
  encode: (request: Record<string, unknown>) => Uint8Array,
  contentType: string,
): FuzzCase {
  const control = controlRequest(random, options.dayMs + random.below(3_600_000), options.controlService);
  return { index, contentType, body: encode(control.request), mutations: ['control'], control: { spans: control.spans, nanos: control.nanos } };
}

// ---- protobuf ----------------------------------------------------------------------------------

const HUGE_VARINTS = [2n ** 64n - 1n, 2n ** 63n, 2n ** 63n - 1n, 2n ** 53n + 1n, 2n ** 32n, 2n ** 31n, 0n, 1n];
const ODD_BYTES = [
  Buffer.from([0xff, 0xfe, 0xc3]),
  Buffer.from('\u0000nul'),
  Buffer.alloc(0),
  Buffer.from('\ud800'),
  Buffer.from('x'.repeat(300)),
  Buffer.from('=HYPERLINK("x")'),
];

/** Mostly `usual`, one time in twenty `large`: big bodies are slow to send, and a few of them find as much. */
const sized = (random: Random, usual: number, large: number) => (random.below(20) === 0 ? large : usual);

/**
 * A KeyValue "deep" (field 9 of a span) whose AnyValue is `depth` arrays deep, its bytes built
 * from the inside out without recursion (the test process has a stack too).
 */
function deepAttribute(depth: number): WireField {
  return {
    no: 9,
    wireType: LENGTH_DELIMITED,
    value: new Uint8Array(),
    children: [
      { no: 1, wireType: LENGTH_DELIMITED, value: Buffer.from('deep') },
      { no: 2, wireType: LENGTH_DELIMITED, value: deepAnyValueBytes(depth) },
    ],
  };
}

/** Made once per depth: the deep bodies repeat. */
const deepValues = new Map<number, Buffer>();
function deepAnyValueBytes(depth: number): Buffer {
  const made = deepValues.get(depth);
  if (made) return made;
  const bottom = encodeFields([{ no: 1, wireType: LENGTH_DELIMITED, value: Buffer.from('bottom') }]);
  const prefixes: Buffer[] = [];
  let size = bottom.length;
  for (let i = 0; i < depth; i++) {
    // AnyValue { array_value (5) = ArrayValue { values (1) = <AnyValue of `size` bytes> } }
    const values = Buffer.from([...encodeVarint(BigInt((1 << 3) | LENGTH_DELIMITED)), ...encodeVarint(BigInt(size))]);
    const arrayValue = Buffer.from([...encodeVarint(BigInt((5 << 3) | LENGTH_DELIMITED)), ...encodeVarint(BigInt(values.length + size))]);
    prefixes.push(values, arrayValue);
    size += values.length + arrayValue.length;
  }
  const value = Buffer.concat([...prefixes.reverse(), bottom]);
  deepValues.set(depth, value);
  return value;
}

type TreeMutation = (random: Random, tree: WireField[], bases: WireField[][]) => string;
type Located = ReturnType<typeof walkFields>[number];

/** A field of the tree that `fits`, or null (earlier mutations may have dropped them all). */
function someField(random: Random, tree: WireField[], fits: (at: Located) => boolean = () => true): Located | null {
  const candidates = walkFields(tree).filter(fits);
  return candidates.length === 0 ? null : pick(random, candidates);
}
const NOTHING = 'nothing left to change';

const TREE_MUTATIONS: Record<string, TreeMutation> = {
  duplicateField: (random, tree) => {
    const at = someField(random, tree);
    if (!at) return NOTHING;
    at.parent.splice(at.parent.indexOf(at.field) + 1, 0, cloneFields([at.field])[0]);
    return `field ${at.path.join('.')} twice`;
  },
  dropField: (random, tree) => {
    const at = someField(random, tree);
    if (!at) return NOTHING;
    at.parent.splice(at.parent.indexOf(at.field), 1);
    return `field ${at.path.join('.')} dropped`;
  },
  hugeVarint: (random, tree) => {
    const at = someField(random, tree, (f) => f.field.wireType === VARINT);
    if (!at) return NOTHING;
    at.field.value = pick(random, HUGE_VARINTS);
    return `varint ${at.path.join('.')} = ${at.field.value}`;
  },
  overlongVarint: (random, tree) => {
    const at = someField(random, tree, (f) => f.field.wireType === VARINT || f.field.wireType === LENGTH_DELIMITED);
    if (!at) return NOTHING;
    at.field.overlongBy = 1 + random.below(6);
    return `varint of ${at.path.join('.')} ${at.field.overlongBy} bytes too long`;
  },
  lyingLength: (random, tree) => {
    const at = someField(random, tree, (f) => f.field.wireType === LENGTH_DELIMITED);
    if (!at) return NOTHING;
    const length = BigInt((at.field.children ? encodeFields(at.field.children) : (at.field.value as Uint8Array)).length);
    at.field.lengthOverride = pick(random, [length + 1n, length - 1n, 0n, length * 2n, 2n ** 31n - 1n, 2n ** 32n + 3n, 2n ** 63n]);
    return `length of ${at.path.join('.')} ${at.field.lengthOverride} (is ${length})`;
  },
  wrongWireType: (random, tree) => {
    const at = someField(random, tree);
    if (!at) return NOTHING;
    at.field.tagWireType = pick(random, [VARINT, FIXED64, LENGTH_DELIMITED, 3, 4, FIXED32, 6, 7]);
    return `wire type of ${at.path.join('.')} ${at.field.tagWireType}`;
  },
  extremeFixed: (random, tree) => {
    const at = someField(random, tree, (f) => f.field.wireType === FIXED64 || f.field.wireType === FIXED32);
    if (!at) return NOTHING;
    const size = at.field.wireType === FIXED64 ? 8 : 4;
    at.field.value = pick(random, [
      Buffer.alloc(size, 0xff),
      Buffer.alloc(size),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x80].slice(0, size)),
      Buffer.alloc(size, random.below(256)),
    ]);
    return `fixed ${at.path.join('.')} = ${Buffer.from(at.field.value).toString('hex')}`;
  },
  oddBytes: (random, tree) => {
    const at = someField(random, tree, (f) => f.field.wireType === LENGTH_DELIMITED && !f.field.children);
    if (!at) return NOTHING;
    at.field.value = pick(random, ODD_BYTES);
    return `bytes of ${at.path.join('.')} odd (${at.field.value.length})`;
  },
  emptyMessage: (random, tree) => {
    const at = someField(random, tree, (f) => f.field.children !== undefined);
    if (!at) return NOTHING;
    at.field.children = [];
    return `message ${at.path.join('.')} empty`;
  },
  graft: (random, tree, bases) => {
    const donor = pick(random, walkFields(pick(random, bases)));
    const into = someField(random, tree, (f) => f.field.children !== undefined);
    if (!into) return NOTHING;
    into.field.children!.splice(random.below(into.field.children!.length + 1), 0, cloneFields([donor.field])[0]);
    return `field ${donor.path.join('.')} of another request into ${into.path.join('.')}`;
  },
  unknownField: (random, tree) => {
    const into = pick(random, [{ field: { children: tree } as WireField, path: [] as number[] }, ...walkFields(tree).filter((f) => f.field.children)]);
    const no = pick(random, [17, 100, 536_870_911, 1 + random.below(30)]);
    const wireType = pick(random, [VARINT, FIXED64, LENGTH_DELIMITED, FIXED32]);
    const value =
      wireType === VARINT
        ? pick(random, HUGE_VARINTS)
        : Buffer.alloc(wireType === FIXED64 ? 8 : wireType === FIXED32 ? 4 : random.below(64), random.below(256));
    into.field.children!.push({ no, wireType, value });
    return `unknown field ${no}/${wireType} in ${into.path.join('.') || 'the request'}`;
  },
  deepNesting: (random, tree) => {
    const span = someField(random, tree, (f) => f.path.join('.') === '1.2.2' && f.field.children !== undefined);
    if (!span) return NOTHING;
    const depth = sized(random, pick(random, [8, 64, 200]), pick(random, [1000, 20_000]));
    span.field.children!.push(deepAttribute(depth));
    return `attribute ${depth} arrays deep`;
  },
};

const RAW_MUTATIONS: Record<string, (random: Random, body: Uint8Array) => { body: Uint8Array; said: string }> = {
  bitFlip: (random, body) => {
    const out = Buffer.from(body);
    const at = random.below(out.length);
    const bit = random.below(8);
    out[at] ^= 1 << bit;
    return { body: out, said: `bit ${bit} of byte ${at} flipped` };
  },
  byteSet: (random, body) => {
    const out = Buffer.from(body);
    const at = random.below(out.length);
    out[at] = pick(random, [0x00, 0xff, 0x7f, 0x80, 0x0a, 0x12]);
    return { body: out, said: `byte ${at} = ${out[at]}` };
  },
  truncate: (random, body) => {
    const at = random.below(body.length);
    return { body: body.slice(0, at), said: `cut at ${at} of ${body.length}` };
  },
  insertBytes: (random, body) => {
    const at = random.below(body.length + 1);
    const bytes = Buffer.from(Array.from({ length: 1 + random.below(12) }, () => random.below(256)));
    return { body: Buffer.concat([body.slice(0, at), bytes, body.slice(at)]), said: `${bytes.length} bytes inserted at ${at}` };
  },
  repeatRange: (random, body) => {
    const from = random.below(body.length);
    const to = Math.min(body.length, from + 1 + random.below(64));
    return { body: Buffer.concat([body.slice(0, to), body.slice(from, to), body.slice(to)]), said: `bytes ${from}..${to} repeated` };
  },
  hugeVarintBytes: (random, body) => {
    const at = random.below(body.length + 1);
    const varint = Buffer.from(
      pick(random, [encodeVarint(2n ** 64n - 1n), encodeVarint(2n ** 64n - 1n, 3), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]]),
    );
    return { body: Buffer.concat([body.slice(0, at), varint, body.slice(at)]), said: `a ${varint.length}-byte varint inserted at ${at}` };
  },
};

/** Cases of OTLP/HTTP protobuf: `encode` turns an OTLP request object (ids as bytes) into protobuf. */
export function protobufCases(options: FuzzerOptions, encode: (request: unknown) => Uint8Array): (index: number) => FuzzCase {
  const contentType = 'application/x-protobuf';
  const bases = mutationBases(seededRandom(options.seed), options.dayMs).map((request) => {
    const fields = parseFields(encode(withIdBytes(request)));
    if (!fields) throw new Error('a base request does not parse as protobuf');
    return fields;
  });
  const treeNames = Object.keys(TREE_MUTATIONS);
  const rawNames = Object.keys(RAW_MUTATIONS);
  return (index) => {
    const random = caseRandom(options.seed, PROTOBUF_STREAM, index);
    if (index % CONTROL_EVERY === 0) return controlCase(random, index, options, (request) => encode(withIdBytes(request)), contentType);
    const tree = cloneFields(pick(random, bases));
    const mutations: string[] = [];
    for (let n = random.below(4); n >= 0; n--) {
      const name = pick(random, treeNames);
      mutations.push(`${name}: ${TREE_MUTATIONS[name](random, tree, bases)}`);
    }
    let body: Uint8Array = encodeFields(tree);
    for (let n = random.below(5) - 2; n >= 0 && body.length > 0; n--) {
      const name = pick(random, rawNames);
      const mutated = RAW_MUTATIONS[name](random, body);
      body = mutated.body;
      mutations.push(`${name}: ${mutated.said}`);
    }
    return { index, contentType, body, mutations, control: null };
  };
}

// ---- OTLP/JSON ---------------------------------------------------------------------------------

/**
 * A value written into the JSON text as is (numbers JSON.stringify cannot write, nesting too deep
 * to build as objects): a marker string, replaced after stringifying.
 */
const RAW = '\u0001raw\u0001';
const raw = (text: string) => `${RAW}${text}${RAW}`;
const deepArrays = (depth: number) => raw('['.repeat(depth) + ']'.repeat(depth));
const deepAnyValue = (depth: number) => raw('{"arrayValue":{"values":['.repeat(depth) + '{"stringValue":"bottom"}' + ']}}'.repeat(depth));

const HOSTILE_VALUES: ((random: Random) => unknown)[] = [
  () => null,
  () => true,
  () => false,
  () => 0,
  () => -1,
  () => 1.5,
  () => 1e308,
  () => -1e308,
  () => 2 ** 53 + 2,
  () => 2 ** 64,
  () => Number.MIN_VALUE,
  () => raw('1e400'),
  () => raw('-1e400'),
  () => raw('123456789012345678901234567890'),
  () => raw('-0'),
  () => '',
  () => '0',
  () => '-1',
  () => '1e400',
  () => '18446744073709551616',
  () => '9223372036854775808',
  (random) => '9'.repeat(1 + random.below(500)),
  () => '0x7fffffff',
  () => ' 12 ',
  () => 'NaN',
  () => 'Infinity',
  () => '\u0000',
  () => '\ud800',
  () => '\u202egpt-4o',
  (random) => '😀'.repeat(sized(random, 1 + random.below(20), 2000)),
  (random) => 'x'.repeat(sized(random, random.below(300), 200_000)),
  () => '__proto__',
  () => 'constructor',
  () => '=HYPERLINK("http://x")',
  () => '../../etc/passwd',
  () => 'gpt-4o',
  () => [],
  () => ({}),
  () => [null],
  () => [[[]]],
  () => ({ intValue: '1' }),
  () => ({ stringValue: null }),
  () => ({ intValue: '99999999999999999999' }),
  () => ({ doubleValue: 'x' }),
  () => ({ arrayValue: { values: null } }),
  () => ({ arrayValue: { values: {} } }),
  () => ({ kvlistValue: { values: [{}] } }),
  () => ({ kvlistValue: { values: [null] } }),
  () => JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
  (random) => deepArrays(sized(random, pick(random, [10, 100, 1000]), 100_000)),
  (random) => deepAnyValue(sized(random, pick(random, [8, 64, 200]), 20_000)),
];

const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'intValue',
  'resource_spans',
  'scope_spans',
  'start_time_unix_nano',
  '',
  '\u0000',
];

type JsonPath = { holder: Record<string, unknown> | unknown[]; key: string | number };

function jsonPaths(value: unknown, out: JsonPath[] = []): JsonPath[] {
  if (value === null || typeof value !== 'object') return out;
  for (const [key, child] of Object.entries(value)) {
    out.push({ holder: value as Record<string, unknown>, key: Array.isArray(value) ? Number(key) : key });
    jsonPaths(child, out);
  }
  return out;
}

/** A place in the request that `fits`, or null (earlier mutations may have dropped them all). */
function somePath(random: Random, request: unknown, fits: (at: JsonPath) => boolean = () => true): JsonPath | null {
  const candidates = jsonPaths(request).filter(fits);
  return candidates.length === 0 ? null : pick(random, candidates);
}

function setOwn(holder: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  Object.defineProperty(holder, key, { value, enumerable: true, writable: true, configurable: true });
}

const JSON_MUTATIONS: Record<string, (random: Random, request: Record<string, unknown>) => string> = {
  hostileValue: (random, request) => {
    const at = somePath(random, request);
    if (!at) return NOTHING;
    const value = pick(random, HOSTILE_VALUES)(random);
    setOwn(at.holder, at.key, value);
    return `${String(at.key)} = ${typeof value === 'string' ? value.slice(0, 40) : JSON.stringify(value)?.slice(0, 40)}`;
  },
  dropKey: (random, request) => {
    const at = somePath(random, request);
    if (!at) return NOTHING;
    if (Array.isArray(at.holder)) at.holder.splice(at.key as number, 1);
    else delete at.holder[at.key as string];
    return `${String(at.key)} dropped`;
  },
  hostileKey: (random, request) => {
    const at = somePath(random, request, (p) => !Array.isArray(p.holder)) ?? { holder: request, key: 'the request' };
    const key = pick(random, HOSTILE_KEYS);
    setOwn(at.holder, key, pick(random, HOSTILE_VALUES)(random));
    return `key ${JSON.stringify(key)} added beside ${String(at.key)}`;
  },
  renameKey: (random, request) => {
    const at = somePath(random, request, (p) => !Array.isArray(p.holder));
    if (!at) return NOTHING;
    const holder = at.holder as Record<string, unknown>;
    const renamed = pick(random, [(at.key as string).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), (at.key as string).toUpperCase(), `${String(at.key)} `]);
    const value = holder[at.key as string];
    delete holder[at.key as string];
    setOwn(holder, renamed, value);
    return `${String(at.key)} renamed ${renamed}`;
  },
  repeatElement: (random, request) => {
    const at = somePath(random, request, (p) => Array.isArray(p.holder));
    if (!at) return NOTHING;
    const holder = at.holder as unknown[];
    const copies = sized(random, 1 + random.below(3), 100);
    holder.splice(at.key as number, 0, ...Array.from({ length: copies }, () => structuredClone(holder[at.key as number])));
    return `element ${String(at.key)} repeated ${copies}x`;
  },
  wrapValue: (random, request) => {
    const at = somePath(random, request);
    if (!at) return NOTHING;
    const value = (at.holder as Record<string, unknown>)[at.key as string];
    setOwn(at.holder, at.key, random.below(2) === 0 ? [value] : { value });
    return `${String(at.key)} wrapped`;
  },
};

const TEXT_MUTATIONS: Record<string, (random: Random, text: string) => { text: string; said: string }> = {
  truncate: (random, text) => {
    const at = random.below(text.length);
    return { text: text.slice(0, at), said: `cut at ${at}` };
  },
  insertToken: (random, text) => {
    const at = random.below(text.length + 1);
    const token = pick(random, [',', '}', ']', '{', '"', ':', 'null', '\\', '\u0000', '\ud800', '/*x*/', ' '.repeat(100)]);
    return { text: text.slice(0, at) + token + text.slice(at), said: `${JSON.stringify(token.slice(0, 10))} inserted at ${at}` };
  },
  duplicateKey: (random, text) => {
    const keys = [...text.matchAll(/"(intValue|stringValue|key|startTimeUnixNano|spans|resourceSpans|value)":/g)];
    if (keys.length === 0) return { text, said: 'no key' };
    const m = pick(random, keys);
    const value = pick(random, ['null', '"1"', '{}', '[]', '"gpt-4o"', '1e999']);
    return { text: text.slice(0, m.index) + `"${m[1]}":${value},` + text.slice(m.index), said: `"${m[1]}" written twice (first ${value})` };
  },
};

/** Cases of OTLP/HTTP JSON. */
export function jsonCases(options: FuzzerOptions): (index: number) => FuzzCase {
  const contentType = 'application/json';
  const encode = (request: unknown) => Buffer.from(JSON.stringify(request));
  const bases = mutationBases(seededRandom(options.seed), options.dayMs);
  const mutationNames = Object.keys(JSON_MUTATIONS);
  const textNames = Object.keys(TEXT_MUTATIONS);
  // JSON.stringify writes the marker's control characters as \u0001 and escapes the text between them.
  const rawValue = /"\\u0001raw\\u0001(.*?)\\u0001raw\\u0001"/g;
  return (index) => {
    const random = caseRandom(options.seed, JSON_STREAM, index);
    if (index % CONTROL_EVERY === 0) return controlCase(random, index, options, encode, contentType);
    const request = structuredClone(pick(random, bases));
    const mutations: string[] = [];
    for (let n = random.below(3); n >= 0; n--) {
      const name = pick(random, mutationNames);
      mutations.push(`${name}: ${JSON_MUTATIONS[name](random, request)}`);
    }
    let text = JSON.stringify(request).replace(rawValue, (_, inner: string) => JSON.parse(`"${inner}"`) as string);
    if (random.below(4) === 0) {
      const name = pick(random, textNames);
      const mutated = TEXT_MUTATIONS[name](random, text);
      text = mutated.text;
      mutations.push(`${name}: ${mutated.said}`);
    }
    return { index, contentType, body: Buffer.from(text), mutations, control: null };
  };
}
