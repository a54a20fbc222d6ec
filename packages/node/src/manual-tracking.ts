import { type Attributes, type MeterProvider, metrics, trace } from '@opentelemetry/api';
import { GenAiCall, GenAiMetrics, type Usage } from '@tokenledger/instrumentation-common';
import * as sc from '@tokenledger/semconv';
import { type Attribution, attributionEntries, checkAttribution } from './attribution';
import * as v from './validate';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version';

/** What every manual tracking call may add: attribution (over the context's), a provided cost, metadata, a failure. */
export interface TrackCommon extends Attribution {
  /** What the call cost according to the app (USD, a decimal string like "0.0042"), kept as the provided cost beside the price book's. */
  cost?: string | number;
  /** Free-form details, stored as JSON on the span (`tokenledger.metadata`). */
  metadata?: Record<string, unknown>;
  /** The call failed with this error (its class or HTTP status becomes `error.type`). */
  error?: unknown;
}

export interface TrackLLMCall extends TrackCommon {
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** Part of inputTokens served from a prompt cache. */
  cacheReadTokens?: number;
  /** Part of inputTokens written to a prompt cache. */
  cacheWriteTokens?: number;
  /** Part of outputTokens spent on reasoning. */
  reasoningTokens?: number;
  /** `chat` (default), `text_completion` or `generate_content`. */
  operation?: string;
}

export interface TrackEmbedding extends TrackCommon {
  provider: string;
  model: string;
  tokens: number;
}

export interface TrackImageGeneration extends TrackCommon {
  provider: string;
  model: string;
  /** `WIDTHxHEIGHT`, e.g. `1024x1024`. */
  resolution?: string;
  /** Images made (default 1). */
  count?: number;
  quality?: string;
  inputTokens?: number;
  outputTokens?: number;
}

export interface TrackAudio extends TrackCommon {
  provider: string;
  model: string;
  /** Seconds of audio transcribed or translated (speech to text). */
  seconds?: number;
  /** Characters turned into speech (text to speech). */
  characters?: number;
  inputTokens?: number;
  outputTokens?: number;
}

export interface TrackPaymentFee extends TrackCommon {
  /** `stripe`, `mercadopago`, ... (the price book's fee schedules). */
  gateway: string;
  /** The amount charged, in USD: a decimal string like "10.00". */
  amount: string | number;
}

const LLM_OPERATIONS: readonly string[] = [sc.GenAiOperation.CHAT, sc.GenAiOperation.TEXT_COMPLETION, sc.GenAiOperation.GENERATE_CONTENT];
const RESOLUTION = /^\d+x\d+$/;

let genAiMetrics: { provider: MeterProvider; metrics: GenAiMetrics } | null = null;

/** The GenAI metrics on the global meter provider (re-created if the app registers a new one). */
function currentMetrics(): GenAiMetrics {
  const provider = metrics.getMeterProvider();
  if (genAiMetrics?.provider !== provider) genAiMetrics = { provider, metrics: new GenAiMetrics(provider.getMeter(PACKAGE_NAME, PACKAGE_VERSION)) };
  return genAiMetrics.metrics;
}

function commonAttributes(fn: string, o: TrackCommon, costType: string): Attributes {
  const attribution: Attribution = { userId: o.userId, agentId: o.agentId, conversationId: o.conversationId, feature: o.feature, tags: o.tags };
  checkAttribution(attribution, fn);
  const attributes: Attributes = { ...attributionEntries(attribution), [sc.ATTR_TOKENLEDGER_COST_TYPE]: costType };
  const cost = v.usd(fn, 'cost', o.cost, false);
  if (cost !== undefined) attributes[sc.ATTR_TOKENLEDGER_COST_PROVIDED_USD] = cost;
  const meta = v.metadata(fn, o.metadata);
  if (meta !== undefined) attributes[sc.ATTR_TOKENLEDGER_METADATA] = meta;
  return attributes;
}

function checkParts(fn: string, usage: Usage): void {
  if ((usage.cacheRead ?? 0) + (usage.cacheWrite ?? 0) > (usage.input ?? 0))
    throw new TypeError(`${fn}: cacheReadTokens + cacheWriteTokens must not exceed inputTokens (input tokens include cached ones)`);
  if ((usage.reasoning ?? 0) > (usage.output ?? 0))
    throw new TypeError(`${fn}: reasoningTokens must not exceed outputTokens (output tokens include reasoning)`);
}

/** One finished GenAI span plus its metrics, exactly as an SDK patch would emit them. */
function emit(operation: string, provider: string, model: string, attributes: Attributes, usage: Usage | null, error: unknown): void {
  const call = new GenAiCall(trace.getTracer(PACKAGE_NAME, PACKAGE_VERSION), currentMetrics(), {
    operation,
    provider,
    requestModel: model,
    serverAddress: null,
    serverPort: null,
    attributes,
  });
  call.end(usage, error);
}

