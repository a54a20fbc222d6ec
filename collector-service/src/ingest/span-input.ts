/**
 * A span as the ingest module hands it to usage normalisation: decoded from OTLP protobuf or JSON,
 * flattened with its resource and scope, ids as lower-case hex, attributes as plain values.
 */
export type AttributeValue = string | number | boolean | AttributeValue[] | { [key: string]: AttributeValue } | null;

export type Attributes = Record<string, AttributeValue>;

export interface SpanInput {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** Nanoseconds since the epoch, exact. */
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string | null };
  resource: Attributes;
  scope: { name: string; version: string | null };
}

/** A span stored with an attribute value left unused (reported in OTLP partialSuccess as a warning, counted by attribute). */
export interface SpanWarning {
  traceId: string;
  spanId: string;
  attribute: string;
  reason: string;
}

/** A span the normaliser recognised as GenAI but could not turn into a record (reported in OTLP partialSuccess). */
export interface RejectedSpan {
  traceId: string;
  spanId: string;
  reason: string;
}
