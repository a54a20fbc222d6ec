import type { ServerResponse } from 'node:http';
import { type RecordedRequest, type RouteHandler, type Scenario, sendJson, sendSse } from '../http';

/**
 * The Gemini API (and the Vertex AI paths of the same methods), closely enough for the real
 * `@google/genai` and legacy `@google/generative-ai` SDKs: generateContent (JSON),
 * streamGenerateContent (SSE, `?alt=sse`), embedContent, batchEmbedContents and Imagen's predict.
 * Bodies follow the recorded exchanges in shared/fixtures/recorded/openllmetry (Gemini).
 *
 * Paths: `/{v1beta|v1|v1beta1}/[projects/{p}/locations/{l}/][publishers/{pub}/]models/{model}:{method}`.
 *
 * Usage numbers are a documented function of the request, so tests can assert them exactly:
 * - promptTokenCount = 10 × number of contents + characters of all text parts (contents and
 *   systemInstruction) ÷ 4 (floored) + the tokens of inline media: `inlineData` audio is 16 kHz
 *   16-bit mono PCM (32,000 bytes a second) at ⌈seconds × 32⌉ tokens, each image 258 tokens (as
 *   Gemini counts them); `promptTokensDetails` splits it into TEXT, AUDIO and IMAGE; it INCLUDES
 *   cachedContentTokenCount = `x-mock-cached-tokens` (default 0, never more than the prompt; the
 *   field is omitted when 0, as Gemini does);
 * - the reply is `Hello from <model>!` repeated `x-mock-repeat` times (default 1);
 *   candidatesTokenCount = words of the reply; thoughtsTokenCount = `x-mock-reasoning-tokens`
 *   (omitted when 0); toolUsePromptTokenCount = `x-mock-tool-use-tokens` (omitted when 0);
 *   totalTokenCount = prompt + tool use + candidates + thoughts;
 * - `x-mock-function-call: <name>` makes the model call that function (one functionCall part, no
 *   text, 5 candidates tokens) unless the last content already holds a functionResponse: the SDKs'
 *   automatic function calling then sends a second request, answered with text;
 * - streams send one word per chunk; every chunk carries usageMetadata with the candidates counted
 *   so far (as Gemini does), the last chunk has finishReason STOP and the final totals;
 * - embeddings: promptTokenCount = characters of each text ÷ 4 (floored), at least 1 per text;
 * - Imagen predict: `parameters.sampleCount` images (default 1), no token usage; Vertex predict for
 *   text embedding models (instances with `content`): token_count per instance as above.
 * Scenarios (`x-mock-scenario`): status=N answers with Gemini's error body, noUsage drops
 * usageMetadata, delayMs/cutAfter shape streams.
 */
const PATH = /^\/(v1beta1?|v1)\/(?:projects\/[^/]+\/locations\/[^/]+\/)?(?:publishers\/[^/]+\/)?models\/([^/:]+):([A-Za-z]+)$/;
const RESPONSE_ID = 'mockGeminiResponse0001';

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

