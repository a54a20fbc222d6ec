import { type Attributes, type Histogram, type Meter, type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import * as sc from '@tokenledger/semconv';
import { attributionFromContext } from './attribution';

/** Token usage as the GenAI convention counts it: input includes cache reads and writes, output includes reasoning. */
export interface Usage {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
  /** Audio tokens, a part of input, priced at the audio rate. */
  audioInput?: number;
  /** Audio tokens, a part of output, priced at the audio rate. */
  audioOutput?: number;
}

export interface CallStart {
  operation: string;
  provider: string;
  requestModel: string;
  serverAddress: string | null;
  serverPort: number | null;
  attributes?: Attributes;
}

/** One GenAI client call: its span, and its metrics when it ends (exactly once). */
export class GenAiCall {
  private ended = false;
  private readonly startMs = performance.now();
  private firstChunkMs: number | null = null;
  private responseModel: string | null = null;
  readonly span: Span;

  constructor(
    tracer: Tracer,
    private readonly metrics: GenAiMetrics,
    private readonly start: CallStart,
  ) {
    this.span = tracer.startSpan(`${start.operation} ${start.requestModel}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        [sc.ATTR_GEN_AI_OPERATION_NAME]: start.operation,
        [sc.ATTR_GEN_AI_PROVIDER_NAME]: start.provider,
        [sc.ATTR_GEN_AI_REQUEST_MODEL]: start.requestModel,
        ...(start.serverAddress ? { [sc.ATTR_SERVER_ADDRESS]: start.serverAddress } : {}),
        ...(start.serverPort ? { [sc.ATTR_SERVER_PORT]: start.serverPort } : {}),
        ...attributionFromContext(),
        ...start.attributes,
      },
    });
  }

  firstChunk(): void {
    if (this.firstChunkMs === null) {
      this.firstChunkMs = performance.now();
      this.span.setAttribute(sc.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, (this.firstChunkMs - this.startMs) / 1000);
    }
  }

  response(attrs: { id?: string; model?: string; finishReasons?: string[] }): void {
    if (attrs.id) this.span.setAttribute(sc.ATTR_GEN_AI_RESPONSE_ID, attrs.id);
    if (attrs.model) {
      this.responseModel = attrs.model;
      this.span.setAttribute(sc.ATTR_GEN_AI_RESPONSE_MODEL, attrs.model);
    }
    if (attrs.finishReasons?.length) this.span.setAttribute(sc.ATTR_GEN_AI_RESPONSE_FINISH_REASONS, attrs.finishReasons);
  }

  /** Ends the span with the usage seen (if any), records the metrics. Later calls are ignored. */
  end(usage: Usage | null, error?: unknown, extra?: Attributes): void {
    if (this.ended) return;
    this.ended = true;
    const errorType = error === undefined ? undefined : errorTypeOf(error);
    if (usage) {
      const set = (key: string, value: number | undefined) => value !== undefined && this.span.setAttribute(key, value);
      set(sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS, usage.input);
      set(sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, usage.output);
      if (usage.cacheRead) set(sc.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.cacheRead);
      if (usage.cacheWrite) set(sc.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cacheWrite);
      if (usage.reasoning) set(sc.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.reasoning);
      if (usage.audioInput) set(sc.ATTR_TOKENLEDGER_USAGE_AUDIO_INPUT_TOKENS, usage.audioInput);
      if (usage.audioOutput) set(sc.ATTR_TOKENLEDGER_USAGE_AUDIO_OUTPUT_TOKENS, usage.audioOutput);
    }
    if (extra) this.span.setAttributes(extra);
    if (errorType !== undefined) {
      this.span.setAttribute(sc.ATTR_ERROR_TYPE, errorType);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    }
    this.span.end();
    this.metrics.record(this.start, this.responseModel, usage, errorType, (performance.now() - this.startMs) / 1000, this.firstChunkMs === null ? null : (this.firstChunkMs - this.startMs) / 1000);
  }
}

/** error.type: the HTTP status of an API error, else the error's class name. */
export function errorTypeOf(error: unknown): string {
  const status = (error as { status?: unknown })?.status;
  if (typeof status === 'number') return String(status);
  // By shape, not instanceof: errors from another realm (undici's fetch) are Errors too.
  if (error !== null && typeof error === 'object') {
    const className = (error as { constructor?: { name?: string } }).constructor?.name;
    if (className && className !== 'Object') return className;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name) return name;
  }
  return '_OTHER';
}

/** The GenAI client metrics, with the spec's bucket boundaries; no user ids (cardinality). */
export class GenAiMetrics {
  private readonly tokens: Histogram;
  private readonly duration: Histogram;
  private readonly timeToFirstChunk: Histogram;

  constructor(meter: Meter) {
    this.tokens = meter.createHistogram(sc.METRIC_GEN_AI_CLIENT_TOKEN_USAGE, { unit: '{token}', description: 'Tokens used per GenAI call', advice: { explicitBucketBoundaries: [...sc.TOKEN_USAGE_BUCKETS] } });
    this.duration = meter.createHistogram(sc.METRIC_GEN_AI_CLIENT_OPERATION_DURATION, { unit: 's', description: 'Duration of GenAI calls', advice: { explicitBucketBoundaries: [...sc.OPERATION_DURATION_BUCKETS] } });
    this.timeToFirstChunk = meter.createHistogram(sc.METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK, { unit: 's', description: 'Time to the first chunk of streamed GenAI responses', advice: { explicitBucketBoundaries: [...sc.TIME_TO_FIRST_CHUNK_BUCKETS] } });
  }

  record(start: CallStart, responseModel: string | null, usage: Usage | null, errorType: string | undefined, seconds: number, firstChunkSeconds: number | null): void {
    const attrs: Attributes = {
      [sc.ATTR_GEN_AI_OPERATION_NAME]: start.operation,
      [sc.ATTR_GEN_AI_PROVIDER_NAME]: start.provider,
      [sc.ATTR_GEN_AI_REQUEST_MODEL]: start.requestModel,
      ...(responseModel ? { [sc.ATTR_GEN_AI_RESPONSE_MODEL]: responseModel } : {}),
      ...(start.serverAddress ? { [sc.ATTR_SERVER_ADDRESS]: start.serverAddress } : {}),
    };
    this.duration.record(seconds, errorType ? { ...attrs, [sc.ATTR_ERROR_TYPE]: errorType } : attrs);
    if (firstChunkSeconds !== null) this.timeToFirstChunk.record(firstChunkSeconds, attrs);
    if (usage?.input !== undefined) this.tokens.record(usage.input, { ...attrs, [sc.ATTR_GEN_AI_TOKEN_TYPE]: sc.GenAiTokenType.INPUT });
    if (usage?.output !== undefined) this.tokens.record(usage.output, { ...attrs, [sc.ATTR_GEN_AI_TOKEN_TYPE]: sc.GenAiTokenType.OUTPUT });
  }
}
