import type { Attributes } from '@opentelemetry/api';
import { numberParams, readNumberParams, type Usage, type UsageDetails } from '@tokenledger/instrumentation-common';
import * as sc from '@tokenledger/semconv';

/** Tokens of one modality (`TEXT`, `IMAGE`, `AUDIO`, `VIDEO`, `DOCUMENT`). */
export interface ModalityTokenCount {
  modality?: string;
  tokenCount?: number;
}

/** `usageMetadata` of a Gemini response (or a Live server message), as both SDKs pass it through from the API. */
export interface UsageMetadata {
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  candidatesTokenCount?: number;
  /** The Live API's name for the candidates' tokens. */
  responseTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
  promptTokensDetails?: ModalityTokenCount[];
  cacheTokensDetails?: ModalityTokenCount[];
  candidatesTokensDetails?: ModalityTokenCount[];
  responseTokensDetails?: ModalityTokenCount[];
}

export interface GeminiResponse {
  responseId?: string;
  modelVersion?: string;
  candidates?: { finishReason?: string; content?: unknown }[];
  usageMetadata?: UsageMetadata;
}

/**
 * Gemini's usage in the GenAI conventions' terms.
 *
 * - input = promptTokenCount (+ toolUsePromptTokenCount). Gemini's promptTokenCount already
 *   includes the cached part (cachedContentTokenCount), which is exactly the convention's
 *   "input includes cache reads", so the cached count is only copied to
 *   `gen_ai.usage.cache_read.input_tokens`, never added. Tool-use prompt tokens (results of
 *   Google Search, code execution, URL context fed back to the model) are billed as input and
 *   counted in totalTokenCount, so they are input too; without them input + output would fall short
 *   of totalTokenCount and of the bill.
 * - output = candidatesTokenCount + thoughtsTokenCount. Gemini reports thinking tokens beside the
 *   candidates, not inside them, but bills them as output; the convention's output includes
 *   reasoning. The official OpenTelemetry google-genai instrumentation (opentelemetry-python-contrib,
 *   through its GenAI utils) does the same: output = candidates + thoughts, thoughts also as
 *   reasoning, cached content as cache reads.
 *
 * - Per modality, where the details report it (priced apart where the rates differ): audio, image
 *   and video input (cached audio and images apart; cached video stays in the cache reads, priced
 *   as them), audio and image output. The Live API names the candidates `response`.
 *
 * Missing fields stay missing (a streamed chunk before the last may lack candidatesTokenCount).
 */
export function usageOfGemini(u: UsageMetadata | undefined | null): Usage | null {
  if (!u || typeof u !== 'object') return null;
  const prompt = num(u.promptTokenCount);
  const toolUse = num(u.toolUsePromptTokenCount);
  const candidates = num(u.candidatesTokenCount) ?? num(u.responseTokenCount);
  const thoughts = num(u.thoughtsTokenCount);
  const usage: Usage = {
    input: prompt === undefined && toolUse === undefined ? undefined : (prompt ?? 0) + (toolUse ?? 0),
    output: candidates === undefined && thoughts === undefined ? undefined : (candidates ?? 0) + (thoughts ?? 0),
    cacheRead: num(u.cachedContentTokenCount),
    reasoning: thoughts,
  };
  if (u.promptTokensDetails || u.candidatesTokensDetails || u.responseTokensDetails) addModalities(usage, u);
  return usage;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The tokens of one modality in a details list (absent: undefined). */
function modality(details: ModalityTokenCount[] | undefined, name: string): number | undefined {
  if (!Array.isArray(details)) return undefined;
  let total: number | undefined;
  for (const d of details) if (d?.modality === name && num(d.tokenCount) !== undefined) total = (total ?? 0) + d.tokenCount!;
  return total;
}

function addModalities(usage: Usage, u: UsageMetadata): void {
  const output = u.candidatesTokensDetails ?? u.responseTokensDetails;
  const audioInput = modality(u.promptTokensDetails, 'AUDIO');
  const audioOutput = modality(output, 'AUDIO');
  if (audioInput) usage.audioInput = audioInput;
  if (audioOutput) usage.audioOutput = audioOutput;
  const details: UsageDetails = {};
  const set = (key: keyof UsageDetails, value: number | undefined) => {
    if (value) details[key] = value;
  };
  set('audioCacheRead', modality(u.cacheTokensDetails, 'AUDIO'));
  set('imageInput', modality(u.promptTokensDetails, 'IMAGE'));
  set('imageCacheRead', modality(u.cacheTokensDetails, 'IMAGE'));
  set('videoInput', Math.max(0, (modality(u.promptTokensDetails, 'VIDEO') ?? 0) - (modality(u.cacheTokensDetails, 'VIDEO') ?? 0)));
  set('imageOutput', modality(output, 'IMAGE'));
  if (Object.keys(details).length > 0) usage.details = details;
}

/** Finish reasons as the conventions spell them: lower case (`STOP` → `stop`, `MAX_TOKENS` → `max_tokens`). */
export function finishReasonsOf(r: GeminiResponse): string[] {
  return (r.candidates ?? []).map((c) => (typeof c?.finishReason === 'string' ? c.finishReason.toLowerCase() : '')).filter(Boolean);
}

/**
 * The model id without its resource path: `models/gemini-2.5-flash`,
 * `publishers/google/models/gemini-2.5-flash` and `projects/p/locations/l/publishers/google/models/x`
 * all name the model the price book knows as the last segment.
 */
export function modelId(model: unknown): string {
  if (typeof model !== 'string' || !model) return 'unknown';
  const at = model.lastIndexOf('models/');
  return at >= 0 ? model.slice(at + 'models/'.length) : model;
}

/** Generation settings (`config` in @google/genai, `generationConfig` in the legacy SDK) → request attributes. */
const GENERATION_PARAMS = numberParams([
  ['temperature', sc.ATTR_GEN_AI_REQUEST_TEMPERATURE],
  ['topP', sc.ATTR_GEN_AI_REQUEST_TOP_P],
  ['topK', sc.ATTR_GEN_AI_REQUEST_TOP_K],
  ['maxOutputTokens', sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS],
  ['candidateCount', sc.ATTR_GEN_AI_REQUEST_CHOICE_COUNT],
  ['presencePenalty', sc.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY],
  ['frequencyPenalty', sc.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY],
  ['seed', sc.ATTR_GEN_AI_REQUEST_SEED],
]);

export function generationAttributes(config: Record<string, unknown> | undefined): Attributes {
  const attributes: Attributes = {};
  if (!config || typeof config !== 'object') return attributes;
  readNumberParams(config, GENERATION_PARAMS, attributes);
  if (Array.isArray(config.stopSequences)) attributes[sc.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = config.stopSequences.map(String);
  if (config.responseMimeType === 'application/json') attributes[sc.ATTR_GEN_AI_OUTPUT_TYPE] = sc.GenAiOutputType.JSON;
  return attributes;
}

/** Embedding usage: Gemini API's usageMetadata, else the per-embedding token statistics Vertex AI's predict returns. */
export function usageOfEmbeddings(r: { usageMetadata?: UsageMetadata; embeddings?: { statistics?: { tokenCount?: number } }[] }): Usage | null {
  const fromMetadata = usageOfGemini(r?.usageMetadata);
  if (fromMetadata?.input !== undefined) return { input: fromMetadata.input };
  const counts = (r?.embeddings ?? []).map((e) => e?.statistics?.tokenCount).filter((n): n is number => typeof n === 'number');
  return counts.length ? { input: counts.reduce((a, b) => a + b, 0) } : null;
}
