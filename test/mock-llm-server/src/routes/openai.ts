import type { ServerResponse } from 'node:http';
import { type RecordedRequest, type RouteHandler, type Scenario, sendBytes, sendJson, sendSse } from '../http';

/**
 * The OpenAI API, closely enough for the real `openai` SDK: chat completions (JSON and SSE, with the
 * final usage chunk when `stream_options.include_usage` is set; tool calls), responses (JSON and
 * SSE), embeddings, images (generations, edits, variations), audio transcriptions and translations
 * (multipart) and speech (binary audio). Bodies follow the recorded exchanges in
 * shared/fixtures/recorded and the SDK's types.
 *
 * Usage numbers are a documented function of the request, so tests can assert them exactly:
 * - prompt_tokens = 10 × number of messages + total characters of message contents ÷ 4 (floored)
 *   + audio tokens of `input_audio` parts (read as PCM like uploads below: ⌈duration × 10⌉ each);
 *   cached_tokens = `x-mock-cached-tokens` header (default 0), never more than prompt_tokens;
 * - completion_tokens = number of words of the reply + reasoning_tokens (`x-mock-reasoning-tokens`);
 * - the reply is `Hello from <model>!` repeated `x-mock-repeat` times (default 1), streamed one word per chunk;
 *   with `modalities` including `audio` it is spoken: `message.audio` (`delta.audio` when streamed) carries
 *   the transcript, completion audio_tokens = 10 × words, added to completion_tokens;
 *   with `response_format` json_object/json_schema it is `{"answer":"<reply>"}` (the same words);
 * - with `tools` (and the last message not a `tool` result, `tool_choice` not `none`) the reply is one
 *   call of the first tool, arguments `{}`, finish reason `tool_calls`, completion_tokens = 10 + reasoning;
 * - responses: the same rules, `input` counted as messages (a string is one message, `instructions` one more);
 * - embeddings: prompt_tokens = characters of all inputs ÷ 4 (floored), at least 1 per input;
 * - images: `n` images (default 1) of `size` (default 1024x1024); GPT image models (`gpt-image-*`)
 *   answer base64 with a usage block: input text tokens = 10 + prompt characters ÷ 4, 65 image tokens
 *   per uploaded image, output tokens per image by quality low 272, medium 1056 (also `auto`), high 4160;
 * - audio: the upload is read as 16 kHz 16-bit mono PCM, so duration = file bytes ÷ 32000 s;
 *   `verbose_json` gives `duration`; whisper-1 json gives `usage: { type: 'duration', seconds: ⌈duration⌉ }`;
 *   GPT transcribe models give token usage: audio tokens ⌈duration × 10⌉, text tokens = characters of
 *   `prompt` ÷ 4 (floored), output tokens = words of the text;
 * - speech: 100 bytes of audio per character of `input`.
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
  tools?: { type?: string; function?: { name?: string } }[];
  tool_choice?: unknown;
  response_format?: { type?: string };
  modalities?: string[];
}

/** 16 kHz 16-bit mono PCM: 32,000 bytes a second, to the hundredth. */
const pcmSeconds = (bytes: number) => Math.round((bytes / 32000) * 100) / 100;
const audioTokensOf = (seconds: number) => Math.ceil(seconds * 10);

function inputAudioTokens(content: unknown): number {
  if (!Array.isArray(content)) return 0;
  return (content as ({ type?: unknown; input_audio?: { data?: unknown } } | null)[]).reduce((n, part) => {
    const data = part?.type === 'input_audio' ? part.input_audio?.data : undefined;
    return typeof data === 'string' ? n + audioTokensOf(pcmSeconds(Buffer.from(data, 'base64').length)) : n;
  }, 0);
}

function contentLength(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (Array.isArray(content))
    return (content as ({ text?: unknown } | null)[]).reduce((n, part) => n + (typeof part?.text === 'string' ? part.text.length : 0), 0);
  return 0;
}