function header(req: RecordedRequest, name: string): number {
  const value = Number(req.headers[name]);
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

function geminiError(res: ServerResponse, status: number): void {
  sendJson(res, status, { error: { code: status, message: `mock error ${status}`, status: STATUS_NAMES[status] ?? 'UNKNOWN' } });
}

interface Part {
  text?: unknown;
  functionResponse?: unknown;
  inlineData?: { mimeType?: unknown; data?: unknown };
}
interface Content {
  role?: string;
  parts?: Part[];
}

function textLength(content: Content | undefined): number {
  return (content?.parts ?? []).reduce((n, part) => n + (typeof part?.text === 'string' ? part.text.length : 0), 0);
}

const AUDIO_BYTES_PER_SECOND = 32_000;
const AUDIO_TOKENS_PER_SECOND = 32;
const IMAGE_TOKENS = 258;

/** The audio and image tokens of the inline media of some contents. */
function mediaTokens(contents: Content[]): { audio: number; image: number } {
  let audioBytes = 0;
  let image = 0;
  for (const part of contents.flatMap((c) => c?.parts ?? [])) {
    const mimeType = typeof part?.inlineData?.mimeType === 'string' ? part.inlineData.mimeType : '';
    const data = part?.inlineData?.data;
    if (mimeType.startsWith('audio/')) audioBytes += Buffer.from(typeof data === 'string' ? data : '', 'base64').length;
    else if (mimeType.startsWith('image/')) image += IMAGE_TOKENS;
  }
  return { audio: Math.ceil((audioBytes / AUDIO_BYTES_PER_SECOND) * AUDIO_TOKENS_PER_SECOND), image };
}

export interface GeminiUsage {
  prompt: number;
  /** The parts of the prompt by modality. */
  modalities: { text: number; audio: number; image: number };
  cached: number;
  toolUse: number;
  candidates: number;
  thoughts: number;
  reply: string;
}

/** The usage the mock reports for a generateContent request (see the header comment). */
export function geminiUsage(req: RecordedRequest, model: string): GeminiUsage {
  const body = (req.json ?? {}) as { contents?: Content[]; systemInstruction?: Content };
  const contents = body.contents ?? [];
  const chars = contents.reduce((n, c) => n + textLength(c), 0) + textLength(body.systemInstruction);
  const text = 10 * contents.length + Math.floor(chars / 4);
  const media = mediaTokens(contents);
  const prompt = text + media.audio + media.image;
  const reply = Array.from({ length: Math.max(1, header(req, 'x-mock-repeat')) }, () => `Hello from ${model}!`).join(' ');
  return {
    prompt,
    modalities: { text, ...media },
    cached: Math.min(prompt, header(req, 'x-mock-cached-tokens')),
    toolUse: header(req, 'x-mock-tool-use-tokens'),
    candidates: reply.split(' ').length,
    thoughts: header(req, 'x-mock-reasoning-tokens'),
    reply,
  };
}

function usageMetadata(u: GeminiUsage, candidates: number, final: boolean) {
  return {
    promptTokenCount: u.prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: u.prompt + u.toolUse + candidates + (final ? u.thoughts : 0),
    ...(u.cached ? { cachedContentTokenCount: u.cached } : {}),
    ...(u.toolUse ? { toolUsePromptTokenCount: u.toolUse } : {}),
    ...(final && u.thoughts ? { thoughtsTokenCount: u.thoughts } : {}),
    promptTokensDetails: [
      { modality: 'TEXT', tokenCount: u.modalities.text },
      ...(u.modalities.audio ? [{ modality: 'AUDIO', tokenCount: u.modalities.audio }] : []),
      ...(u.modalities.image ? [{ modality: 'IMAGE', tokenCount: u.modalities.image }] : []),
    ],
    ...(u.cached ? { cacheTokensDetails: [{ modality: 'TEXT', tokenCount: u.cached }] } : {}),
  };
}

/** The function the model should call now, if the request asks for one and has not answered it yet. */
function pendingFunctionCall(req: RecordedRequest): string | null {
  const name = req.headers['x-mock-function-call'];
  if (typeof name !== 'string' || !name) return null;
  const contents = (req.json as { contents?: Content[] } | undefined)?.contents ?? [];
  const answered = (contents.at(-1)?.parts ?? []).some((p) => p?.functionResponse !== undefined);
  return answered ? null : name;
}

const FUNCTION_CALL_TOKENS = 5;

const candidate = (text: string, finish: boolean) => ({ content: { parts: [{ text }], role: 'model' }, ...(finish ? { finishReason: 'STOP' } : {}), index: 0 });
const base = (model: string) => ({ modelVersion: model, responseId: RESPONSE_ID });

/** A generateContent response with text (also each inlined response of a batch). */
export function generateContentResponse(req: RecordedRequest, model: string, scenario: Scenario): Record<string, unknown> {
  const usage = geminiUsage(req, model);
  return {
    candidates: [{ ...candidate(usage.reply, true), avgLogprobs: -0.0421 }],
    ...(scenario.noUsage ? {} : { usageMetadata: usageMetadata(usage, usage.candidates, true) }),
    ...base(model),
  };
}

async function generateContent(req: RecordedRequest, res: ServerResponse, scenario: Scenario, model: string, stream: boolean): Promise<void> {
  const usage = geminiUsage(req, model);
  const functionCall = pendingFunctionCall(req);
  if (functionCall && !stream) {
    sendJson(res, 200, {
      candidates: [{ content: { parts: [{ functionCall: { name: functionCall, args: {} } }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: usageMetadata({ ...usage, candidates: FUNCTION_CALL_TOKENS, thoughts: 0 }, FUNCTION_CALL_TOKENS, true),
      modelVersion: model,
      responseId: RESPONSE_ID,
    });
    return;
  }
  if (!stream) {
    sendJson(res, 200, generateContentResponse(req, model, scenario));
    return;
  }
  const words = usage.reply.split(' ');
  const events = words.map((word, i) => {
    const last = i === words.length - 1;
    return {
      data: {
        candidates: [candidate(i === 0 ? word : ` ${word}`, last)],
        ...(scenario.noUsage ? {} : { usageMetadata: usageMetadata(usage, i + 1, last) }),
        ...base(model),
      },
    };
  });
  await sendSse(res, events, scenario);
}

function embeddingTokens(content: Content | undefined): number {
  return Math.max(1, Math.floor(textLength(content) / 4));
}

const VECTOR = [0.0023, -0.0094, 0.0152];

function embedContent(req: RecordedRequest, res: ServerResponse, scenario: Scenario): void {
  const body = (req.json ?? {}) as { content?: Content };
  const tokens = embeddingTokens(body.content);
  sendJson(res, 200, { embedding: { values: VECTOR }, ...(scenario.noUsage ? {} : { usageMetadata: { promptTokenCount: tokens, totalTokenCount: tokens } }) });
}

function batchEmbedContents(req: RecordedRequest, res: ServerResponse, scenario: Scenario): void {
  const body = (req.json ?? {}) as { requests?: { content?: Content }[] };
  const requests = body.requests ?? [];
  const tokens = requests.reduce((n, r) => n + embeddingTokens(r.content), 0);
  sendJson(res, 200, {
    embeddings: requests.map(() => ({ values: VECTOR })),
    ...(scenario.noUsage ? {} : { usageMetadata: { promptTokenCount: tokens, totalTokenCount: tokens } }),
  });
}

/** A 1×1 PNG, base64: real image bytes without bulk. */
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** Vertex AI's predict for text embedding models: one prediction per instance, with token statistics. */
function predictEmbeddings(req: RecordedRequest, res: ServerResponse): void {
  const body = (req.json ?? {}) as { instances?: { content?: unknown }[] };
  const instances = body.instances ?? [];
  const length = (content: unknown) => (typeof content === 'string' ? content.length : 0);
  const tokens = (content: unknown) => Math.max(1, Math.floor(length(content) / 4));
  sendJson(res, 200, {
    predictions: instances.map((i) => ({ embeddings: { values: VECTOR, statistics: { token_count: tokens(i.content), truncated: false } } })),
    metadata: { billableCharacterCount: instances.reduce((n, i) => n + length(i.content), 0) },
  });
}

function predict(req: RecordedRequest, res: ServerResponse): void {
  const instances = (req.json as { instances?: { content?: unknown }[] } | undefined)?.instances;
  if (instances?.[0]?.content !== undefined) predictEmbeddings(req, res);
  else predictImages(req, res);
}

function predictImages(req: RecordedRequest, res: ServerResponse): void {
  const body = (req.json ?? {}) as { parameters?: { sampleCount?: number; outputOptions?: { mimeType?: string } } };
  const count = Math.max(1, Math.floor(Number(body.parameters?.sampleCount ?? 1)) || 1);
  const mimeType = body.parameters?.outputOptions?.mimeType ?? 'image/png';
  sendJson(res, 200, { predictions: Array.from({ length: count }, () => ({ bytesBase64Encoded: PNG_1X1, mimeType })) });
}

export const geminiRoutes: RouteHandler = async (req, res, scenario) => {
  if (req.method !== 'POST') return false;
  const match = PATH.exec(req.path);
  if (!match) return false;
  const [, , model, method] = match;
  const known = ['generateContent', 'streamGenerateContent', 'embedContent', 'batchEmbedContents', 'predict'];
  if (!known.includes(method)) return false;
  if (scenario.status) {
    geminiError(res, scenario.status);
    return true;
  }
  if (method === 'generateContent') await generateContent(req, res, scenario, model, false);
  else if (method === 'streamGenerateContent') await generateContent(req, res, scenario, model, true);
  else if (method === 'embedContent') embedContent(req, res, scenario);
  else if (method === 'batchEmbedContents') batchEmbedContents(req, res, scenario);
  else predict(req, res);
  return true;
};
