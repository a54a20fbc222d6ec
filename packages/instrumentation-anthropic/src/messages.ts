import { type Attributes, context, trace } from '@opentelemetry/api';
import { type ApiPromiseLike, attributionFromContext, type CallDescription, gateApiCall, GenAiCall, type GenAiSurfaceContext, guard, observeApiPromise } from '@tokenledger/instrumentation-common';
import * as sc from '@tokenledger/semconv';
import { type ClientLike, providerOfClient } from './provider';
import { observeMessageStream } from './stream';
import { type MessageUsage, usageOfMessage } from './usage';

/** What every surface reads from the instrumentation (see GenAiInstrumentation). */
export type SurfaceContext = GenAiSurfaceContext;

type Body = Record<string, unknown> | undefined;
/** `messages.create` / `beta.messages.create`: `this` is the Messages resource, `_client` its client. */
type Create = (this: { _client?: ClientLike }, body: Body, options?: unknown) => ApiPromiseLike;

const NUMERIC_PARAMS: [string, string][] = [
  ['max_tokens', sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS],
  ['temperature', sc.ATTR_GEN_AI_REQUEST_TEMPERATURE],
  ['top_p', sc.ATTR_GEN_AI_REQUEST_TOP_P],
  ['top_k', sc.ATTR_GEN_AI_REQUEST_TOP_K],
];

function providerOf(ctx: SurfaceContext, self: ThisParameterType<Create>) {
  const found = providerOfClient(self?._client);
  return { ...found, provider: ctx.providerName() ?? found.provider };
}

/** What the call gate (the budget guard) is told about a call before it is made. */
function describeCall(ctx: SurfaceContext, self: ThisParameterType<Create>, body: Body): CallDescription {
  return { provider: providerOf(ctx, self).provider, model: String(body?.model ?? 'unknown'), operation: sc.GenAiOperation.CHAT, attributes: attributionFromContext() };
}

function requestAttributes(ctx: SurfaceContext, body: Body): Attributes {
  const attributes: Attributes = {};
  for (const [param, attr] of NUMERIC_PARAMS) if (typeof body?.[param] === 'number') attributes[attr] = body[param] as number;
  if (Array.isArray(body?.stop_sequences)) attributes[sc.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = (body.stop_sequences as unknown[]).map(String);
  if (ctx.captureContent()) {
    if (body?.messages) attributes[sc.ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(body.messages);
    if (body?.system) attributes[sc.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = typeof body.system === 'string' ? body.system : JSON.stringify(body.system);
  }
  return attributes;
}

function startCall(ctx: SurfaceContext, self: ThisParameterType<Create>, body: Body): GenAiCall {
  const { provider, host, port } = providerOf(ctx, self);
  return new GenAiCall(ctx.tracer(), ctx.metrics(), {
    operation: sc.GenAiOperation.CHAT,
    provider,
    requestModel: String(body?.model ?? 'unknown'),
    serverAddress: host,
    serverPort: port,
    attributes: requestAttributes(ctx, body),
  });
}

interface Message {
  id?: string;
  model?: string;
  stop_reason?: string | null;
  content?: unknown;
  usage?: MessageUsage;
}

function onMessage(ctx: SurfaceContext, call: GenAiCall, body: Body, value: unknown): void {
  if (body?.stream) return observeMessageStream(value, call, ctx.captureContent());
  const message = value as Message;
  call.response({ id: message?.id, model: message?.model, finishReasons: message?.stop_reason ? [message.stop_reason] : [] });
  const output = ctx.captureContent() ? { [sc.ATTR_GEN_AI_OUTPUT_MESSAGES]: JSON.stringify([{ role: 'assistant', content: message?.content }]) } : undefined;
  call.end(usageOfMessage(message?.usage), undefined, output);
}

/**
 * `messages.create` and `beta.messages.create`, plain and streaming. The `messages.stream()` helper,
 * `parse()` and the tool runners send their requests through `create`, so they are observed here too,
 * once. The span is active while the SDK starts its request, so the SDK's own call span (SDK 1.x)
 * and HTTP client spans nest under it.
 */
export function wrapMessagesCreate(original: Create, ctx: SurfaceContext): Create {
  return function (this: ThisParameterType<Create>, body, options) {
    return gateApiCall(() => describeCall(ctx, this, body), () => messagesCreate.call(this, body, options));
  };
  function messagesCreate(this: ThisParameterType<Create>, body: Body, options?: unknown): ApiPromiseLike {
    const call = guard('starting a chat span', () => startCall(ctx, this, body));
    if (!call) return original.call(this, body, options);
    let promise: ApiPromiseLike;
    try {
      promise = context.with(trace.setSpan(context.active(), call.span), () => original.call(this, body, options));
    } catch (err) {
      // The SDK refused the arguments before sending anything.
      call.end(null, err);
      throw err;
    }
    observeApiPromise(promise, call, (value) => onMessage(ctx, call, body, value));
    return promise;
  }
}
