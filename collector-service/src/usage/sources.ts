import * as sc from '@tokenledger/semconv';
import type { SpanInput } from '../ingest/span-input';
import { BILLABLE_BOUNDS } from './billable-bounds';
import { NO_TOKEN_DETAILS, type TokenDetails } from './usage-record';
import {
  bool,
  count,
  firstCount,
  type IgnoredValue,
  InvalidSpanError,
  num,
  partCount,
  str,
  tagsOf,
  usdAmount,
  usdDoubleNanos,
  usdNanos,
  withPrefix,
} from './span-attributes';

/** What a source mapping reads off one span, before pricing. Token counts follow the GenAI convention. */
export interface ExtractedUsage {
  source: string;
  provider: string | null;
  requestModel: string | null;
  responseModel: string | null;
  operation: string;
  costType: string | null;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
  /** Audio tokens, a part of input (priced at the audio input rate). */
  inputAudio: number;
  /** Audio tokens, a part of output (priced at the audio output rate). */
  outputAudio: number;
  /** Finer token details, each a part of a count above (see TokenDetails). */
  details: TokenDetails;
  imageCount: number | null;
  imageSize: string | null;
  imageQuality: string | null;
  audioSeconds: number | null;
  characters: number | null;
  paymentAmountUsd: string | null;
  paymentGateway: string | null;
  user: string | null;
  agent: string | null;
  conversation: string | null;
  feature: string | null;
  tags: Record<string, string>;
  errorType: string | null;
  /** A cost the emitter computed, nano-USD, kept beside ours (null when absent or unreadable). */
  providedCostNanos: bigint | null;
  /** Attribute values the span carried that could not be used (an unreadable provided cost). */
  ignoredValues: IgnoredValue[];
  estimated: boolean;
  batch: boolean;
  batchId: string | null;
  batchRequestId: string | null;
}

type Mapping = { name: string; claims(span: SpanInput): boolean; extract(span: SpanInput): ExtractedUsage | null };

const VERCEL_PROVIDER_CALL = /\.(doGenerate|doStream|doEmbed)$/;

function base(source: string, span: SpanInput): ExtractedUsage {
  const a = span.attributes;
  const ignoredValues: IgnoredValue[] = [];
  return {
    source,
    provider: null,
    requestModel: str(a, sc.ATTR_GEN_AI_REQUEST_MODEL),
    responseModel: str(a, sc.ATTR_GEN_AI_RESPONSE_MODEL),
    operation: str(a, sc.ATTR_GEN_AI_OPERATION_NAME) ?? sc.GenAiOperation.CHAT,
    costType: str(a, sc.ATTR_TOKENLEDGER_COST_TYPE),
    input: 0,
    output: 0,
    cacheRead: 0,
    cacheWrite: 0,
    reasoning: 0,
    inputAudio: 0,
    outputAudio: 0,
    details: NO_TOKEN_DETAILS,
    imageCount: count(a, sc.ATTR_TOKENLEDGER_IMAGE_COUNT, BILLABLE_BOUNDS.images),
    imageSize: str(a, sc.ATTR_TOKENLEDGER_IMAGE_SIZE),
    imageQuality: str(a, sc.ATTR_TOKENLEDGER_IMAGE_QUALITY),
    audioSeconds: num(a, sc.ATTR_TOKENLEDGER_AUDIO_SECONDS, BILLABLE_BOUNDS.audioSeconds),
    characters: count(a, sc.ATTR_TOKENLEDGER_SPEECH_CHARACTERS, BILLABLE_BOUNDS.characters),
    paymentAmountUsd: usdAmount(a, sc.ATTR_TOKENLEDGER_PAYMENT_AMOUNT, BILLABLE_BOUNDS.paymentNanos),
    paymentGateway: str(a, sc.ATTR_TOKENLEDGER_PAYMENT_GATEWAY),
    user: str(a, sc.ATTR_USER_ID),
    agent: str(a, sc.ATTR_GEN_AI_AGENT_ID, sc.ATTR_GEN_AI_AGENT_NAME),
    conversation: str(a, sc.ATTR_GEN_AI_CONVERSATION_ID),
    feature: str(a, sc.ATTR_TOKENLEDGER_FEATURE),
    tags: tagsOf(a, sc.ATTR_TOKENLEDGER_TAG_PREFIX),
    errorType: str(a, sc.ATTR_ERROR_TYPE),
    providedCostNanos: usdNanos(a, sc.ATTR_TOKENLEDGER_COST_PROVIDED_USD, BILLABLE_BOUNDS.costNanos, (ignored) => ignoredValues.push(ignored)),
    ignoredValues,
    estimated: bool(a, sc.ATTR_TOKENLEDGER_USAGE_ESTIMATED),
    batch: bool(a, sc.ATTR_TOKENLEDGER_BATCH),
    batchId: str(a, sc.ATTR_TOKENLEDGER_BATCH_ID),
    batchRequestId: str(a, sc.ATTR_TOKENLEDGER_BATCH_REQUEST_ID),
  };
}

