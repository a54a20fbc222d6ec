import type { ServerResponse } from 'node:http';
import { type RecordedRequest, type RouteHandler, type Scenario, sendJson, sendSse } from '../http';

/**
 * The OpenAI API, closely enough for the real `openai` SDK: chat completions (JSON and SSE, with the
 * final usage chunk when `stream_options.include_usage` is set) and embeddings. Bodies follow the
 * recorded exchanges in shared/fixtures/recorded/openai-contrib.
 *
 * Usage numbers are a documented function of the request, so tests can assert them exactly:
 * - prompt_tokens = 10 × number of messages + total characters of message contents ÷ 4 (floored);
 *   cached_tokens = `x-mock-cached-tokens` header (default 0), never more than prompt_tokens;
 * - completion_tokens = number of words of the reply + reasoning_tokens (`x-mock-reasoning-tokens`);
 * - the reply is `Hello from <model>!` repeated `x-mock-repeat` times (default 1), streamed one word per chunk;
 * - embeddings: prompt_tokens = characters of all inputs ÷ 4 (floored), at least 1 per input.
 */
const REQUEST_ID = 'req_mock_0001';

function header(req: RecordedRequest, name: string): number {
  const value = Number(req.headers[name]);
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

function openAiError(res: ServerResponse, status: number): void {
  const type = status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
  sendJson(res, status, { error: { message: `mock error ${status}`, type, param: null, code: type } }, { 'x-request-id': REQUEST_ID });
}

interface ChatBody {
  model?: string;
  messages?: { role: string; content: unknown }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  n?: number;
}

function contentLength(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (Array.isArray(content)) return content.reduce((n, part) => n + (typeof part?.text === 'string' ? part.text.length : 0), 0);
  return 0;
}

export function chatUsage(req: RecordedRequest): { prompt: number; cached: number; completion: number; reasoning: number; reply: string } {
  const body = (req.json ?? {}) as ChatBody;
  const messages = body.messages ?? [];
  const prompt = 10 * messages.length + Math.floor(messages.reduce((n, m) => n + contentLength(m.content), 0) / 4);
  const reply = Array.from({ length: Math.max(1, header(req, 'x-mock-repeat')) }, () => `Hello from ${body.model ?? 'model'}!`).join(' ');
  const reasoning = header(req, 'x-mock-reasoning-tokens');
  return { prompt, cached: Math.min(prompt, header(req, 'x-mock-cached-tokens')), completion: reply.split(' ').length + reasoning, reasoning, reply };
}

function usageBlock(u: ReturnType<typeof chatUsage>) {
  return {
    prompt_tokens: u.prompt,
    completion_tokens: u.completion,
    total_tokens: u.prompt + u.completion,
    prompt_tokens_details: { cached_tokens: u.cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

async function chat(req: RecordedRequest, res: ServerResponse, scenario: Scenario): Promise<void> {
  const body = (req.json ?? {}) as ChatBody;
  const model = `${body.model ?? 'gpt-4o'}-2024-08-06`.replace(/(-\d{4}-\d{2}-\d{2})-\d{4}-\d{2}-\d{2}$/, '$1');
  const usage = chatUsage(req);
  const id = 'chatcmpl-mock0001';
  const created = 1_764_000_000;
  if (!body.stream) {
    sendJson(
      res,
      200,
      {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: usage.reply, refusal: null }, logprobs: null, finish_reason: 'stop' }],
        ...(scenario.noUsage ? {} : { usage: usageBlock(usage) }),
        system_fingerprint: 'fp_mock',
      },
      { 'x-request-id': REQUEST_ID },
    );
    return;
  }
  const chunk = (delta: object, finish: string | null) => ({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_mock', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const events: { data: unknown }[] = [{ data: chunk({ role: 'assistant', content: '' }, null) }];
  const words = usage.reply.split(' ');
  words.forEach((word, i) => events.push({ data: chunk({ content: i === 0 ? word : ` ${word}` }, null) }));
  events.push({ data: chunk({}, 'stop') });
  if (body.stream_options?.include_usage && !scenario.noUsage) events.push({ data: { id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageBlock(usage) } });
  events.push({ data: '[DONE]' });
  await sendSse(res, events, scenario);
}

function embeddings(req: RecordedRequest, res: ServerResponse): void {
  const body = (req.json ?? {}) as { model?: string; input?: string | string[] };
  const inputs = Array.isArray(body.input) ? body.input : [body.input ?? ''];
  const tokens = inputs.reduce((n, text) => n + Math.max(1, Math.floor(String(text).length / 4)), 0);
  sendJson(
    res,
    200,
    {
      object: 'list',
      data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [0.0023, -0.0094, 0.0152] })),
      model: body.model ?? 'text-embedding-3-small',
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
    { 'x-request-id': REQUEST_ID },
  );
}

export const openAiRoutes: RouteHandler = async (req, res, scenario) => {
  if (req.method !== 'POST') return false;
  const path = req.path.replace(/^\/v1/, '');
  if (path !== '/chat/completions' && path !== '/embeddings') return false;
  if (scenario.status) {
    openAiError(res, scenario.status);
    return true;
  }
  if (path === '/chat/completions') await chat(req, res, scenario);
  else embeddings(req, res);
  return true;
};