/** Records an LLM call no SDK patch saw (a local model, a provider without an instrumented SDK). */
export function trackLLMCall(options: TrackLLMCall): void {
  const fn = 'trackLLMCall';
  const o = v.requireObject(fn, options) as unknown as TrackLLMCall;
  const provider = v.requiredString(fn, 'provider', o.provider);
  const model = v.requiredString(fn, 'model', o.model);
  const operation = v.optionalString(fn, 'operation', o.operation) ?? sc.GenAiOperation.CHAT;
  if (!LLM_OPERATIONS.includes(operation))
    throw new TypeError(`${fn}: operation must be one of ${LLM_OPERATIONS.join(', ')}, got ${JSON.stringify(operation)}`);
  const usage: Usage = {
    input: v.count(fn, 'inputTokens', o.inputTokens, true),
    output: v.count(fn, 'outputTokens', o.outputTokens, true),
    cacheRead: v.count(fn, 'cacheReadTokens', o.cacheReadTokens, false),
    cacheWrite: v.count(fn, 'cacheWriteTokens', o.cacheWriteTokens, false),
    reasoning: v.count(fn, 'reasoningTokens', o.reasoningTokens, false),
  };
  checkParts(fn, usage);
  emit(operation, provider, model, commonAttributes(fn, o, sc.CostType.LLM), usage, o.error);
}

/** Records an embeddings call (e.g. a local embedding model). */
export function trackEmbedding(options: TrackEmbedding): void {
  const fn = 'trackEmbedding';
  const o = v.requireObject(fn, options) as unknown as TrackEmbedding;
  const provider = v.requiredString(fn, 'provider', o.provider);
  const model = v.requiredString(fn, 'model', o.model);
  const usage: Usage = { input: v.count(fn, 'tokens', o.tokens, true) };
  emit(sc.GenAiOperation.EMBEDDINGS, provider, model, commonAttributes(fn, o, sc.CostType.EMBEDDING), usage, o.error);
}

/** Records generated images (AI Horde, a local FastSD, any image API without an instrumented SDK). */
export function trackImageGeneration(options: TrackImageGeneration): void {
  const fn = 'trackImageGeneration';
  const o = v.requireObject(fn, options) as unknown as TrackImageGeneration;
  const provider = v.requiredString(fn, 'provider', o.provider);
  const model = v.requiredString(fn, 'model', o.model);
  const resolution = v.optionalString(fn, 'resolution', o.resolution);
  if (resolution !== undefined && !RESOLUTION.test(resolution))
    throw new TypeError(`${fn}: resolution must be WIDTHxHEIGHT like "1024x1024", got ${JSON.stringify(resolution)}`);
  const images = v.count(fn, 'count', o.count, false) ?? 1;
  const quality = v.optionalString(fn, 'quality', o.quality);
  const attributes = commonAttributes(fn, o, sc.CostType.IMAGE);
  attributes[sc.ATTR_TOKENLEDGER_IMAGE_COUNT] = images;
  if (resolution !== undefined) attributes[sc.ATTR_TOKENLEDGER_IMAGE_SIZE] = resolution;
  if (quality !== undefined) attributes[sc.ATTR_TOKENLEDGER_IMAGE_QUALITY] = quality;
  const input = v.count(fn, 'inputTokens', o.inputTokens, false);
  const output = v.count(fn, 'outputTokens', o.outputTokens, false);
  emit(sc.GenAiOperation.IMAGE_GENERATION, provider, model, attributes, input === undefined && output === undefined ? null : { input, output }, o.error);
}

/** Records speech to text (`seconds`) or text to speech (`characters`). */
export function trackAudio(options: TrackAudio): void {
  const fn = 'trackAudio';
  const o = v.requireObject(fn, options) as unknown as TrackAudio;
  const provider = v.requiredString(fn, 'provider', o.provider);
  const model = v.requiredString(fn, 'model', o.model);
  const seconds = v.quantity(fn, 'seconds', o.seconds, false);
  const characters = v.count(fn, 'characters', o.characters, false);
  if (seconds === undefined && characters === undefined) throw new TypeError(`${fn}: seconds (speech to text) or characters (text to speech) is required`);
  if (seconds !== undefined && characters !== undefined) throw new TypeError(`${fn}: give seconds (speech to text) or characters (text to speech), not both`);
  const speech = characters !== undefined;
  const attributes = commonAttributes(fn, o, speech ? sc.CostType.SPEECH : sc.CostType.AUDIO);
  if (speech) attributes[sc.ATTR_TOKENLEDGER_SPEECH_CHARACTERS] = characters;
  else attributes[sc.ATTR_TOKENLEDGER_AUDIO_SECONDS] = seconds!;
  const input = v.count(fn, 'inputTokens', o.inputTokens, false);
  const output = v.count(fn, 'outputTokens', o.outputTokens, false);
  emit(
    speech ? sc.GenAiOperation.SPEECH : sc.GenAiOperation.AUDIO_TRANSCRIPTION,
    provider,
    model,
    attributes,
    input === undefined && output === undefined ? null : { input, output },
    o.error,
  );
}

/** Records a payment gateway's fee on an amount charged; the collector prices it from the gateway's fee schedule. */
export function trackPaymentFee(options: TrackPaymentFee): void {
  const fn = 'trackPaymentFee';
  const o = v.requireObject(fn, options) as unknown as TrackPaymentFee;
  const gateway = v.requiredString(fn, 'gateway', o.gateway).toLowerCase();
  const amount = v.usd(fn, 'amount', o.amount, true)!;
  const attributes = commonAttributes(fn, o, sc.CostType.PAYMENT);
  attributes[sc.ATTR_TOKENLEDGER_PAYMENT_GATEWAY] = gateway;
  attributes[sc.ATTR_TOKENLEDGER_PAYMENT_AMOUNT] = amount;
  emit(sc.GenAiOperation.PAYMENT, gateway, gateway, attributes, null, o.error);
}