/** The GenAI semantic conventions' token attributes (and the deprecated names older instrumentations still send). */
function semconvTokens(u: ExtractedUsage, span: SpanInput): void {
  const a = span.attributes;
  u.input = firstCount(a, sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS, sc.ATTR_GEN_AI_USAGE_PROMPT_TOKENS) ?? 0;
  u.output = firstCount(a, sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, sc.ATTR_GEN_AI_USAGE_COMPLETION_TOKENS) ?? 0;
  u.cacheRead = firstCount(a, sc.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, sc.OpenLLMetry.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS) ?? 0;
  u.cacheWrite = firstCount(a, sc.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, sc.OpenLLMetry.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS) ?? 0;
  u.reasoning = firstCount(a, sc.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, sc.OpenLLMetry.GEN_AI_USAGE_REASONING_TOKENS) ?? 0;
  u.inputAudio = partCount(a, sc.ATTR_TOKENLEDGER_USAGE_AUDIO_INPUT_TOKENS, u.input, sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS);
  u.outputAudio = partCount(a, sc.ATTR_TOKENLEDGER_USAGE_AUDIO_OUTPUT_TOKENS, u.output, sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS);
  u.provider = str(a, sc.ATTR_GEN_AI_PROVIDER_NAME, sc.ATTR_GEN_AI_SYSTEM);
  u.details = tokenDetails(a, u);
}

/**
 * tokenledger's finer token details (cached audio, image and video tokens, 1-hour cache writes): each
 * a part of a count the span already has, so one larger than its whole rejects the span by name.
 */
function tokenDetails(a: SpanInput['attributes'], u: ExtractedUsage): TokenDetails {
  if (!hasDetail(a)) return NO_TOKEN_DETAILS;
  const imageInput = partCount(a, sc.ATTR_TOKENLEDGER_USAGE_IMAGE_INPUT_TOKENS, u.input, sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS);
  const audioCacheRead = partCount(a, sc.ATTR_TOKENLEDGER_USAGE_AUDIO_CACHE_READ_INPUT_TOKENS, u.inputAudio, sc.ATTR_TOKENLEDGER_USAGE_AUDIO_INPUT_TOKENS);
  const imageCacheRead = partCount(a, sc.ATTR_TOKENLEDGER_USAGE_IMAGE_CACHE_READ_INPUT_TOKENS, imageInput, sc.ATTR_TOKENLEDGER_USAGE_IMAGE_INPUT_TOKENS);
  if (audioCacheRead + imageCacheRead > u.cacheRead) {
    throw new InvalidSpanError(
      `${sc.ATTR_TOKENLEDGER_USAGE_AUDIO_CACHE_READ_INPUT_TOKENS} + ${sc.ATTR_TOKENLEDGER_USAGE_IMAGE_CACHE_READ_INPUT_TOKENS} (${audioCacheRead + imageCacheRead}) must not exceed ${sc.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS} (${u.cacheRead}), which includes them`,
    );
  }
  return {
    audioCacheRead,
    imageInput,
    imageCacheRead,
    videoInput: partCount(a, sc.ATTR_TOKENLEDGER_USAGE_VIDEO_INPUT_TOKENS, u.input, sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS),
    imageOutput: partCount(a, sc.ATTR_TOKENLEDGER_USAGE_IMAGE_OUTPUT_TOKENS, u.output, sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS),
    cacheWrite1h: partCount(a, sc.ATTR_TOKENLEDGER_USAGE_CACHE_CREATION_1H_INPUT_TOKENS, u.cacheWrite, sc.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS),
  };
}

