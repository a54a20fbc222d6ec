import {
  estimateMessagesTokens,
  estimateTextTokens,
  type EstimatedMessage,
  type GenAiCall,
  numberParams,
  observeSdkStream,
  type Usage,
  textOr,
} from '@tokenledger/instrumentation-common';
import * as sc from '@tokenledger/semconv';
import { ESTIMATED, requestParams } from './chat';
import type { Body, Surface } from './surface';

interface ResponseUsage {
  input_tokens?: number;
  output_tokens?: number;
  input_tokens_details?: { cached_tokens?: number };
  output_tokens_details?: { reasoning_tokens?: number };
}
interface ResponseObject {
  id?: string;
  model?: string;
  status?: string;
  incomplete_details?: { reason?: string } | null;
  output?: unknown[];
  usage?: ResponseUsage | null;
}
interface ResponseEvent {
  type?: string;
  response?: ResponseObject;
  delta?: string;
}

/** Responses usage in GenAI terms: input_tokens already include cached ones, output_tokens reasoning ones. */
export function usageOfResponse(u: ResponseUsage | null | undefined): Usage | null {
  if (!u) return null;
  return {
    input: u.input_tokens,
    output: u.output_tokens,
    cacheRead: u.input_tokens_details?.cached_tokens,
    reasoning: u.output_tokens_details?.reasoning_tokens,
  };
}

/** A response's status as a finish reason, in chat completion words where one exists. */
function finishReason(r: ResponseObject): string | undefined {
  if (r.status === 'completed') return 'stop';
  if (r.status === 'incomplete') return r.incomplete_details?.reason === 'max_output_tokens' ? 'length' : (r.incomplete_details?.reason ?? 'incomplete');
  return r.status;
}

function describe(call: GenAiCall, r: ResponseObject): void {
  const reason = finishReason(r);
  call.response({ id: r.id, model: r.model, finishReasons: reason ? [reason] : undefined });
}

/** `input` (a string or a list of items) and `instructions`, as messages for the tokenizer. */
function inputMessages(body: Body): EstimatedMessage[] {
  const input = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : Array.isArray(body.input) ? (body.input as EstimatedMessage[]) : [];
  return typeof body.instructions === 'string' ? [{ role: 'system', content: body.instructions }, ...input] : input;
}

function estimate(body: Body, output: string): Usage {
  const model = textOr(body.model, '');
  return { input: estimateMessagesTokens(model, inputMessages(body)), output: estimateTextTokens(model, output) };
}

const RESPONSE_PARAMS = numberParams([
  ['temperature', sc.ATTR_GEN_AI_REQUEST_TEMPERATURE],
  ['top_p', sc.ATTR_GEN_AI_REQUEST_TOP_P],
  ['max_output_tokens', sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS],
]);

/**
 * responses.create, plain and streaming. `responses.parse` and `responses.stream()` call `create`
 * themselves, so they are recorded through it, once. Streamed usage comes with `response.completed`
 * (or `response.incomplete` / `response.failed`).
 */
export const responsesSurface: Surface = {
  operation: sc.GenAiOperation.CHAT,
  requestAttributes(body, ctx) {
    const attributes = requestParams(body, RESPONSE_PARAMS);
    if (ctx.captureContent()) {
      if (body?.input !== undefined) attributes[sc.ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(body.input);
      if (typeof body?.instructions === 'string')
        attributes[sc.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = JSON.stringify([{ type: 'text', content: body.instructions }]);
    }
    return attributes;
  },
  onResult(value, call, body, ctx) {
    if (body?.stream) return observeResponseStream(value, call, body);
    const r = value as ResponseObject & { output_text?: string };
    describe(call, r);
    const output = ctx.captureContent() ? { [sc.ATTR_GEN_AI_OUTPUT_MESSAGES]: JSON.stringify(r.output ?? []) } : undefined;
    const usage = usageOfResponse(r.usage);
    if (usage) call.end(usage, undefined, output);
    else call.end(estimate(body, r.output_text ?? ''), undefined, { ...output, ...ESTIMATED });
  },
};

const FINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

function observeResponseStream(stream: unknown, call: GenAiCall, body: Body): void {
  observeSdkStream<ResponseEvent>(stream, () => {
    let usage: Usage | null = null;
    let finished = false;
    // The streamed text is kept as the events' own strings, joined only if an estimate needs it.
    const text: string[] = [];
    return {
      item(event) {
        call.firstChunk();
        if (event.type === 'response.output_text.delta' && typeof event.delta === 'string') text.push(event.delta);
        else if (event.response) {
          call.response({ id: event.response.id, model: event.response.model });
          if (FINAL_EVENTS.has(event.type ?? '')) {
            finished = true;
            describe(call, event.response);
            usage = usageOfResponse(event.response.usage);
          }
        }
      },
      end(error) {
        // Stopped before the final event: the usage is unknown, not estimated.
        if (usage || !finished) return call.end(usage, error);
        call.end(estimate(body, text.join('')), error, ESTIMATED);
      },
    };
  });
}