function reply(req: RecordedRequest, model: string | undefined): string {
  return Array.from({ length: Math.max(1, header(req, 'x-mock-repeat')) }, () => `Hello from ${model ?? 'model'}!`).join(' ');
}

/** The tool the model "calls": the first one offered, unless the last message already answers a call. */
function toolToCall(body: ChatBody): string | null {
  const last = body.messages?.at(-1);
  if (!body.tools?.length || body.tool_choice === 'none' || last?.role === 'tool') return null;
  return body.tools[0].function?.name ?? 'tool';
}

export function chatUsage(req: RecordedRequest): {
  prompt: number;
  cached: number;
  audioInput: number;
  completion: number;
  reasoning: number;
  audioOutput: number;
  reply: string;
  toolCall: string | null;
} {
  const body = (req.json ?? {}) as ChatBody;
  const messages = body.messages ?? [];
  const audioInput = messages.reduce((n, m) => n + inputAudioTokens(m.content), 0);
  const prompt = 10 * messages.length + Math.floor(messages.reduce((n, m) => n + contentLength(m.content), 0) / 4) + audioInput;
  const text = reply(req, body.model);
  const json = body.response_format?.type === 'json_object' || body.response_format?.type === 'json_schema';
  const reasoning = header(req, 'x-mock-reasoning-tokens');
  const toolCall = toolToCall(body);
  const audioOutput = !toolCall && body.modalities?.includes('audio') ? 10 * text.split(' ').length : 0;
  return {
    prompt,
    cached: Math.min(prompt, header(req, 'x-mock-cached-tokens')),
    audioInput,
    completion: (toolCall ? 10 : text.split(' ').length) + reasoning + audioOutput,
    reasoning,
    audioOutput,
    reply: json ? JSON.stringify({ answer: text }) : text,
    toolCall,
  };
}