const DETAIL_ATTRIBUTES = [
  sc.ATTR_TOKENLEDGER_USAGE_AUDIO_CACHE_READ_INPUT_TOKENS,
  sc.ATTR_TOKENLEDGER_USAGE_IMAGE_INPUT_TOKENS,
  sc.ATTR_TOKENLEDGER_USAGE_IMAGE_CACHE_READ_INPUT_TOKENS,
  sc.ATTR_TOKENLEDGER_USAGE_VIDEO_INPUT_TOKENS,
  sc.ATTR_TOKENLEDGER_USAGE_IMAGE_OUTPUT_TOKENS,
  sc.ATTR_TOKENLEDGER_USAGE_CACHE_CREATION_1H_INPUT_TOKENS,
];

/** Most spans have no detail: one look per name, and the common case allocates nothing. */
function hasDetail(a: SpanInput['attributes']): boolean {
  for (let i = 0; i < DETAIL_ATTRIBUTES.length; i++) if (a[DETAIL_ATTRIBUTES[i]] !== undefined) return true;
  return false;
}

const ours: Mapping = {
  name: 'tokenledger',
  claims: (span) => span.scope.name.startsWith('@tokenledger/'),
  extract(span) {
    const u = base('tokenledger', span);
    semconvTokens(u, span);
    return u;
  },
};

const openLit: Mapping = {
  name: 'openlit',
  claims: (span) => span.attributes[sc.OpenLit.GEN_AI_USAGE_COST] !== undefined || span.scope.name.toLowerCase().startsWith('openlit'),
  extract(span) {
    const u = base('openlit', span);
    semconvTokens(u, span);
    const cost = usdDoubleNanos(span.attributes, sc.OpenLit.GEN_AI_USAGE_COST, BILLABLE_BOUNDS.costNanos, (ignored) => u.ignoredValues.push(ignored));
    if (cost !== null) u.providedCostNanos = cost;
    return u;
  },
};

const openLlmetry: Mapping = {
  name: 'openllmetry',
  claims: (span) =>
    span.scope.name.startsWith('@traceloop/') ||
    span.attributes[sc.OpenLLMetry.LLM_REQUEST_TYPE] !== undefined ||
    span.attributes[sc.OpenLLMetry.LLM_USAGE_TOTAL_TOKENS] !== undefined,
  extract(span) {
    const u = base('openllmetry', span);
    semconvTokens(u, span);
    const type = str(span.attributes, sc.OpenLLMetry.LLM_REQUEST_TYPE);
    if (!str(span.attributes, sc.ATTR_GEN_AI_OPERATION_NAME) && type) {
      u.operation = type === 'embedding' ? sc.GenAiOperation.EMBEDDINGS : type === 'completion' ? sc.GenAiOperation.TEXT_COMPLETION : sc.GenAiOperation.CHAT;
    }
    const association = withPrefix(span.attributes, sc.OpenLLMetry.ASSOCIATION_PROPERTIES_PREFIX);
    u.user ??= association.user_id ?? association.userId ?? null;
    u.conversation ??= association.session_id ?? association.sessionId ?? null;
    return u;
  },
};

