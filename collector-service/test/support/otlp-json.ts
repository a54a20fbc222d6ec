import { randomBytes } from 'node:crypto';

/** An OTLP/JSON attribute value, as senders write it (int64 as a string). */
export type JsonAnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };

export interface JsonSpanSpec {
  attributes: Record<string, string | number | boolean>;
  /** Nanoseconds since the epoch, as OTLP/JSON writes them (a string, any digits). Default: now. */
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  traceId?: string;
  spanId?: string;
  name?: string;
}

/** Integers become intValue (a string, as OTLP/JSON carries int64), other numbers doubleValue. */
export function jsonAttribute(key: string, value: string | number | boolean): { key: string; value: JsonAnyValue } {
  if (typeof value === 'string') return { key, value: { stringValue: value } };
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  return { key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } };
}

export function jsonSpan(spec: JsonSpanSpec): Record<string, unknown> {
  const startNs = BigInt(Date.now() - 1000) * 1_000_000n;
  return {
    traceId: spec.traceId ?? randomBytes(16).toString('hex'),
    spanId: spec.spanId ?? randomBytes(8).toString('hex'),
    name: spec.name ?? 'chat',
    kind: 3,
    startTimeUnixNano: spec.startTimeUnixNano ?? String(startNs),
    endTimeUnixNano: spec.endTimeUnixNano ?? String(startNs + 250_000_000n),
    attributes: Object.entries(spec.attributes).map(([k, v]) => jsonAttribute(k, v)),
  };
}

/** An OTLP/JSON ExportTraceServiceRequest body with one resource and scope. */
export function jsonTraces(
  spans: Record<string, unknown>[],
  resource: Record<string, string> = { 'service.name': 'checkout' },
  scope = '@tokenledger/instrumentation-openai',
): string {
  return JSON.stringify({
    resourceSpans: [
      { resource: { attributes: Object.entries(resource).map(([k, v]) => jsonAttribute(k, v)) }, scopeSpans: [{ scope: { name: scope }, spans }] },
    ],
  });
}
