import type { WebSocket } from 'ws';
import { parseScenario } from '../scenario';

/**
 * The OpenAI Realtime API over WebSocket (`wss://…/v1/realtime?model=…`), closely enough for the
 * `openai` SDK's `OpenAIRealtimeWS` and `OpenAIRealtimeWebSocket`: the GA event sequence —
 * `session.created`, `session.updated`, `input_audio_buffer.*`, `conversation.item.*`, input audio
 * transcription (`…input_audio_transcription.delta` / `.completed` with usage), and per response
 * `response.created`, output item and content part events, `response.output_audio.delta`,
 * `response.output_audio_transcript.delta` (or `response.output_text.delta`), their `.done`s, and
 * `response.done` with the response's usage.
 *
 * Usage is a documented function of the conversation, so tests can assert it exactly:
 * - appended audio is 24 kHz 16-bit mono PCM, 48,000 bytes a second; a committed buffer is a user
 *   audio item of ⌈seconds × 10⌉ audio tokens;
 * - a user item from `conversation.item.create` is 10 text tokens + characters of its `input_text`
 *   parts ÷ 4 (floored), 85 image tokens per `input_image` part and the audio tokens of its
 *   `input_audio` parts; `instructions` add their characters ÷ 4 in text tokens;
 * - a response's input is the whole conversation so far; what the previous response read is cached
 *   (`cached_tokens`, split by modality in `cached_tokens_details`);
 * - the reply is `Hello from <model>!`; spoken (the default `output_modalities: ['audio']`) it is
 *   words text tokens (the transcript) + 10 × words audio tokens, as text only words text tokens;
 *   the reply joins the conversation (its audio as audio tokens, its text as text tokens);
 * - with a transcription model set (`session.audio.input.transcription.model`), each committed
 *   buffer is transcribed as `Hello from <transcription model>!`: GPT transcribe models report token
 *   usage (the buffer's audio tokens in, the transcript's words out), whisper-1 duration usage
 *   (`seconds` = ⌈duration⌉).
 * `response.create` with `response.metadata['x-mock-scenario']: 'cutAfter=N'` drops the connection
 * after N events of that response (a session that drops mid-response); with `delayMs=N` the
 * response's events come N ms apart (time for the app to close the session mid-response).
 */
interface Tokens {
  text: number;
  audio: number;
  image: number;
}

interface Part {
  type?: string;
  text?: string;
  audio?: string;
}

const AUDIO_BYTES_PER_SECOND = 48_000;
const IMAGE_TOKENS = 85;
const audioTokensOf = (bytes: number) => Math.ceil(Math.round((bytes / AUDIO_BYTES_PER_SECOND) * 100) / 10);
const sum = (a: Tokens, b: Tokens): Tokens => ({ text: a.text + b.text, audio: a.audio + b.audio, image: a.image + b.image });
const NONE: Tokens = { text: 0, audio: 0, image: 0 };
const words = (text: string) => text.split(' ').length;

function itemTokens(content: Part[] | undefined): Tokens {
  let text = 10;
  let audio = 0;
  let image = 0;
  for (const part of content ?? []) {
    if (part.type === 'input_text') text += Math.floor((part.text ?? '').length / 4);
    else if (part.type === 'input_image') image += IMAGE_TOKENS;
    else if (part.type === 'input_audio') audio += audioTokensOf(Buffer.from(part.audio ?? '', 'base64').length);
  }
  return { text, audio, image };
}

interface Session {
  instructions: string;
  outputModalities: string[];
  transcriptionModel: string | null;
}

