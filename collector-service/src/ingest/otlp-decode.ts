import { ExportTraceServiceRequest } from './otlp-schema';
import type { AttributeValue, Attributes, RejectedSpan, SpanInput } from './span-input';
import { sentText } from '../http/sent-text';

/** The whole request cannot be read (answered 400, nothing stored). */
export class OtlpDecodeError extends Error {}

export interface DecodedTraces {
  spans: SpanInput[];
  /** Spans too broken to identify or time (bad ids, bad timestamps): rejected, the rest kept. */
  rejected: RejectedSpan[];
}

type Obj = Record<string, unknown>;
type IdEncoding = 'hex' | 'base64';

/** AnyValue nesting deeper than this is refused: no GenAI attribute nests, and unbounded nesting is a stack to exhaust. */
const MAX_VALUE_DEPTH = 32;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A repeated message field: absent or null is empty (the OTLP/JSON mapping); otherwise an array of objects. */
const asArray = (v: unknown, where: string): Obj[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OtlpDecodeError(`${where} must be an array`);
  for (const item of v) if (!isObject(item)) throw new OtlpDecodeError(`${where} must hold objects, got ${JSON.stringify(item)?.slice(0, 40)}`);
  return v as Obj[];
};

/** A message field: absent or null is unset; otherwise an object. */
const asMessage = (v: unknown, where: string): Obj | undefined => {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new OtlpDecodeError(`${where} must be an object`);
  return v;
};

/** Decodes an OTLP/HTTP protobuf ExportTraceServiceRequest. */
export function decodeProtobufTraces(body: Uint8Array): DecodedTraces {
  let message;
  try {
    message = ExportTraceServiceRequest.decode(body);
  } catch (err) {
    throw new OtlpDecodeError(`body is not an OTLP ExportTraceServiceRequest in protobuf: ${(err as Error).message}`);
  }
  return readable(() => flatten(ExportTraceServiceRequest.toObject(message, { longs: String, bytes: String, defaults: false, oneofs: false }), 'base64'));
}

/** Decodes an OTLP/HTTP JSON ExportTraceServiceRequest (ids in hex, 64-bit integers as strings or numbers). */
export function decodeJsonTraces(body: Uint8Array): DecodedTraces {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (err) {
    throw new OtlpDecodeError(`body is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(parsed)) throw new OtlpDecodeError('body must be a JSON object with resourceSpans');
  return readable(() => flatten(parsed, 'hex'));
}

/** Whatever else a request's shape breaks (a stack exhausted by nesting) is the request's fault: 400, not 500. */
function readable(decode: () => DecodedTraces): DecodedTraces {
  try {
    return decode();
  } catch (err) {
    if (err instanceof OtlpDecodeError) throw err;
    throw new OtlpDecodeError(`body is not an OTLP ExportTraceServiceRequest: ${(err as Error).message}`);
  }
}

function flatten(request: Obj, ids: IdEncoding): DecodedTraces {
  const spans: SpanInput[] = [];
  const rejected: RejectedSpan[] = [];
  for (const rs of asArray(request.resourceSpans, 'resourceSpans')) {
    const resource = attributes(asMessage(rs.resource, 'resourceSpans[].resource')?.attributes, 'resource.attributes');
    for (const ss of asArray(rs.scopeSpans, 'resourceSpans[].scopeSpans')) {
      const scopeObj = asMessage(ss.scope, 'resourceSpans[].scopeSpans[].scope') ?? {};
      const scope = { name: typeof scopeObj.name === 'string' ? scopeObj.name : '', version: typeof scopeObj.version === 'string' ? scopeObj.version : null };
      for (const s of asArray(ss.spans, 'resourceSpans[].scopeSpans[].spans')) {
        const traceId = toHexId(s.traceId, ids, 16);
        const spanId = toHexId(s.spanId, ids, 8);
        if (!traceId || !spanId) {
          rejected.push({
            traceId: traceId ?? sentText(s.traceId ?? ''),
            spanId: spanId ?? sentText(s.spanId ?? ''),
            reason: 'traceId must be 16 bytes and spanId 8 bytes, not all zero',
          });
          continue;
        }
        const start = toNanos(s.startTimeUnixNano);
        const end = toNanos(s.endTimeUnixNano);
        if (start === null || end === null) {
          rejected.push({ traceId, spanId, reason: 'startTimeUnixNano and endTimeUnixNano must be unsigned 64-bit integers' });
          continue;
        }
        const status = asMessage(s.status, 'span.status') ?? {};
        spans.push({
          traceId,
          spanId,
          parentSpanId: toHexId(s.parentSpanId, ids, 8),
          name: typeof s.name === 'string' ? s.name : '',
          kind: typeof s.kind === 'number' ? s.kind : Number(s.kind ?? 0) || 0,
          startTimeUnixNano: start,
          endTimeUnixNano: end,
          attributes: attributes(s.attributes, 'span.attributes'),
          status: { code: Number(status.code ?? 0) || 0, message: typeof status.message === 'string' && status.message ? status.message : null },
          resource,
          scope,
        });
      }
    }
  }
  return { spans, rejected };
}

function toHexId(value: unknown, encoding: IdEncoding, bytes: number): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const hex = encoding === 'hex' ? value.toLowerCase() : Buffer.from(value, 'base64').toString('hex');
  if (hex.length !== bytes * 2 || !/^[0-9a-f]+$/.test(hex) || /^0+$/.test(hex)) return null;
  return hex;
}

function toNanos(value: unknown): bigint | null {
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  return null;
}

function attributes(list: unknown, where: string, depth = 0): Attributes {
  const out: Attributes = {};
  for (const kv of asArray(list, where)) {
    if (typeof kv.key !== 'string') continue;
    out[kv.key] = anyValue(asMessage(kv.value, `${where}[].value`), depth);
  }
  return out;
}

function anyValue(v: Obj | undefined, depth: number): AttributeValue {
  if (!v) return null;
  if (depth >= MAX_VALUE_DEPTH) throw new OtlpDecodeError(`an attribute value nests arrays or key-value lists more than ${MAX_VALUE_DEPTH} deep`);
  if ('stringValue' in v) return String(v.stringValue);
  if ('boolValue' in v) return v.boolValue === true || v.boolValue === 'true';
  if ('intValue' in v) {
    const n = Number(v.intValue);
    // Token counts fit a double exactly; an int64 that does not stays text rather than lose digits.
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return asArray(asMessage(v.arrayValue, 'arrayValue')?.values, 'arrayValue.values').map((x) => anyValue(x, depth + 1));
  if ('kvlistValue' in v) return attributes(asMessage(v.kvlistValue, 'kvlistValue')?.values, 'kvlistValue.values', depth + 1);
  if ('bytesValue' in v) return String(v.bytesValue);
  return null;
}
