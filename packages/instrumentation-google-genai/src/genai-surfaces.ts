import type { Attributes } from '@opentelemetry/api';
import type { GenAiCall } from '@tokenledger/instrumentation-common';
import * as sc from '@tokenledger/semconv';
import type { Surface, SurfaceContext, Target } from './call';
import { targetOfUrl } from './call';
import { inputContent, outputContent } from './content';
import { ESTIMATED, estimateEmbeddings, estimateGeneration, geminiText } from './estimate';
import { finishReasonsOf, type GeminiResponse, generationAttributes, modelId, usageOfEmbeddings, usageOfGemini } from './gemini-response';
import { imageAttributes } from './images';
import { observeGeminiStream } from './gemini-stream';

/** `this` of the patched methods: an `@google/genai` Models module. */
export interface ModelsModule {
  apiClient?: { isVertexAI?: () => boolean; getBaseUrl?: () => string };
}
/** The parameters every Models method takes: `{ model, contents | prompt, config }`. */
export type Params = [params: { model?: unknown; contents?: unknown; prompt?: unknown; config?: Record<string, unknown> }];

/** `gcp.vertex_ai` for a client made with `vertexai: true`, else the Gemini API's `gcp.gemini`. */
export function targetOfModels(self: ModelsModule): Target {
  const client = self?.apiClient;
  const vertex = typeof client?.isVertexAI === 'function' && client.isVertexAI() === true;
  const provider = vertex ? sc.GenAiProvider.GCP_VERTEX_AI : sc.GenAiProvider.GCP_GEMINI;
  return targetOfUrl(typeof client?.getBaseUrl === 'function' ? client.getBaseUrl() : undefined, provider);
}

const modelOf = (_self: ModelsModule, [params]: Params) => modelId(params?.model);

function generateRequestAttributes(_self: ModelsModule, [params]: Params, ctx: SurfaceContext): Attributes {
  return { ...generationAttributes(params?.config), ...inputContent(ctx.captureContent(), params?.contents, params?.config?.systemInstruction) };
}

/** The prompt of a request, for an estimate: the contents and the system instruction. */
const promptOf = ([params]: Params) => [params?.contents, params?.config?.systemInstruction];

function endWithResponse(call: GenAiCall, r: GeminiResponse, args: Params, ctx: SurfaceContext): void {
  call.response({ id: r?.responseId, model: r?.modelVersion, finishReasons: finishReasonsOf(r) });
  const content = outputContent(ctx.captureContent(), r);
  const usage = usageOfGemini(r?.usageMetadata);
  if (usage) return call.end(usage, undefined, content);
  const output = geminiText((r?.candidates ?? []).map((c) => c?.content));
  call.end(estimateGeneration(modelId(args[0]?.model), promptOf(args), output), undefined, { ...content, ...ESTIMATED });
}

/**
 * One HTTP request to generateContent. The SDK's public `generateContent` may send several (automatic
 * function calling, automatic continuation); each is a model call billed on its own, so each is a
 * span with its own exact usage. A chat turn (`chats.create().sendMessage`) sends one: one span.
 */
export const generateContentSurface: Surface<ModelsModule, Params> = {
  operation: sc.GenAiOperation.GENERATE_CONTENT,
  target: targetOfModels,
  model: modelOf,
  requestAttributes: generateRequestAttributes,
  onResult: (value, call, args, ctx) => endWithResponse(call, value as GeminiResponse, args, ctx),
};

/** One streamed request: the promise resolves to the SDK's async generator, observed in place. */
export const generateContentStreamSurface: Surface<ModelsModule, Params> = {
  operation: sc.GenAiOperation.GENERATE_CONTENT,
  target: targetOfModels,
  model: modelOf,
  requestAttributes: generateRequestAttributes,
  onResult: (value, call, args, ctx) => {
    const estimate = (output: string) => estimateGeneration(modelId(args[0]?.model), promptOf(args), output);
    if (!observeGeminiStream(value, call, ctx.captureContent(), estimate)) call.end(null);
  },
};

export const embedContentSurface: Surface<ModelsModule, Params> = {
  operation: sc.GenAiOperation.EMBEDDINGS,
  target: targetOfModels,
  model: modelOf,
  onResult: (value, call, [params]) => {
    const usage = usageOfEmbeddings(value as Parameters<typeof usageOfEmbeddings>[0]);
    if (usage) call.end(usage);
    else call.end(estimateEmbeddings(modelId(params?.model), params?.contents), undefined, ESTIMATED);
  },
};

export const generateImagesSurface: Surface<ModelsModule, Params> = {
  operation: sc.GenAiOperation.IMAGE_GENERATION,
  target: targetOfModels,
  model: modelOf,
  requestAttributes: (_self, [params], ctx) => ({
    [sc.ATTR_GEN_AI_OUTPUT_TYPE]: sc.GenAiOutputType.IMAGE,
    ...(typeof params?.config?.numberOfImages === 'number' ? { [sc.ATTR_GEN_AI_REQUEST_CHOICE_COUNT]: params.config.numberOfImages } : {}),
    ...inputContent(ctx.captureContent(), params?.prompt, undefined),
  }),
  onResult: (value, call, [params]) => call.end(null, undefined, imageAttributes(value, params?.config)),
};