export function realtimeSession(ws: WebSocket, url: URL): void {
  const model = url.searchParams.get('model');
  const session: Session = { instructions: '', outputModalities: ['audio'], transcriptionModel: null };
  const conversation: Tokens[] = [];
  let previousInput: Tokens = NONE;
  let buffered = 0;
  let ids = 0;
  let events = 0;
  const id = (prefix: string) => `${prefix}_mock${(++ids).toString().padStart(4, '0')}`;
  const send = (type: string, fields: object) => ws.send(JSON.stringify({ type, event_id: `event_mock${++events}`, ...fields }));

  const sessionObject = () => ({
    type: model ? 'realtime' : 'transcription',
    object: 'realtime.session',
    id: 'sess_mock0001',
    ...(model
      ? { model, output_modalities: session.outputModalities, instructions: session.instructions, tools: [], tool_choice: 'auto', max_output_tokens: 'inf' }
      : {}),
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24_000 },
        transcription: session.transcriptionModel ? { model: session.transcriptionModel } : null,
        noise_reduction: null,
        turn_detection: null,
      },
      ...(model ? { output: { format: { type: 'audio/pcm', rate: 24_000 }, voice: 'alloy', speed: 1 } } : {}),
    },
  });

  const addItem = (tokens: Tokens, content: unknown[]) => {
    const item = { id: id('item'), type: 'message', status: 'completed', role: 'user', content };
    conversation.push(tokens);
    send('conversation.item.added', { previous_item_id: null, item });
    send('conversation.item.done', { previous_item_id: null, item });
    return item;
  };

  function transcribe(itemId: string, audioTokens: number, bytes: number): void {
    const transcriber = session.transcriptionModel;
    if (!transcriber) return;
    const transcript = `Hello from ${transcriber}!`;
    send('conversation.item.input_audio_transcription.delta', { item_id: itemId, content_index: 0, delta: transcript });
    const usage = /^gpt-.*transcribe/.test(transcriber)
      ? {
          type: 'tokens',
          input_tokens: audioTokens,
          input_token_details: { text_tokens: 0, audio_tokens: audioTokens },
          output_tokens: words(transcript),
          total_tokens: audioTokens + words(transcript),
        }
      : { type: 'duration', seconds: Math.ceil(bytes / AUDIO_BYTES_PER_SECOND) };
    send('conversation.item.input_audio_transcription.completed', { item_id: itemId, content_index: 0, transcript, usage });
  }

  function respond(request: { output_modalities?: string[]; metadata?: Record<string, string> } | undefined): void {
    const { cutAfter, delayMs } = parseScenario(request?.metadata?.['x-mock-scenario']);
    let sent = 0;
    const emit = (type: string, fields: object): boolean => {
      if (cutAfter !== undefined && sent >= cutAfter) {
        // Let what was sent reach the client first: the drop must land mid-response.
        setTimeout(() => ws.terminate(), 50);
        return false;
      }
      sent++;
      send(type, fields);
      return true;
    };
    const input = conversation.reduce(sum, { ...NONE, text: Math.floor(session.instructions.length / 4) });
    const spoken = (request?.output_modalities ?? session.outputModalities).includes('audio');
    const reply = `Hello from ${model}!`;
    const textOut = words(reply);
    const audioOut = spoken ? 10 * textOut : 0;
    const responseId = id('resp');
    const itemId = id('item');
    const at = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };
    const item = (status: string, transcript: string) => ({
      id: itemId,
      type: 'message',
      status,
      role: 'assistant',
      content: [{ type: spoken ? 'output_audio' : 'output_text', [spoken ? 'transcript' : 'text']: transcript }],
    });
    const response = (status: string, output: unknown[], usage: unknown) => ({
      object: 'realtime.response',
      id: responseId,
      status,
      status_details: null,
      output,
      conversation_id: 'conv_mock0001',
      output_modalities: spoken ? ['audio'] : ['text'],
      max_output_tokens: 'inf',
      usage,
      metadata: request?.metadata ?? null,
    });
    const steps: [string, object][] = [
      ['response.created', { response: response('in_progress', [], null) }],
      ['response.output_item.added', { response_id: responseId, output_index: 0, item: item('in_progress', '') }],
      ['response.content_part.added', { ...at, part: { type: spoken ? 'audio' : 'text', transcript: '' } }],
    ];
    reply.split(' ').forEach((word, i) => {
      const delta = i === 0 ? word : ` ${word}`;
      if (spoken) {
        steps.push(['response.output_audio_transcript.delta', { ...at, delta }]);
        steps.push(['response.output_audio.delta', { ...at, delta: Buffer.alloc(480).toString('base64') }]);
      } else steps.push(['response.output_text.delta', { ...at, delta }]);
    });
    if (spoken) steps.push(['response.output_audio.done', at], ['response.output_audio_transcript.done', { ...at, transcript: reply }]);
    else steps.push(['response.output_text.done', { ...at, text: reply }]);
    steps.push(
      ['response.content_part.done', { ...at, part: { type: spoken ? 'audio' : 'text', transcript: reply } }],
      ['response.output_item.done', { response_id: responseId, output_index: 0, item: item('completed', reply) }],
    );
    const cached = previousInput;
    const usage = {
      total_tokens: input.text + input.audio + input.image + textOut + audioOut,
      input_tokens: input.text + input.audio + input.image,
      output_tokens: textOut + audioOut,
      input_token_details: {
        cached_tokens: cached.text + cached.audio + cached.image,
        text_tokens: input.text,
        audio_tokens: input.audio,
        image_tokens: input.image,
        cached_tokens_details: { text_tokens: cached.text, audio_tokens: cached.audio, image_tokens: cached.image },
      },
      output_token_details: { text_tokens: textOut, audio_tokens: audioOut },
    };
    steps.push(['response.done', { response: response('completed', [item('completed', reply)], usage) }]);
    const finish = () => {
      previousInput = input;
      conversation.push({ text: textOut, audio: audioOut, image: 0 });
    };
    if (!delayMs) {
      for (const [type, fields] of steps) if (!emit(type, fields)) return;
      finish();
      return;
    }
    const next = (i: number) => {
      if (ws.readyState !== ws.OPEN || !emit(...steps[i])) return;
      if (i + 1 < steps.length) setTimeout(() => next(i + 1), delayMs);
      else finish();
    };
    next(0);
  }

  send('session.created', { session: sessionObject() });
  ws.on('message', (data) => {
    let event: {
      type?: string;
      session?: { instructions?: unknown; output_modalities?: string[]; audio?: { input?: { transcription?: { model?: string } | null } } };
      audio?: string;
      item?: { content?: Part[] };
      response?: { output_modalities?: string[]; metadata?: Record<string, string> };
    };
    try {
      // The socket's binaryType is nodebuffer: a message arrives as one Buffer.
      event = JSON.parse((data as Buffer).toString()) as typeof event;
    } catch {
      send('error', {
        error: { type: 'invalid_request_error', code: 'invalid_json', message: 'mock-llm-server: the event is not JSON', param: null, event_id: null },
      });
      return;
    }
    switch (event.type) {
      case 'session.update': {
        const s = event.session ?? {};
        if (typeof s.instructions === 'string') session.instructions = s.instructions;
        if (Array.isArray(s.output_modalities)) session.outputModalities = s.output_modalities;
        const transcription = s.audio?.input?.transcription;
        if (transcription !== undefined) session.transcriptionModel = transcription?.model ?? null;
        send('session.updated', { session: sessionObject() });
        break;
      }
      case 'input_audio_buffer.append':
        buffered += Buffer.from(event.audio ?? '', 'base64').length;
        break;
      case 'input_audio_buffer.clear':
        buffered = 0;
        send('input_audio_buffer.cleared', {});
        break;
      case 'input_audio_buffer.commit': {
        const bytes = buffered;
        buffered = 0;
        const audio = audioTokensOf(bytes);
        const itemId = id('item');
        send('input_audio_buffer.committed', { previous_item_id: null, item_id: itemId });
        conversation.push({ text: 0, audio, image: 0 });
        const item = { id: itemId, type: 'message', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] };
        send('conversation.item.added', { previous_item_id: null, item });
        send('conversation.item.done', { previous_item_id: null, item });
        transcribe(itemId, audio, bytes);
        break;
      }
      case 'conversation.item.create':
        addItem(itemTokens(event.item?.content), event.item?.content ?? []);
        break;
      case 'response.create':
        respond(event.response);
        break;
      default:
        send('error', {
          error: {
            type: 'invalid_request_error',
            code: 'unknown_event',
            message: `mock-llm-server: no handler for ${event.type}`,
            param: null,
            event_id: null,
          },
        });
    }
  });
}