function usageBlock(u: ReturnType<typeof chatUsage>) {
  return {
    prompt_tokens: u.prompt,
    completion_tokens: u.completion,
    total_tokens: u.prompt + u.completion,
    prompt_tokens_details: { cached_tokens: u.cached, audio_tokens: u.audioInput },
    completion_tokens_details: { reasoning_tokens: u.reasoning, audio_tokens: u.audioOutput, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** The dated snapshot the real API answers with for an alias (the price book must match those); other models as asked. */
const SNAPSHOTS: Record<string, string> = { 'gpt-4o': 'gpt-4o-2024-08-06', 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18', 'gpt-4-turbo': 'gpt-4-turbo-2024-04-09' };
const datedModel = (model: string | undefined) => SNAPSHOTS[model ?? 'gpt-4o'] ?? model ?? 'gpt-4o';
const CALL_ID = 'call_mock0001';
const AUDIO_ID = 'audio_mock0001';
const CHAT_ID = 'chatcmpl-mock0001';
const CREATED = 1_764_000_000;

/** A chat completion as the API answers it without streaming (also each result of a batch). */
export function chatCompletion(req: RecordedRequest, scenario: Scenario): Record<string, unknown> {
  const body = (req.json ?? {}) as ChatBody;
  const usage = chatUsage(req);
  const message = usage.toolCall
    ? { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: CALL_ID, type: 'function', function: { name: usage.toolCall, arguments: '{}' } }] }
    : usage.audioOutput
      ? {
          role: 'assistant',
          content: null,
          refusal: null,
          audio: { id: AUDIO_ID, data: Buffer.from('RIFF').toString('base64'), expires_at: CREATED + 3600, transcript: usage.reply },
        }
      : { role: 'assistant', content: usage.reply, refusal: null };
  return {
    id: CHAT_ID,
    object: 'chat.completion',
    created: CREATED,
    model: datedModel(body.model),
    choices: [{ index: 0, message, logprobs: null, finish_reason: usage.toolCall ? 'tool_calls' : 'stop' }],
    ...(scenario.noUsage ? {} : { usage: usageBlock(usage) }),
    system_fingerprint: 'fp_mock',
  };
}

async function chat(req: RecordedRequest, res: ServerResponse, scenario: Scenario): Promise<void> {
  const body = (req.json ?? {}) as ChatBody;
  if (!body.stream) {
    sendJson(res, 200, chatCompletion(req, scenario), { 'x-request-id': REQUEST_ID });
    return;
  }
  const model = datedModel(body.model);
  const usage = chatUsage(req);
  const id = CHAT_ID;
  const created = CREATED;
  const finish = usage.toolCall ? 'tool_calls' : 'stop';
  const chunk = (delta: object, finishReason: string | null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    system_fingerprint: 'fp_mock',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
  const events: { data: unknown }[] = [{ data: chunk({ role: 'assistant', content: usage.toolCall ? null : '' }, null) }];
  if (usage.toolCall) {
    events.push({ data: chunk({ tool_calls: [{ index: 0, id: CALL_ID, type: 'function', function: { name: usage.toolCall, arguments: '' } }] }, null) });
    events.push({ data: chunk({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] }, null) });
  } else {
    const piece = (word: string, i: number) => (i === 0 ? word : ` ${word}`);
    usage.reply
      .split(' ')
      .forEach((word, i) =>
        events.push({ data: chunk(usage.audioOutput ? { audio: { id: AUDIO_ID, transcript: piece(word, i) } } : { content: piece(word, i) }, null) }),
      );
  }
  events.push({ data: chunk({}, finish) });
  if (body.stream_options?.include_usage && !scenario.noUsage)
    events.push({ data: { id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageBlock(usage) } });
  events.push({ data: '[DONE]' });
  await sendSse(res, events, scenario);
}

interface ResponsesBody {
  model?: string;
  input?: string | { role?: string; content?: unknown }[];
  instructions?: string;
  stream?: boolean;
}

async function responses(req: RecordedRequest, res: ServerResponse, scenario: Scenario): Promise<void> {
  const body = (req.json ?? {}) as ResponsesBody;
  const items = typeof body.input === 'string' ? [{ content: body.input }] : (body.input ?? []);
  const messages = body.instructions ? [{ content: body.instructions }, ...items] : items;
  const inputTokens = 10 * messages.length + Math.floor(messages.reduce((n, m) => n + contentLength(m.content), 0) / 4);
  const text = reply(req, body.model);
  const reasoning = header(req, 'x-mock-reasoning-tokens');
  const outputTokens = text.split(' ').length + reasoning;
  const usage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: Math.min(inputTokens, header(req, 'x-mock-cached-tokens')) },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: inputTokens + outputTokens,
  };
  const message = (status: string, content: string) => ({
    id: 'msg_mock0001',
    type: 'message',
    status,
    role: 'assistant',
    content: [{ type: 'output_text', text: content, annotations: [] }],
  });
  const response = (status: string, output: unknown[], withUsage: boolean) => ({
    id: 'resp_mock0001',
    object: 'response',
    created_at: 1_764_000_000,
    status,
    model: datedModel(body.model),
    output,
    usage: withUsage && !scenario.noUsage ? usage : null,
  });
  if (!body.stream) {
    sendJson(res, 200, response('completed', [message('completed', text)], true), { 'x-request-id': REQUEST_ID });
    return;
  }
  let seq = 0;
  const event = (type: string, fields: object) => ({ event: type, data: { type, sequence_number: seq++, ...fields } });
  const at = { item_id: 'msg_mock0001', output_index: 0, content_index: 0 };
  const events = [
    event('response.created', { response: response('in_progress', [], false) }),
    event('response.output_item.added', { output_index: 0, item: message('in_progress', '') }),
  ];
  text.split(' ').forEach((word, i) => events.push(event('response.output_text.delta', { ...at, delta: i === 0 ? word : ` ${word}` })));
  events.push(event('response.output_text.done', { ...at, text }));
  events.push(event('response.output_item.done', { output_index: 0, item: message('completed', text) }));
  events.push(event('response.completed', { response: response('completed', [message('completed', text)], true) }));
  await sendSse(res, events, scenario);
}

