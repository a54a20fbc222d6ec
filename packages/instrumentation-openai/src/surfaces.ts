import type { Attributes } from '@opentelemetry/api';
import * as sc from '@tokenledger/semconv';
import { attributionFromContext, type CallDescription, gateCall, GenAiCall, type GenAiMetrics, guard, observeApiPromise } from '@tokenledger/instrumentation-common';
import { providerFromBaseUrl } from './provider';
import { observeChatStream, usageOfChat } from './stream';
import type { Tracer } from '@opentelemetry/api';

export interface SurfaceContext {
  tracer: () => Tracer;
  metrics: () => GenAiMetrics;
  captureContent: () => boolean;
  providerName: () => string | undefined;
}

type Create = (this: { _client?: { baseURL?: string; constructor?: { name?: string } } }, body: Record<string, unknown>, options?: unknown) => unknown;

const REQUEST_PARAMS: [string, string][] = [
  ['temperature', sc.ATTR_GEN_AI_REQUEST_TEMPERATURE],
  ['top_p', sc.ATTR_GEN_AI_REQUEST_TOP_P],
  ['max_tokens', sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS],
  ['max_completion_tokens', sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS],
  ['frequency_penalty', sc.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY],
  ['presence_penalty', sc.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY],
  ['seed', sc.ATTR_GEN_AI_REQUEST_SEED],
  ['n', sc.ATTR_GEN_AI_REQUEST_CHOICE_COUNT],
];

/** What the call gate (the budget guard) is told about a call before it is made. */
function describeCall(ctx: SurfaceContext, self: ThisParameterType<Create>, operation: string, body: Record<string, unknown>): CallDescription {
  const client = self?._client;
  const { provider } = providerFromBaseUrl(client?.baseURL, client?.constructor?.name === 'AzureOpenAI');
  return { provider: ctx.providerName() ?? provider, model: String(body?.model ?? 'unknown'), operation, attributes: attributionFromContext() };
}

function startCall(ctx: SurfaceContext, self: ThisParameterType<Create>, operation: string, body: Record<string, unknown>, attributes: Attributes): GenAiCall {
  const client = self?._client;
  const { provider, host, port } = providerFromBaseUrl(client?.baseURL, client?.constructor?.name === 'AzureOpenAI');
  return new GenAiCall(ctx.tracer(), ctx.metrics(), {
    operation,
    provider: ctx.providerName() ?? provider,
    requestModel: String(body?.model ?? 'unknown'),
    serverAddress: host,
    serverPort: port,
    attributes,
  });
}

/** chat.completions.create: plain and streaming. */
export function wrapChatCreate(original: Create, ctx: SurfaceContext): Create {
  return function (this: ThisParameterType<Create>, body, options) {
    return gateCall(() => describeCall(ctx, this, sc.GenAiOperation.CHAT, body), () => chatCreate.call(this, body, options));
  };
  function chatCreate(this: ThisParameterType<Create>, body: Record<string, unknown>, options?: unknown) {
    const call = guard('starting a chat span', () => {
      const attributes: Attributes = {};
      for (const [param, attr] of REQUEST_PARAMS) if (typeof body?.[param] === 'number') attributes[attr] = body[param] as number;
      if (Array.isArray(body?.stop)) attributes[sc.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = body.stop as string[];
      if (ctx.captureContent() && body?.messages) attributes[sc.ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(body.messages);
      return startCall(ctx, this, sc.GenAiOperation.CHAT, body, attributes);
    });
    const promise = original.call(this, body, options);
    if (call) {
      observeApiPromise(promise, call, (value) => {
        if (body?.stream) return observeChatStream(value, call);
        const r = value as { id?: string; model?: string; choices?: { finish_reason?: string; message?: unknown }[]; usage?: Parameters<typeof usageOfChat>[0] };
        call.response({ id: r.id, model: r.model, finishReasons: (r.choices ?? []).map((c) => c.finish_reason ?? '').filter(Boolean) });
        const output = ctx.captureContent() ? { [sc.ATTR_GEN_AI_OUTPUT_MESSAGES]: JSON.stringify((r.choices ?? []).map((c) => c.message)) } : undefined;
        call.end(usageOfChat(r.usage), undefined, output);
      });
    }
    return promise;
  }
}

/** embeddings.create */
export function wrapEmbeddingsCreate(original: Create, ctx: SurfaceContext): Create {
  return function (this: ThisParameterType<Create>, body, options) {
    return gateCall(() => describeCall(ctx, this, sc.GenAiOperation.EMBEDDINGS, body), () => embeddingsCreate.call(this, body, options));
  };
  function embeddingsCreate(this: ThisParameterType<Create>, body: Record<string, unknown>, options?: unknown) {
    const call = guard('starting an embeddings span', () => {
      const format = body?.encoding_format;
      return startCall(ctx, this, sc.GenAiOperation.EMBEDDINGS, body, typeof format === 'string' ? { [sc.ATTR_GEN_AI_REQUEST_ENCODING_FORMATS]: [format] } : {});
    });
    const promise = original.call(this, body, options);
    if (call) {
      observeApiPromise(promise, call, (value) => {
        const r = value as { model?: string; usage?: { prompt_tokens?: number } };
        call.response({ model: r.model });
        call.end({ input: r.usage?.prompt_tokens });
      });
    }
    return promise;
  }
}
