import { type Attributes, type Context, type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import * as sc from '@tokenledger/semconv';
import { type Attribution, attributionFromContext } from './attribution';
import type { GenAiMetrics, MetricKey, Usage } from './genai-metrics';

/**
 * The attribute names every call writes, read once: the package's names are getters of its index
 * module (re-exported), and reading them on every call showed in the profile.
 */
const {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_TOKENLEDGER_USAGE_AUDIO_CACHE_READ_INPUT_TOKENS,
  ATTR_TOKENLEDGER_USAGE_AUDIO_INPUT_TOKENS,
  ATTR_TOKENLEDGER_USAGE_AUDIO_OUTPUT_TOKENS,
  ATTR_TOKENLEDGER_USAGE_CACHE_CREATION_1H_INPUT_TOKENS,
  ATTR_TOKENLEDGER_USAGE_IMAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_TOKENLEDGER_USAGE_IMAGE_INPUT_TOKENS,
  ATTR_TOKENLEDGER_USAGE_IMAGE_OUTPUT_TOKENS,
  ATTR_TOKENLEDGER_USAGE_VIDEO_INPUT_TOKENS,
} = sc;

export interface CallStart extends MetricKey {
  serverPort: number | null;
  /** Who the call is for (user, agent, feature, tags); when absent, read from the active context's baggage. */
  attribution?: Attribution;
  /** The request's own attributes (sampling parameters, ...), written last. */
  attributes?: Attributes;
  /** The context to start the span in: the caller's, read once, or a parent call's (a call within a session or a batch). */
  parent?: Context;
}

/** The span's attributes at its start, built in one object. */
function startAttributes(start: CallStart): Attributes {
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: start.operation,
    [ATTR_GEN_AI_PROVIDER_NAME]: start.provider,
    [ATTR_GEN_AI_REQUEST_MODEL]: start.requestModel,
  };
  if (start.serverAddress) attributes[ATTR_SERVER_ADDRESS] = start.serverAddress;
  if (start.serverPort) attributes[ATTR_SERVER_PORT] = start.serverPort;
  const attribution = start.attribution ?? attributionFromContext();
  for (const key in attribution) attributes[key] = attribution[key];
  const own = start.attributes;
  if (own) for (const key in own) attributes[key] = own[key];
  return attributes;
}

/**
 * The span name of the last call (`{operation} {model}`): an app mostly makes the same kind of call
 * again, and then its span is named with the same string rather than a new one each call.
 */
let lastName = { operation: '', model: '', name: '' };

function spanName(operation: string, model: string): string {
  if (lastName.operation !== operation || lastName.model !== model) lastName = { operation, model, name: `${operation} ${model}` };
  return lastName.name;
}

/** One GenAI client call: its span, and its metrics when it ends (exactly once). */
export class GenAiCall {
  readonly span: Span;
  private ended = false;
  private readonly startMs = performance.now();
  private firstChunkMs = -1;
  private responseModel: string | null = null;

  constructor(
    tracer: Tracer,
    private readonly metrics: GenAiMetrics,
    /** What the call was started with (calls within it start from it: see childCall). */
    readonly start: CallStart,
  ) {
    this.span = tracer.startSpan(spanName(start.operation, start.requestModel), { kind: SpanKind.CLIENT, attributes: startAttributes(start) }, start.parent);
  }

  /** A streamed response's first chunk: its time is recorded once, later calls cost a comparison. */
  firstChunk(): void {
    if (this.firstChunkMs < 0) {
      this.firstChunkMs = performance.now();
      this.span.setAttribute(ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, (this.firstChunkMs - this.startMs) / 1000);
    }
  }

  response(attrs: { id?: string; model?: string; finishReasons?: string[] }): void {
    if (attrs.id) this.span.setAttribute(ATTR_GEN_AI_RESPONSE_ID, attrs.id);
    if (attrs.model) {
      this.responseModel = attrs.model;
      this.span.setAttribute(ATTR_GEN_AI_RESPONSE_MODEL, attrs.model);
    }
    if (attrs.finishReasons?.length) this.span.setAttribute(ATTR_GEN_AI_RESPONSE_FINISH_REASONS, attrs.finishReasons);
  }

  /** Ends the span with the usage seen (if any), records the metrics. Later calls are ignored. */
  end(usage: Usage | null, error?: unknown, extra?: Attributes): void {
    if (this.ended) return;
    this.ended = true;
    const span = this.span;
    const errorType = error === undefined ? undefined : errorTypeOf(error);
    if (usage) {
      if (usage.input !== undefined) span.setAttribute(ATTR_GEN_AI_USAGE_INPUT_TOKENS, usage.input);
      if (usage.output !== undefined) span.setAttribute(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, usage.output);
      if (usage.cacheRead) span.setAttribute(ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.cacheRead);
      if (usage.cacheWrite) span.setAttribute(ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cacheWrite);
      if (usage.reasoning) span.setAttribute(ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.reasoning);
      if (usage.audioInput) span.setAttribute(ATTR_TOKENLEDGER_USAGE_AUDIO_INPUT_TOKENS, usage.audioInput);
      if (usage.audioOutput) span.setAttribute(ATTR_TOKENLEDGER_USAGE_AUDIO_OUTPUT_TOKENS, usage.audioOutput);
      const d = usage.details;
      if (d) {
        if (d.audioCacheRead) span.setAttribute(ATTR_TOKENLEDGER_USAGE_AUDIO_CACHE_READ_INPUT_TOKENS, d.audioCacheRead);
        if (d.imageInput) span.setAttribute(ATTR_TOKENLEDGER_USAGE_IMAGE_INPUT_TOKENS, d.imageInput);
        if (d.imageCacheRead) span.setAttribute(ATTR_TOKENLEDGER_USAGE_IMAGE_CACHE_READ_INPUT_TOKENS, d.imageCacheRead);
        if (d.videoInput) span.setAttribute(ATTR_TOKENLEDGER_USAGE_VIDEO_INPUT_TOKENS, d.videoInput);
        if (d.imageOutput) span.setAttribute(ATTR_TOKENLEDGER_USAGE_IMAGE_OUTPUT_TOKENS, d.imageOutput);
        if (d.cacheWrite1h) span.setAttribute(ATTR_TOKENLEDGER_USAGE_CACHE_CREATION_1H_INPUT_TOKENS, d.cacheWrite1h);
      }
    }
    if (extra) span.setAttributes(extra);
    if (errorType !== undefined) {
      span.setAttribute(ATTR_ERROR_TYPE, errorType);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    }
    span.end();
    const now = performance.now();
    this.metrics.record(
      this.start,
      this.responseModel,
      usage,
      errorType,
      (now - this.startMs) / 1000,
      this.firstChunkMs < 0 ? null : (this.firstChunkMs - this.startMs) / 1000,
    );
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