/** An embeddings response (also each result of a batch). */
export function embeddingsResponse(req: RecordedRequest): Record<string, unknown> {
  const body = (req.json ?? {}) as { model?: string; input?: string | string[] };
  const inputs = Array.isArray(body.input) ? body.input : [body.input ?? ''];
  const tokens = inputs.reduce((n, text) => n + Math.max(1, Math.floor(String(text).length / 4)), 0);
  return {
    object: 'list',
    data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [0.0023, -0.0094, 0.0152] })),
    model: body.model ?? 'text-embedding-3-small',
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

function embeddings(req: RecordedRequest, res: ServerResponse): void {
  sendJson(res, 200, embeddingsResponse(req), { 'x-request-id': REQUEST_ID });
}

interface Multipart {
  fields: Record<string, string>;
  /** Uploaded files by field name (`image[]` is read as `image`), with their bytes. */
  files: Record<string, { filename: string; bytes: number; content: Buffer }[]>;
}

/** A minimal multipart/form-data reader: enough for the SDK's uploads (fields and files). */
export function parseMultipart(req: RecordedRequest): Multipart {
  const out: Multipart = { fields: {}, files: {} };
  const match = /boundary=(?:"([^"]+)"|([^;]+))/.exec(String(req.headers['content-type'] ?? ''));
  if (!match) return out;
  const delimiter = Buffer.from(`--${match[1] ?? match[2]}`);
  const body = req.rawBody;
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length + 2; // past the delimiter and its CRLF
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const headerEnd = body.indexOf('\r\n\r\n', start);
    if (headerEnd !== -1 && headerEnd < next) {
      const headers = body.subarray(start, headerEnd).toString('utf8');
      const content = body.subarray(headerEnd + 4, next - 2); // minus the CRLF before the next delimiter
      const name = /name="([^"]*)"/.exec(headers)?.[1]?.replace(/\[\]$/, '') ?? '';
      const filename = /filename="([^"]*)"/.exec(headers)?.[1];
      if (filename !== undefined) (out.files[name] ??= []).push({ filename, bytes: content.length, content });
      else out.fields[name] = content.toString('utf8');
    }
    at = next;
  }
  return out;
}

/** A 1×1 transparent PNG. */
const PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const IMAGE_OUTPUT_TOKENS: Record<string, number> = { low: 272, medium: 1056, high: 4160 };

function images(req: RecordedRequest, res: ServerResponse, kind: 'generations' | 'edits' | 'variations'): void {
  const form = kind === 'generations' ? null : parseMultipart(req);
  // What the SDKs send: JSON for a generation, form fields (text) for an edit or a variation.
  const params = (form ? form.fields : (req.json ?? {})) as {
    model?: string;
    n?: number | string;
    size?: string;
    quality?: string;
    prompt?: string;
    response_format?: string;
  };
  const model = String(params.model ?? 'dall-e-2');
  const n = Math.max(1, Number(params.n ?? 1) || 1);
  const size = String(params.size ?? '1024x1024');
  const gptImage = model.startsWith('gpt-image');
  const quality = gptImage
    ? params.quality === undefined || params.quality === 'auto'
      ? 'medium'
      : String(params.quality)
    : String(params.quality ?? 'standard');
  const url = !gptImage && params.response_format !== 'b64_json';
  const data = Array.from({ length: n }, (_, i) =>
    url ? { url: `https://mock-llm-server.invalid/images/${i}.png`, revised_prompt: params.prompt ?? null } : { b64_json: PNG_B64 },
  );
  const body: Record<string, unknown> = { created: 1_764_000_000, data };
  if (gptImage) {
    const text = 10 + Math.floor(String(params.prompt ?? '').length / 4);
    const image = 65 * (form?.files.image?.length ?? 0);
    const output = n * (IMAGE_OUTPUT_TOKENS[quality] ?? IMAGE_OUTPUT_TOKENS.medium);
    Object.assign(body, {
      size,
      quality,
      background: 'opaque',
      output_format: 'png',
      usage: {
        input_tokens: text + image,
        input_tokens_details: { text_tokens: text, image_tokens: image },
        output_tokens: output,
        total_tokens: text + image + output,
      },
    });
  }
  sendJson(res, 200, body, { 'x-request-id': REQUEST_ID });
}

