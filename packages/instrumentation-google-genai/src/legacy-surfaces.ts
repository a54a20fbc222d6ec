import type { Attributes } from '@opentelemetry/api';
import {
  type GenAiCall,
  type GenAiSurfaceContext as SurfaceContext,
  guard,
  type SdkMethod,
  targetOfUrl,
  targetPerClient,
} from '@tokenledger/instrumentation-common';
import * as sc from '@tokenledger/semconv';
import { inputContent, outputContent, StreamedText } from './content';
import { ESTIMATED, estimateEmbeddings, estimateGeneration, geminiText } from './estimate';
import { finishReasonsOf, type GeminiResponse, generationAttributes, modelId, usageOfEmbeddings, usageOfGemini } from './gemini-response';
import { observeGeneratorInPlace } from './stream';

/** `this` of the patched methods: a legacy `GenerativeModel`. */
export interface GenerativeModel {
  model?: string;
  generationConfig?: Record<string, unknown>;
  systemInstruction?: unknown;
  _requestOptions?: { baseUrl?: string };
}
/** Every patched method takes `(request, requestOptions?)`. */
export type LegacyArgs = [request: unknown, requestOptions?: { baseUrl?: string }];

/** The legacy SDK only speaks the Gemini API (Vertex AI had its own SDK). */
const DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

const targetOfModel = targetPerClient<GenerativeModel>((_model, baseUrl) => targetOfUrl(baseUrl, sc.GenAiProvider.GCP_GEMINI));
const target = (self: GenerativeModel, args?: LegacyArgs) => targetOfModel(self, args?.[1]?.baseUrl ?? self?._requestOptions?.baseUrl ?? DEFAULT_BASE_URL);

/** The request's own contents and generation config (it may be a string, parts, or a full request). */
function requestParts(request: unknown): { contents: unknown; generationConfig?: Record<string, unknown>; systemInstruction?: unknown } {
  if (request && typeof request === 'object' && !Array.isArray(request) && 'contents' in request) {
    const r = request as { contents: unknown; generationConfig?: Record<string, unknown>; systemInstruction?: unknown };
    return { contents: r.contents, generationConfig: r.generationConfig, systemInstruction: r.systemInstruction };
  }
  return { contents: request };
}

function generateRequestAttributes(self: GenerativeModel, [request]: LegacyArgs, ctx: SurfaceContext): Attributes {
  const own = requestParts(request);
  return {
    ...generationAttributes({ ...self?.generationConfig, ...own.generationConfig }),
    ...inputContent(ctx.captureContent(), own.contents, own.systemInstruction ?? self?.systemInstruction),
  };
}

/** Ends a generation with its usage, or an estimate (marked) when the response reported none. */
function endGeneration(call: GenAiCall, r: GeminiResponse, self: GenerativeModel, request: unknown, content: Attributes | undefined): void {
  call.response({ id: r?.responseId, model: r?.modelVersion, finishReasons: finishReasonsOf(r) });
  const usage = usageOfGemini(r?.usageMetadata);
  if (usage) return call.end(usage, undefined, content);
  const own = requestParts(request);
  const prompt = [own.contents, own.systemInstruction ?? self?.systemInstruction];
  const output = geminiText((r?.candidates ?? []).map((c) => c?.content));
  call.end(estimateGeneration(modelId(self?.model), prompt, output), undefined, { ...content, ...ESTIMATED });
}

/** What generateContent and generateContentStream share: all but how their result is read. */
const generation: Omit<SdkMethod<GenerativeModel, LegacyArgs>, 'onResult'> = {
  operation: sc.GenAiOperation.GENERATE_CONTENT,
  returns: 'promise',
  target: (self, args) => target(self, args),
  model: (self) => modelId(self?.model),
  requestAttributes: generateRequestAttributes,
};

export const legacyGenerateContentSurface: SdkMethod<GenerativeModel, LegacyArgs> = {
  ...generation,
  onResult(value, call, [request], ctx, self) {
    const r = (value as { response?: GeminiResponse })?.response ?? {};
    endGeneration(call, r, self, request, outputContent(ctx.captureContent(), r));
  },
};

/**
 * `{ stream, response }`: the SDK tees the body, `stream` yielding chunks and `response` resolving to
 * the aggregate once the whole body has arrived (even if the app stops reading `stream`). The stream
 * is observed in place for the first chunk; the aggregate ends the call with the final usage.
 */
export const legacyGenerateContentStreamSurface: SdkMethod<GenerativeModel, LegacyArgs> = {
  ...generation,
  onResult(value, call, [request], ctx, self) {
    const result = value as { stream?: unknown; response?: Promise<GeminiResponse> };
    const text = ctx.captureContent() ? new StreamedText() : null;
    observeGeneratorInPlace<GeminiResponse>(result?.stream, {
      item(chunk) {
        call.firstChunk();
        text?.add(chunk);
      },
      end() {},
    });
    if (!result?.response || typeof result.response.then !== 'function') return call.end(null);
    result.response.then(
      (r) => guard('reading the streamed response', () => endGeneration(call, r, self, request, text?.attributes())),
      (err: unknown) => guard('ending a span', () => call.end(null, err)),
    );
  },
};

/**
 * The Gemini API's embedContent reports no token usage (batchEmbedContents may): without it, the
 * input is estimated from the texts embedded and the span marked as estimated.
 */
function embeddingsSurface(inputsOf: (request: unknown) => unknown): SdkMethod<GenerativeModel, LegacyArgs> {
  return {
    operation: sc.GenAiOperation.EMBEDDINGS,
    returns: 'promise',
    target: (self, args) => target(self, args),
    model: (self) => modelId(self?.model),
    onResult(value, call, [request], _ctx, self) {
      const usage = usageOfEmbeddings(value as Parameters<typeof usageOfEmbeddings>[0]);
      if (usage) call.end(usage);
      else call.end(estimateEmbeddings(modelId(self?.model), inputsOf(request)), undefined, ESTIMATED);
    },
  };
}

export const legacyEmbedContentSurface = embeddingsSurface((request) => request);
export const legacyBatchEmbedContentsSurface = embeddingsSurface((request) => (request as { requests?: unknown })?.requests);
