import type { ServerResponse } from 'node:http';
import { type RecordedRequest, type RouteHandler, type Scenario, sendJson, sendSse } from '../http';

/**
 * The Anthropic Messages API, closely enough for the real `@anthropic-ai/sdk`: `POST /v1/messages`
 * (also `client.beta.messages`, which older SDKs send with `?beta=true`) answered as JSON or, with `stream: true`,
 * as the SSE sequence the API sends: message_start, content_block_start, ping, content_block_delta
 * per word, content_block_stop, message_delta (stop reason and final output_tokens), message_stop.
 * Bodies and error shapes follow the recorded exchanges in shared/fixtures/recorded/openllmetry.
 *
 * Usage numbers are a documented function of the request, so tests can assert them exactly:
 * - the prompt is P = 10 × number of messages + (characters of message contents + characters of
 *   `system`) ÷ 4, floored;
 * - cache_read_input_tokens = `x-mock-cache-read-tokens` header (default 0), at most P;
 *   cache_creation_input_tokens = `x-mock-cache-creation-tokens` header (default 0), at most what is left,
 *   of which `x-mock-cache-creation-1h-tokens` (default 0) were written with the 1-hour TTL
 *   (`cache_creation.ephemeral_1h_input_tokens`, the rest `ephemeral_5m_input_tokens`);
 * - input_tokens = P − cache reads − cache writes (Anthropic counts only the uncached part there, so
 *   the three always add up to P);
 * - the reply is `Hello from <model>!` repeated `x-mock-repeat` times (default 1), one word per
 *   content_block_delta; output_tokens = its number of words. When `max_tokens` is smaller, the reply
 *   stops after `max_tokens` words with stop_reason `max_tokens`, else stop_reason is `end_turn`;
 * - the response model is the requested one with `-20250929` appended unless it already ends in a date.
 *
 * Failures come from the shared scenario (`x-mock-scenario: status=429`, `cutAfter=3`, `delayMs=5`):
 * a status answers with Anthropic's error body (`rate_limit_error` with `retry-after`, `api_error`,
 * `overloaded_error` for 529, ...); `cutAfter` drops the connection after that many SSE events.
 * `x-mock-stream-error: N` ends a stream after N events with the `error` event the API sends when it
 * is overloaded mid-stream (HTTP status 200 already sent).
 */
const REQUEST_ID = 'req_mock_0001';
const MESSAGE_ID = 'msg_mock0001';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

function header(req: RecordedRequest, name: string): number {
  const value = Number(req.headers[name]);
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

function anthropicError(res: ServerResponse, status: number): void {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  sendJson(
    res,
    status,
    { type: 'error', error: { type, message: `mock error ${status}` }, request_id: REQUEST_ID },
    { 'request-id': REQUEST_ID, ...(status === 429 ? { 'retry-after': '1' } : {}) },
  );
}

interface MessagesBody {
  model?: string;
  max_tokens?: number;
  system?: unknown;
  messages?: { role: string; content: unknown }[];
  stream?: boolean;
}

/** Characters of a string, or of the text blocks of a content array. */
function textLength(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (Array.isArray(content))
    return (content as ({ text?: unknown } | null)[]).reduce((n, block) => n + (typeof block?.text === 'string' ? block.text.length : 0), 0);
  return 0;
}

export interface MessagesUsage {
  /** Uncached input tokens, as Anthropic reports `input_tokens`. */
  input: number;
  cacheRead: number;
  cacheCreation: number;
  /** The part of the cache writes kept for an hour (`cache_creation.ephemeral_1h_input_tokens`). */
  cacheCreation1h: number;
  output: number;
  words: string[];
  stopReason: 'end_turn' | 'max_tokens';
}

/** The usage the mock reports for a request (see the header comment). */
export function messagesUsage(req: RecordedRequest): MessagesUsage {
  const body = (req.json ?? {}) as MessagesBody;
  const messages = body.messages ?? [];
  const prompt = 10 * messages.length + Math.floor((messages.reduce((n, m) => n + textLength(m.content), 0) + textLength(body.system)) / 4);
  const cacheRead = Math.min(prompt, header(req, 'x-mock-cache-read-tokens'));
  const cacheCreation = Math.min(prompt - cacheRead, header(req, 'x-mock-cache-creation-tokens'));
  const reply = Array.from({ length: Math.max(1, header(req, 'x-mock-repeat')) }, () => `Hello from ${body.model ?? 'model'}!`)
    .join(' ')
    .split(' ');
  const limit = typeof body.max_tokens === 'number' && body.max_tokens > 0 ? body.max_tokens : Infinity;
  const words = reply.slice(0, limit);
  const cacheCreation1h = Math.min(cacheCreation, header(req, 'x-mock-cache-creation-1h-tokens'));
  return {
    input: prompt - cacheRead - cacheCreation,
    cacheRead,
    cacheCreation,
    cacheCreation1h,
    output: words.length,
    words,
    stopReason: words.length < reply.length ? 'max_tokens' : 'end_turn',
  };
}

function responseModel(model: string): string {
  return /-\d{8}$/.test(model) ? model : `${model}-20250929`;
}

/** The usage block of a message: uncached input, cache reads, cache writes by TTL, output. */
function usageBlock(u: MessagesUsage, output: number) {
  return {
    input_tokens: u.input,
    cache_creation_input_tokens: u.cacheCreation,
    cache_read_input_tokens: u.cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: u.cacheCreation - u.cacheCreation1h, ephemeral_1h_input_tokens: u.cacheCreation1h },
    output_tokens: output,
    service_tier: 'standard',
  };
}

/** A message as the API answers it without streaming (also each result of a message batch). */
export function messageBody(req: RecordedRequest): Record<string, unknown> {
  const body = (req.json ?? {}) as MessagesBody;
  const u = messagesUsage(req);
  return {
    id: MESSAGE_ID,
    type: 'message',
    role: 'assistant',
    model: responseModel(body.model ?? 'claude-sonnet-4-6'),
    content: [{ type: 'text', text: u.words.join(' ') }],
    stop_reason: u.stopReason,
    stop_sequence: null,
    usage: usageBlock(u, u.output),
  };
}

async function messages(req: RecordedRequest, res: ServerResponse, scenario: Scenario): Promise<void> {
  const body = (req.json ?? {}) as MessagesBody;
  if (!body.stream) {
    sendJson(res, 200, messageBody(req), { 'request-id': REQUEST_ID });
    return;
  }
  const model = responseModel(body.model ?? 'claude-sonnet-4-6');
  const u = messagesUsage(req);
  const events: { event: string; data: unknown }[] = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: { id: MESSAGE_ID, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: usageBlock(u, 1) },
      },
    },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
    { event: 'ping', data: { type: 'ping' } },
  ];
  u.words.forEach((word, i) =>
    events.push({
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: i === 0 ? word : ` ${word}` } },
    }),
  );
  events.push(
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: u.stopReason, stop_sequence: null }, usage: { output_tokens: u.output } } },
    { event: 'message_stop', data: { type: 'message_stop' } },
  );
  const errorAfter = req.headers['x-mock-stream-error'] === undefined ? undefined : header(req, 'x-mock-stream-error');
  if (errorAfter !== undefined)
    events.splice(errorAfter, events.length, { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
  res.setHeader('request-id', REQUEST_ID);
  await sendSse(res, events, scenario);
}

export const anthropicRoutes: RouteHandler = async (req, res, scenario) => {
  if (req.method !== 'POST' || req.path !== '/v1/messages') return false;
  if (scenario.status) anthropicError(res, scenario.status);
  else await messages(req, res, scenario);
  return true;
};