const openInference: Mapping = {
  name: 'openinference',
  claims: (span) => span.attributes[sc.OpenInference.SPAN_KIND] !== undefined,
  extract(span) {
    const a = span.attributes;
    const kind = str(a, sc.OpenInference.SPAN_KIND)?.toUpperCase();
    if (kind !== 'LLM' && kind !== 'EMBEDDING') return null; // chains, tools, agents carry no call of their own
    const u = base('openinference', span);
    u.operation = kind === 'EMBEDDING' ? sc.GenAiOperation.EMBEDDINGS : sc.GenAiOperation.CHAT;
    u.provider = str(a, sc.OpenInference.LLM_PROVIDER, sc.OpenInference.LLM_SYSTEM);
    u.requestModel = str(a, sc.OpenInference.LLM_MODEL_NAME, sc.OpenInference.EMBEDDING_MODEL_NAME);
    u.responseModel = null;
    u.input = count(a, sc.OpenInference.LLM_TOKEN_COUNT_PROMPT) ?? 0;
    u.output = count(a, sc.OpenInference.LLM_TOKEN_COUNT_COMPLETION) ?? 0;
    u.cacheRead = count(a, sc.OpenInference.LLM_TOKEN_COUNT_PROMPT_CACHE_READ) ?? 0;
    u.cacheWrite = count(a, sc.OpenInference.LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE) ?? 0;
    u.reasoning = count(a, sc.OpenInference.LLM_TOKEN_COUNT_COMPLETION_REASONING) ?? 0;
    u.inputAudio = partCount(a, sc.OpenInference.LLM_TOKEN_COUNT_PROMPT_AUDIO, u.input, sc.OpenInference.LLM_TOKEN_COUNT_PROMPT);
    u.outputAudio = partCount(a, sc.OpenInference.LLM_TOKEN_COUNT_COMPLETION_AUDIO, u.output, sc.OpenInference.LLM_TOKEN_COUNT_COMPLETION);
    u.conversation ??= str(a, sc.OpenInference.SESSION_ID);
    return u;
  },
};

const vercelAi: Mapping = {
  name: 'vercel-ai',
  claims: (span) => span.attributes[sc.VercelAi.OPERATION_ID] !== undefined,
  extract(span) {
    const a = span.attributes;
    const operationId = str(a, sc.VercelAi.OPERATION_ID) ?? '';
    // Only the provider-call spans carry one call's usage; their parents (ai.generateText, ...) repeat it.
    if (!VERCEL_PROVIDER_CALL.test(operationId)) return null;
    const u = base('vercel-ai', span);
    u.operation = operationId.endsWith('.doEmbed') ? sc.GenAiOperation.EMBEDDINGS : sc.GenAiOperation.CHAT;
    u.provider = str(a, sc.VercelAi.MODEL_PROVIDER, sc.ATTR_GEN_AI_SYSTEM);
    u.requestModel = str(a, sc.VercelAi.MODEL_ID, sc.ATTR_GEN_AI_REQUEST_MODEL);
    u.responseModel = str(a, sc.VercelAi.RESPONSE_MODEL, sc.ATTR_GEN_AI_RESPONSE_MODEL);
    u.input = firstCount(a, sc.VercelAi.USAGE_INPUT_TOKENS, sc.VercelAi.USAGE_PROMPT_TOKENS, sc.VercelAi.USAGE_TOKENS, sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS) ?? 0;
    u.output = firstCount(a, sc.VercelAi.USAGE_OUTPUT_TOKENS, sc.VercelAi.USAGE_COMPLETION_TOKENS, sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS) ?? 0;
    u.cacheRead = count(a, sc.VercelAi.USAGE_CACHED_INPUT_TOKENS) ?? 0;
    u.reasoning = count(a, sc.VercelAi.USAGE_REASONING_TOKENS) ?? 0;
    const metadata = withPrefix(a, sc.VercelAi.TELEMETRY_METADATA_PREFIX);
    u.user ??= metadata.userId ?? metadata.user_id ?? null;
    u.agent ??= metadata.agentId ?? metadata.agent_id ?? null;
    u.conversation ??= metadata.conversationId ?? metadata.sessionId ?? null;
    u.feature ??= metadata.feature ?? null;
    return u;
  },
};

