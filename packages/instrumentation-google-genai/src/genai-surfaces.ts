import type { Attributes } from '@opentelemetry/api';
import {
  type CallTarget,
  type GenAiCall,
  type GenAiSurfaceContext as SurfaceContext,
  type SdkMethod,
  targetOfUrl,
  targetPerClient,
} from '@tokenledger/instrumentation-common';
import * as sc from '@tokenledger/semconv';
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

type ApiClient = NonNullable<ModelsModule['apiClient']>;

/** `gcp.vertex_ai` for a client made with `vertexai: true`, else the Gemini API's `gcp.gemini`. */
const targetOfClient = targetPerClient<ApiClient>((client, baseUrl) => {
  const vertex = typeof client?.isVertexAI === 'function' && client.isVertexAI() === true;
  return targetOfUrl(baseUrl, vertex ? sc.GenAiProvider.GCP_VERTEX_AI : sc.GenAiProvider.GCP_GEMINI);
});

export function targetOfModels(self: ModelsModule): CallTarget {
  const client = self?.apiClient;
  return targetOfClient(client, typeof client?.getBaseUrl === 'function' ? client.getBaseUrl() : undefined);
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
export const generateContentSurface: SdkMethod<ModelsModule, Params> = {
  operation: sc.GenAiOperation.GENERATE_CONTENT,
  returns: 'promise',
  target: targetOfModels,
  model: modelOf,
  requestAttributes: generateRequestAttributes,
  onResult: (value, call, args, ctx) => endWithResponse(call, value as GeminiResponse, args, ctx),
};

/** One streamed request: the promise resolves to the SDK's async generator, observed in place. */
export const generateContentStreamSurface: SdkMethod<ModelsModule, Params> = {
  operation: sc.GenAiOperation.GENERATE_CONTENT,
  returns: 'promise',
  target: targetOfModels,
  model: modelOf,
  requestAttributes: generateRequestAttributes,
  onResult: (value, call, args, ctx) => {
    const estimate = (output: string) => estimateGeneration(modelId(args[0]?.model), promptOf(args), output);
    if (!observeGeminiStream(value, call, ctx.captureContent(), estimate)) call.end(null);
  },
};

export const embedContentSurface: SdkMethod<ModelsModule, Params> = {
  operation: sc.GenAiOperation.EMBEDDINGS,
  returns: 'promise',
  target: targetOfModels,
  model: modelOf,
  onResult: (value, call, [params]) => {
    const usage = usageOfEmbeddings(value as Parameters<typeof usageOfEmbeddings>[0]);
    if (usage) call.end(usage);
    else call.end(estimateEmbeddings(modelId(params?.model), params?.contents), undefined, ESTIMATED);
  },
};

export const generateImagesSurface: SdkMethod<ModelsModule, Params> = {
  operation: sc.GenAiOperation.IMAGE_GENERATION,
  returns: 'promise',
  target: targetOfModels,
  model: modelOf,
  requestAttributes: (_self, [params], ctx) => ({
    [sc.ATTR_GEN_AI_OUTPUT_TYPE]: sc.GenAiOutputType.IMAGE,
    ...(typeof params?.config?.numberOfImages === 'number' ? { [sc.ATTR_GEN_AI_REQUEST_CHOICE_COUNT]: params.config.numberOfImages } : {}),
    ...inputContent(ctx.captureContent(), params?.prompt, undefined),
  }),
  onResult: (value, call, [params]) => call.end(null, undefined, imageAttributes(value, params?.config)),
};
