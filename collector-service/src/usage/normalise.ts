import { createHash } from 'node:crypto';
import {
  ATTR_DEPLOYMENT_ENVIRONMENT,
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_SERVICE_NAME,
  canonicalProvider,
  COST_TYPES,
  type CostTypeName,
  CostType,
  GenAiOperation,
} from '@tokenledger/semconv';
import type { SpanInput } from '../ingest/span-input';
import { TEXT_BOUNDS } from './billable-bounds';
import { boundedText, InvalidSpanError, str } from './span-attributes';
import type { ExtractedUsage } from './sources';
import { NO_TOKEN_DETAILS, type UsageRecord } from './usage-record';

/** Read with Object.hasOwn: an operation named `constructor` or `__proto__` must find nothing. */
const COST_TYPE_BY_OPERATION: Record<string, CostTypeName> = {
  [GenAiOperation.CHAT]: CostType.LLM,
  [GenAiOperation.GENERATE_CONTENT]: CostType.LLM,
  [GenAiOperation.TEXT_COMPLETION]: CostType.LLM,
  [GenAiOperation.INVOKE_AGENT]: CostType.LLM,
  [GenAiOperation.EMBEDDINGS]: CostType.EMBEDDING,
  [GenAiOperation.IMAGE_GENERATION]: CostType.IMAGE,
  [GenAiOperation.AUDIO_TRANSCRIPTION]: CostType.AUDIO,
  [GenAiOperation.SPEECH]: CostType.SPEECH,
  [GenAiOperation.PAYMENT]: CostType.PAYMENT,
};

const NANOS_PER_MS = 1_000_000n;

/**
 * One record (not yet priced) from what a mapping extracted. Token counts are brought to the GenAI
 * convention: when a source reports input tokens smaller than its own cache counts, it reported
 * input excluding the cache (Anthropic's API does), so the cache is folded in; likewise reasoning
 * into output (Gemini reports thoughts apart from candidates).
 */
export function toRecord(u: ExtractedUsage, span: SpanInput, tenant: string): UsageRecord {
  const model = u.responseModel ?? u.requestModel ?? (u.operation === GenAiOperation.PAYMENT ? u.paymentGateway : null);
  if (!model) throw new InvalidSpanError('the span names no model (gen_ai.request.model or gen_ai.response.model)');
  const cached = u.cacheRead + u.cacheWrite;
  const input = u.input < cached ? u.input + cached : u.input;
  const output = u.output < u.reasoning ? u.output + u.reasoning : u.output;
  const costType =
    u.costType && (COST_TYPES as readonly string[]).includes(u.costType)
      ? (u.costType as CostTypeName)
      : Object.hasOwn(COST_TYPE_BY_OPERATION, u.operation)
        ? COST_TYPE_BY_OPERATION[u.operation]
        : CostType.OTHER;
  const startMs = Number(span.startTimeUnixNano / NANOS_PER_MS);
  const durationNs = span.endTimeUnixNano > span.startTimeUnixNano ? span.endTimeUnixNano - span.startTimeUnixNano : 0n;
  const failed = span.status.code === 2 || u.errorType !== null;
  const provider = canonicalProvider(u.provider ?? (u.operation === GenAiOperation.PAYMENT && u.paymentGateway ? u.paymentGateway : 'unknown'));
  return {
    id: recordId(span, tenant, provider, u),
    traceId: span.traceId,
    spanId: span.spanId,
    tenant,
    timeMs: startMs,
    service: str(span.resource, ATTR_SERVICE_NAME) ?? 'unknown_service',
    environment: str(span.resource, ATTR_DEPLOYMENT_ENVIRONMENT_NAME, ATTR_DEPLOYMENT_ENVIRONMENT),
    provider,
    model,
    requestModel: u.requestModel,
    operation: u.operation,
    costType,
    tokens: { input, output, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite, reasoning: u.reasoning },
    audioTokens: u.inputAudio > 0 || u.outputAudio > 0 ? { input: u.inputAudio, output: u.outputAudio } : null,
    tokenDetails: u.details === NO_TOKEN_DETAILS ? null : { ...u.details },
    imageCount: u.imageCount,
    imageSize: u.imageSize,
    imageQuality: u.imageQuality,
    audioSeconds: u.audioSeconds,
    characters: u.characters,
    paymentAmountUsd: u.paymentAmountUsd,
    paymentGateway: u.paymentGateway,
    // Also read from other instrumentations' metadata and association properties, which str() did not bound.
    user: u.user === null ? null : boundedText('the user id', u.user),
    agent: u.agent === null ? null : boundedText('the agent id', u.agent),
    conversation: u.conversation === null ? null : boundedText('the conversation id', u.conversation),
    feature: u.feature === null ? null : boundedText('the feature', u.feature),
    tags: u.tags,
    status: failed ? 'error' : 'ok',
    errorType: u.errorType ?? (failed ? shortened(span.status.message ?? '_OTHER') : null),
    durationMs: Number(durationNs / 1000n) / 1000,
    costNanos: null,
    unpricedReason: null,
    unitPrices: null,
    priceQuantities: null,
    priceMultiplier: null,
    priceSource: null,
    priceBookVersion: null,
    priorPricings: [],
    providedCostNanos: u.providedCostNanos,
    estimated: u.estimated,
    batch: u.batch,
    batchId: u.batchId,
    source: u.source,
  };
}

/** A description kept to its first characters: a status message can be a whole stack trace. */
function shortened(text: string): string {
  return text.length > TEXT_BOUNDS.errorMessageLength ? `${text.slice(0, TEXT_BOUNDS.errorMessageLength)}…` : text;
}

/**
 * The record's identity: its span (trace id + span id), so a span delivered twice is one record.
 * A batch result is the same call however often the results are read — polled again, downloaded
 * again, by another process — and each reading is a new span: its identity is the tenant, provider,
 * batch and request instead, in the same 48 hex characters (a result of a batch its reader did not
 * know carries a request id unique across batches).
 */
function recordId(span: SpanInput, tenant: string, provider: string, u: ExtractedUsage): string {
  if (!u.batch || u.batchRequestId === null) return span.traceId + span.spanId;
  return createHash('sha256')
    .update(`${tenant}\u0000${provider}\u0000${u.batchId ?? ''}\u0000${u.batchRequestId}`)
    .digest('hex')
    .slice(0, 48);
}