/** The instrumentation scope of the Vercel AI SDK's own OpenTelemetry integration (AI SDK 7+). */
const VERCEL_AI_SCOPE = 'ai';

const genAiSemconv: Mapping = {
  name: 'genai-semconv',
  claims: () => true,
  extract(span) {
    const u = base('genai-semconv', span);
    semconvTokens(u, span);
    // The AI SDK wraps each provider call (which carries the usage) in a span of the same operation
    // without usage, e.g. `embeddings` around `embeddings`: only the inner one is a call.
    if (span.scope.name === VERCEL_AI_SCOPE && !hasAnyUsage(u)) return null;
    return u;
  },
};

/**
 * Operations that are not one model call: agents and tools, Realtime and Live sessions, batch jobs.
 * An `invoke_agent` span may sum the usage of the calls inside it (the AI SDK's does), and a session
 * or a batch is made of calls that are recorded each on its own (each `response.done`, each turn,
 * each batch result), so counting it would count those calls twice.
 */
const NOT_A_MODEL_CALL = new Set<string>([
  sc.GenAiOperation.CREATE_AGENT,
  sc.GenAiOperation.INVOKE_AGENT,
  sc.GenAiOperation.EXECUTE_TOOL,
  'agent_step',
  'invoke_workflow',
  sc.GenAiOperation.SESSION,
  sc.GenAiOperation.BATCH,
]);

export function isModelCall(u: ExtractedUsage): boolean {
  return !NOT_A_MODEL_CALL.has(u.operation);
}

/**
 * Whether the span reported anything billable: tokens, images, audio, characters, a payment or a
 * readable cost. The one test both for wrapper spans that are not calls and for `missing_usage`.
 */
export function hasAnyUsage(u: ExtractedUsage): boolean {
  return (
    u.input + u.output + u.cacheRead + u.cacheWrite + u.reasoning > 0 ||
    u.imageCount !== null ||
    u.audioSeconds !== null ||
    u.characters !== null ||
    u.paymentAmountUsd !== null ||
    u.providedCostNanos !== null
  );
}

/**
 * The spans `@anthropic-ai/sdk` 1.x emits itself (scope `com.anthropic.sdk.typescript`) describe the
 * HTTP call and carry output and cache tokens but no input tokens, so they cannot be priced; counted,
 * they would also double the call tokenledger's Anthropic instrumentation records around them.
 * They stay useful in a trace viewer; the cost comes from the instrumentation's span.
 */
const anthropicSdkNative: Mapping = {
  name: 'anthropic-sdk',
  claims: (span) => span.scope.name.startsWith('com.anthropic.sdk'),
  extract: () => null,
};

/** Tried in this order; the first that claims a span maps it (or says it is not a call, with null). */
export const MAPPINGS: readonly Mapping[] = [anthropicSdkNative, vercelAi, openInference, ours, openLit, openLlmetry, genAiSemconv];

/** Any of these marks a span as GenAI; everything else is ignored without further work. */
const GENAI_MARKERS = [
  sc.ATTR_GEN_AI_OPERATION_NAME,
  sc.ATTR_GEN_AI_PROVIDER_NAME,
  sc.ATTR_GEN_AI_SYSTEM,
  sc.ATTR_GEN_AI_REQUEST_MODEL,
  sc.OpenInference.SPAN_KIND,
  sc.VercelAi.OPERATION_ID,
  sc.OpenLLMetry.LLM_REQUEST_TYPE,
];

export function isGenAiSpan(span: SpanInput): boolean {
  const a = span.attributes;
  for (let i = 0; i < GENAI_MARKERS.length; i++) if (a[GENAI_MARKERS[i]] !== undefined) return true;
  return false;
}
