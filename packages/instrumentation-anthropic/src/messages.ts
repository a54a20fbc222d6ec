import type { Attributes } from '@opentelemetry/api';
import {
  type GenAiCall,
  type GenAiSurfaceContext,
  numberParams,
  readNumberParams,
  type SdkMethod,
  targetPerClient,
  textOr,
} from '@tokenledger/instrumentation-common';
import * as sc from '@tokenledger/semconv';
import { type ClientLike, providerOfClient } from './provider';
import { observeMessageStream } from './stream';
import { type MessageUsage, usageOfMessage } from './usage';

/** What every surface reads from the instrumentation (see GenAiInstrumentation). */
export type SurfaceContext = GenAiSurfaceContext;

type Body = Record<string, unknown> | undefined;
/** `this` of `messages.create` / `beta.messages.create`: the Messages resource, `_client` its client. */
export interface MessagesResource {
  _client?: ClientLike;
}
type Args = [body: Body, options?: unknown];

const NUMERIC_PARAMS = numberParams([
  ['max_tokens', sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS],
  ['temperature', sc.ATTR_GEN_AI_REQUEST_TEMPERATURE],
  ['top_p', sc.ATTR_GEN_AI_REQUEST_TOP_P],
  ['top_k', sc.ATTR_GEN_AI_REQUEST_TOP_K],
]);

function requestAttributes(body: Body, ctx: SurfaceContext): Attributes {
  const attributes = readNumberParams(body, NUMERIC_PARAMS, {});
  if (Array.isArray(body?.stop_sequences)) attributes[sc.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = (body.stop_sequences as unknown[]).map(String);
  if (ctx.captureContent()) {
    if (body?.messages) attributes[sc.ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(body.messages);
    if (body?.system) attributes[sc.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = typeof body.system === 'string' ? body.system : JSON.stringify(body.system);
  }
  return attributes;
}

interface Message {
  id?: string;
  model?: string;
  stop_reason?: string | null;
  content?: unknown;
  usage?: MessageUsage;
}

function onMessage(value: unknown, call: GenAiCall, body: Body, ctx: SurfaceContext): void {
  if (body?.stream) return observeMessageStream(value, call, ctx.captureContent());
  const message = value as Message;
  call.response({ id: message?.id, model: message?.model, finishReasons: message?.stop_reason ? [message.stop_reason] : [] });
  const output = ctx.captureContent() ? { [sc.ATTR_GEN_AI_OUTPUT_MESSAGES]: JSON.stringify([{ role: 'assistant', content: message?.content }]) } : undefined;
  call.end(usageOfMessage(message?.usage), undefined, output);
}

const targetOfClient = targetPerClient<ClientLike>(providerOfClient);

/**
 * `messages.create` and `beta.messages.create`, plain and streaming. The `messages.stream()` helper,
 * `parse()` and the tool runners send their requests through `create`, so they are observed here too,
 * once. The span is active while the SDK starts its request, so the SDK's own call span (SDK 1.x)
 * and HTTP client spans nest under it.
 */
export const messagesCreate: SdkMethod<MessagesResource, Args> = {
  operation: sc.GenAiOperation.CHAT,
  returns: 'api-promise',
  target: (self) => targetOfClient(self?._client, self?._client?.baseURL),
  model: (_self, args) => textOr(args[0]?.model, 'unknown'),
  requestAttributes: (_self, args, ctx) => requestAttributes(args[0], ctx),
  onResult: (value, call, args, ctx) => onMessage(value, call, args[0], ctx),
};