const TOKEN_BILLED_TRANSCRIBE = /^gpt-.*transcribe/;

function audioText(req: RecordedRequest, res: ServerResponse, task: 'transcribe' | 'translate'): void {
  const { fields, files } = parseMultipart(req);
  const model = fields.model ?? 'whisper-1';
  const duration = pcmSeconds(files.file?.[0]?.bytes ?? 0);
  const text = reply(req, model);
  const format = fields.response_format ?? 'json';
  if (format === 'text' || format === 'srt' || format === 'vtt') {
    sendBytes(res, 200, Buffer.from(text), 'text/plain; charset=utf-8');
    return;
  }
  const audioTokens = audioTokensOf(duration);
  const textTokens = Math.floor((fields.prompt ?? '').length / 4);
  const outputTokens = text.split(' ').length;
  const usage =
    task === 'translate'
      ? undefined
      : TOKEN_BILLED_TRANSCRIBE.test(model)
        ? {
            type: 'tokens',
            input_tokens: textTokens + audioTokens,
            input_token_details: { text_tokens: textTokens, audio_tokens: audioTokens },
            output_tokens: outputTokens,
            total_tokens: textTokens + audioTokens + outputTokens,
          }
        : { type: 'duration', seconds: Math.ceil(duration) };
  const segments = [{ id: 0, seek: 0, start: 0, end: duration, text, tokens: [], temperature: 0, avg_logprob: -0.2, compression_ratio: 1, no_speech_prob: 0 }];
  const body =
    format === 'verbose_json' ? { task, language: 'english', duration, text, segments, ...(usage ? { usage } : {}) } : { text, ...(usage ? { usage } : {}) };
  sendJson(res, 200, body, { 'x-request-id': REQUEST_ID });
}

const AUDIO_TYPES: Record<string, string> = { mp3: 'audio/mpeg', opus: 'audio/ogg', aac: 'audio/aac', flac: 'audio/flac', wav: 'audio/wav', pcm: 'audio/pcm' };

function speech(req: RecordedRequest, res: ServerResponse): void {
  const body = (req.json ?? {}) as { input?: string; response_format?: string };
  const audio = Buffer.alloc(100 * Array.from(body.input ?? '').length);
  audio.write('ID3');
  sendBytes(res, 200, audio, AUDIO_TYPES[body.response_format ?? 'mp3'] ?? 'audio/mpeg');
}

const ROUTES: Record<string, (req: RecordedRequest, res: ServerResponse, scenario: Scenario) => void | Promise<void>> = {
  '/chat/completions': chat,
  '/responses': responses,
  '/embeddings': embeddings,
  '/images/generations': (req, res) => images(req, res, 'generations'),
  '/images/edits': (req, res) => images(req, res, 'edits'),
  '/images/variations': (req, res) => images(req, res, 'variations'),
  '/audio/transcriptions': (req, res) => audioText(req, res, 'transcribe'),
  '/audio/translations': (req, res) => audioText(req, res, 'translate'),
  '/audio/speech': speech,
};

export const openAiRoutes: RouteHandler = async (req, res, scenario) => {
  if (req.method !== 'POST') return false;
  // api.openai.com paths start with /v1; Azure OpenAI's with /openai/deployments/<deployment>.
  const route = ROUTES[req.path.replace(/^\/v1|^\/openai(\/deployments\/[^/]+)?/, '')];
  if (!route) return false;
  if (scenario.status) {
    openAiError(res, scenario.status);
    return true;
  }
  await route(req, res, scenario);
  return true;
};
