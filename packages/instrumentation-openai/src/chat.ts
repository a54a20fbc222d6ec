import type { Attributes } from '@opentelemetry/api';
import {
  estimateMessagesTokens,
  estimateTextTokens,
  type EstimatedMessage,
  type GenAiCall,
  type IteratorObserver,
  type NumberParams,
  numberParams,
  observeSdkStream,
  readNumberParams,
  type Usage,
  textOr,
} from '@tokenledger/instrumentation-common';
import * as sc from '@tokenledger/semconv';
import type { Body, Surface } from './surface';

interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number; audio_tokens?: number };
}
interface ToolCallDelta {
  function?: { name?: string; arguments?: string };
}
interface ChatMessage {
  content?: unknown;
  tool_calls?: ToolCallDelta[];
}
interface ChatCompletion {
  id?: string;
  model?: string;
  choices?: { finish_reason?: string | null; message?: ChatMessage; delta?: ChatMessage }[];
  usage?: ChatUsage | null;
}

export function usageOfChat(u: ChatUsage | null | undefined): Usage | null {
  if (!u) return null;
  return {
    input: u.prompt_tokens,
    output: u.completion_tokens,
    cacheRead: u.prompt_tokens_details?.cached_tokens,
    reasoning: u.completion_tokens_details?.reasoning_tokens,
    audioInput: u.prompt_tokens_details?.audio_tokens,
    audioOutput: u.completion_tokens_details?.audio_tokens,
  };
}

export const ESTIMATED: Attributes = { [sc.ATTR_TOKENLEDGER_USAGE_ESTIMATED]: true };

/** Usage counted with the tokenizer, for a call the provider reported none for. */
function estimateChat(body: Body, outputText: string): Usage {
  const model = textOr(body.model, '');
  const messages = Array.isArray(body.messages) ? (body.messages as EstimatedMessage[]) : [];
  return { input: estimateMessagesTokens(model, messages), output: estimateTextTokens(model, outputText) };
}

/** The text a choice produced that is billed as output: its content and its tool calls. */
function outputText(message: ChatMessage | undefined): string {
  if (!message) return '';
  const content = typeof message.content === 'string' ? message.content : '';
  return content + (message.tool_calls ?? []).map((t) => `${t.function?.name ?? ''}${t.function?.arguments ?? ''}`).join('');
}

const REQUEST_PARAMS = numberParams([
  ['temperature', sc.ATTR_GEN_AI_REQUEST_TEMPERATURE],
  ['top_p', sc.ATTR_GEN_AI_REQUEST_TOP_P],
  ['max_tokens', sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS],
  ['max_completion_tokens', sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS],
  ['frequency_penalty', sc.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY],
  ['presence_penalty', sc.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY],
  ['seed', sc.ATTR_GEN_AI_REQUEST_SEED],
  ['n', sc.ATTR_GEN_AI_REQUEST_CHOICE_COUNT],
]);

/** Sampling parameters a request names, as GenAI request attributes. */
export function requestParams(body: Body, params: NumberParams = REQUEST_PARAMS): Attributes {
  return readNumberParams(body, params, {});
}

/**
 * chat.completions.create, plain and streaming. `chat.completions.parse` and `.stream()` call
 * `create` themselves, so they are recorded through it, once.
 */
export const chatSurface: Surface = {
  operation: sc.GenAiOperation.CHAT,
  requestAttributes(body, ctx) {
    const attributes = requestParams(body);
    if (Array.isArray(body?.stop)) attributes[sc.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = body.stop as string[];
    const format = (body?.response_format as { type?: string } | undefined)?.type;
    if (format === 'json_object' || format === 'json_schema') attributes[sc.ATTR_GEN_AI_OUTPUT_TYPE] = sc.GenAiOutputType.JSON;
    if (ctx.captureContent() && body?.messages) attributes[sc.ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(body.messages);
    return attributes;
  },
  onResult(value, call, body, ctx) {
    if (body?.stream) return observeChatStream(value, call, body);
    const r = value as ChatCompletion;
    const choices = r.choices ?? [];
    const finishReasons: string[] = [];
    for (const choice of choices) if (choice.finish_reason) finishReasons.push(choice.finish_reason);
    call.response({ id: r.id, model: r.model, finishReasons });
    const output = ctx.captureContent() ? { [sc.ATTR_GEN_AI_OUTPUT_MESSAGES]: JSON.stringify(choices.map((c) => c.message)) } : undefined;
    const usage = usageOfChat(r.usage);
    if (usage) call.end(usage, undefined, output);
    else call.end(estimateChat(body, choices.map((c) => outputText(c.message)).join('')), undefined, { ...output, ...ESTIMATED });
  },
};

/**
 * A chat completion stream's observer. Per chunk it only keeps references — the finish reasons,
 * the final usage, and the text and tool-call arguments that streamed, which are joined only if an
 * estimate needs them — and the span's attributes are written once, at the end.
 */
class ChatStreamObserver implements IteratorObserver<ChatCompletion> {
  private usage: ChatUsage | null = null;
  private id: string | undefined;
  private model: string | undefined;
  private readonly finishReasons: string[] = [];
  private readonly outputParts: string[] = [];

  constructor(
    private readonly call: GenAiCall,
    private readonly body: Body,
    private readonly usageRequested: boolean,
  ) {}

  item(chunk: ChatCompletion): void {
    if (this.id === undefined) {
      this.call.firstChunk();
      // Every chunk repeats the id and model: the first one's are kept.
      this.id = chunk.id ?? '';
      this.model = chunk.model;
    }
    const choices = chunk.choices;
    if (choices) {
      for (let i = 0; i < choices.length; i++) {
        const choice = choices[i];
        if (choice.finish_reason) this.finishReasons.push(choice.finish_reason);
        const delta = choice.delta;
        if (delta) {
          if (typeof delta.content === 'string' && delta.content) this.outputParts.push(delta.content);
          const toolCalls = delta.tool_calls;
          if (toolCalls) {
            for (let t = 0; t < toolCalls.length; t++) {
              const fn = toolCalls[t].function;
              if (fn?.name) this.outputParts.push(fn.name);
              if (fn?.arguments) this.outputParts.push(fn.arguments);
            }
          }
        }
      }
    }
    if (chunk.usage) this.usage = chunk.usage;
  }

  end(error?: unknown): void {
    const { call, finishReasons } = this;
    call.response({ id: this.id, model: this.model, finishReasons });
    const usage = usageOfChat(this.usage);
    // Usage that was asked for but not reached (the app stopped before the model finished) is
    // unknown, not estimated; a server that ignores include_usage gets the estimate.
    if (usage || (this.usageRequested && finishReasons.length === 0)) return call.end(usage, error);
    call.end(estimateChat(this.body, this.outputParts.join('')), error, ESTIMATED);
  }
}

/**
 * Observes a chat completion stream on the SDK's own Stream object. The call ends once, when the
 * stream is exhausted, fails, or the app stops early (`break` calls `return()`), with the usage seen.
 * A stream requested without `stream_options.include_usage` reports no usage: its tokens are
 * estimated from the request and the text that streamed, and marked as estimated.
 */
export function observeChatStream(stream: unknown, call: GenAiCall, body: Body): void {
  const usageRequested = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  observeSdkStream<ChatCompletion>(stream, () => new ChatStreamObserver(call, body, usageRequested));
}
