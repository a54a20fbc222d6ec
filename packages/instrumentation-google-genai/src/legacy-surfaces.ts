import type { Attributes } from '@opentelemetry/api';
import { guard } from '@tokenledger/instrumentation-common';
import * as sc from '@tokenledger/semconv';
import type { Surface, SurfaceContext } from './call';
import { targetOfUrl } from './call';
import { inputContent, outputContent, StreamedText } from './content';
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

const target = (self: GenerativeModel, args?: LegacyArgs) =>
  targetOfUrl(args?.[1]?.baseUrl ?? self?._requestOptions?.baseUrl ?? DEFAULT_BASE_URL, sc.GenAiProvider.GCP_GEMINI);

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

export const legacyGenerateContentSurface: Surface<GenerativeModel, LegacyArgs> = {
  operation: sc.GenAiOperation.GENERATE_CONTENT,
  target: (self, args) => target(self, args),
  model: (self) => modelId(self?.model),
  requestAttributes: generateRequestAttributes,
  onResult(value, call, _args, ctx) {
    const r = (value as { response?: GeminiResponse })?.response ?? {};
    call.response({ id: r.responseId, model: r.modelVersion, finishReasons: finishReasonsOf(r) });
    call.end(usageOfGemini(r.usageMetadata), undefined, outputContent(ctx.captureContent(), r));
  },
};

/**
 * `{ stream, response }`: the SDK tees the body, `stream` yielding chunks and `response` resolving to
 * the aggregate once the whole body has arrived (even if the app stops reading `stream`). The stream
 * is observed in place for the first chunk; the aggregate ends the call with the final usage.
 */
export const legacyGenerateContentStreamSurface: Surface<GenerativeModel, LegacyArgs> = {
  operation: sc.GenAiOperation.GENERATE_CONTENT,
  target: (self, args) => target(self, args),
  model: (self) => modelId(self?.model),
  requestAttributes: generateRequestAttributes,
  onResult(value, call, _args, ctx) {
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
      (r) =>
        guard('reading the streamed response', () => {
          call.response({ id: r?.responseId, model: r?.modelVersion, finishReasons: finishReasonsOf(r) });
          call.end(usageOfGemini(r?.usageMetadata), undefined, text?.attributes());
        }),
      (err: unknown) => guard('ending a span', () => call.end(null, err)),
    );
  },
};

function embeddingsSurface(): Surface<GenerativeModel, LegacyArgs> {
  return {
    operation: sc.GenAiOperation.EMBEDDINGS,
    target: (self, args) => target(self, args),
    model: (self) => modelId(self?.model),
    onResult: (value, call) => call.end(usageOfEmbeddings(value as Parameters<typeof usageOfEmbeddings>[0])),
  };
}

export const legacyEmbedContentSurface = embeddingsSurface();
export const legacyBatchEmbedContentsSurface = embeddingsSurface();
