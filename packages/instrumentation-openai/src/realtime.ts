import { childCall, GenAiCall, type GenAiSurfaceContext, guard, type Usage } from '@tokenledger/instrumentation-common';
import * as sc from '@tokenledger/semconv';
import { providerFromBaseUrl } from './provider';

/** A Realtime usage block (`response.done`), as the GA and beta APIs report it. */
interface RealtimeUsage {
  input_tokens?: number;
  output_tokens?: number;
  input_token_details?: {
    cached_tokens?: number;
    audio_tokens?: number;
    image_tokens?: number;
    cached_tokens_details?: { audio_tokens?: number; image_tokens?: number };
  };
  output_token_details?: { audio_tokens?: number };
}

interface RealtimeResponse {
  id?: string;
  status?: string;
  status_details?: { reason?: string; error?: { type?: string; message?: string } } | null;
  usage?: RealtimeUsage | null;
}

interface RealtimeSessionConfig {
  model?: string;
  /** GA: `audio.input.transcription`; beta: `input_audio_transcription`. */
  audio?: { input?: { transcription?: { model?: string } | null } };
  input_audio_transcription?: { model?: string } | null;
}

interface TranscriptionUsage {
  type?: string;
  seconds?: number;
  input_tokens?: number;
  output_tokens?: number;
  input_token_details?: { audio_tokens?: number };
}

interface RealtimeEvent {
  type?: string;
  session?: RealtimeSessionConfig;
  response?: RealtimeResponse;
  usage?: TranscriptionUsage;
}

/** What a session reads off the SDK's client (OpenAIRealtimeWS or OpenAIRealtimeWebSocket). */
interface RealtimeClient {
  url?: URL | string;
  socket?: SocketLike;
  /** Set when the app asked the SDK to reconnect: a dropped socket is then not the end of the session. */
  _recovery?: unknown;
}
type SocketLike = { on?: (event: 'close', listener: () => void) => unknown; addEventListener?: (event: 'close', listener: () => void) => unknown };

/** A response the session dropped before its `response.done`: it ends without usage, with this error. */
export class RealtimeSessionClosedError extends Error {
  constructor() {
    super('the Realtime session closed before response.done');
    this.name = 'RealtimeSessionClosedError';
  }
}

/** A response that ended `failed`: its usage (billed) is kept, with this error. */
export class RealtimeResponseFailedError extends Error {
  constructor(detail: string) {
    super(`the Realtime response failed: ${detail}`);
    this.name = 'RealtimeResponseFailedError';
  }
}

/** Realtime usage in GenAI terms: input includes cached tokens and every modality, output audio. */
export function usageOfRealtime(u: RealtimeUsage | null | undefined): Usage | null {
  if (!u) return null;
  const input = u.input_token_details;
  return {
    input: u.input_tokens,
    output: u.output_tokens,
    cacheRead: input?.cached_tokens,
    audioInput: input?.audio_tokens,
    audioOutput: u.output_token_details?.audio_tokens,
    details: {
      audioCacheRead: input?.cached_tokens_details?.audio_tokens,
      imageInput: input?.image_tokens,
      imageCacheRead: input?.cached_tokens_details?.image_tokens,
    },
  };
}

/** A response's status in the conventions' finish reason words where one exists. */
function finishReason(r: RealtimeResponse): string | undefined {
  if (r.status === 'completed') return 'stop';
  if (r.status === 'incomplete') return r.status_details?.reason === 'max_output_tokens' ? 'length' : (r.status_details?.reason ?? 'incomplete');
  return r.status;
}

/**
 * One Realtime session: a `session` span for its life (no usage of its own), a `chat` call per
 * response from `response.created` to `response.done` with that response's usage, and an
 * `audio_transcription` call per completed input audio transcription, priced at the transcription
 * model's rate. Deltas are never read. When the socket closes (the app closed it, or it dropped),
 * responses still in flight end without usage, with RealtimeSessionClosedError; everything already
 * done stays recorded.
 */
class RealtimeSession {
  private readonly session: GenAiCall;
  private responseModel: string | undefined;
  private transcriptionModel: string | null = null;
  private readonly responses = new Map<string, GenAiCall>();
  private watched: SocketLike | undefined;
  private closed = false;

  constructor(
    private readonly ctx: GenAiSurfaceContext,
    private readonly client: RealtimeClient,
    first: RealtimeEvent,
  ) {
    const url = client.url === undefined ? undefined : new URL(String(client.url));
    const target = providerFromBaseUrl(url ? `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}` : undefined, false);
    const model = url?.searchParams.get('model') ?? first.session?.model ?? 'unknown';
    this.session = new GenAiCall(ctx.tracer(), ctx.metrics(), {
      operation: sc.GenAiOperation.SESSION,
      provider: ctx.providerName() || target.provider,
      requestModel: model,
      serverAddress: target.serverAddress,
      serverPort: target.serverPort,
    });
  }

  event(e: RealtimeEvent): void {
    if (this.closed) return;
    this.watchSocket();
    switch (e.type) {
      case 'session.created':
      case 'session.updated':
        this.configure(e.session);
        break;
      case 'response.created':
        if (e.response?.id) this.responses.set(e.response.id, this.call(sc.GenAiOperation.CHAT, this.session.start.requestModel, e.response.id));
        break;
      case 'response.done':
        this.done(e.response ?? {});
        break;
      case 'conversation.item.input_audio_transcription.completed':
        this.transcribed(e.usage);
        break;
    }
  }

  /** The socket closed: a reconnecting client goes on in a new one; otherwise the session is over. */
  socketClosed(): void {
    this.abandonResponses();
    if (!this.client._recovery) this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abandonResponses();
    this.session.end(null);
  }

  private configure(s: RealtimeSessionConfig | undefined): void {
    if (!s) return;
    if (s.model) {
      this.responseModel = s.model;
      this.session.response({ model: s.model });
    }
    const transcription =
      s.audio?.input && 'transcription' in s.audio.input
        ? s.audio.input.transcription
        : 'input_audio_transcription' in s
          ? s.input_audio_transcription
          : undefined;
    if (transcription !== undefined) this.transcriptionModel = transcription?.model ?? null;
  }

  private call(operation: string, model: string, id?: string): GenAiCall {
    const call = childCall(this.ctx, this.session, { operation, requestModel: model });
    call.response({ id, model: operation === sc.GenAiOperation.CHAT ? this.responseModel : undefined });
    return call;
  }

  private done(r: RealtimeResponse): void {
    const call = (r.id && this.responses.get(r.id)) || this.call(sc.GenAiOperation.CHAT, this.session.start.requestModel, r.id);
    if (r.id) this.responses.delete(r.id);
    const reason = finishReason(r);
    if (reason) call.response({ finishReasons: [reason] });
    const error = r.status === 'failed' ? new RealtimeResponseFailedError(r.status_details?.error?.type ?? 'failed') : undefined;
    call.end(usageOfRealtime(r.usage), error);
  }

  private transcribed(u: TranscriptionUsage | undefined): void {
    const call = this.call(sc.GenAiOperation.AUDIO_TRANSCRIPTION, this.transcriptionModel ?? 'unknown');
    if (u?.type === 'duration' && typeof u.seconds === 'number') call.end(null, undefined, { [sc.ATTR_TOKENLEDGER_AUDIO_SECONDS]: u.seconds });
    else if (u?.type === 'tokens') call.end({ input: u.input_tokens, output: u.output_tokens, audioInput: u.input_token_details?.audio_tokens });
    else call.end(null);
  }

  private abandonResponses(): void {
    for (const call of this.responses.values()) call.end(null, new RealtimeSessionClosedError());
    this.responses.clear();
  }

  /** Listens for the close of the client's current socket (a reconnecting client replaces it). */
  private watchSocket(): void {
    const socket = this.client.socket;
    if (!socket || socket === this.watched) return;
    this.watched = socket;
    const closed = () => guard('ending a Realtime session', () => socket === this.client.socket && this.socketClosed());
    if (typeof socket.on === 'function') socket.on('close', closed);
    else socket.addEventListener?.('close', closed);
  }
}

/** The server events a session reads; every other one (each `*.delta` among them) passes after one lookup. */
const READ = new Set(['session.created', 'session.updated', 'response.created', 'response.done', 'conversation.item.input_audio_transcription.completed']);

type Emit = (this: RealtimeClient, name: string, ...args: unknown[]) => unknown;

/**
 * Wraps the `_emit` of the SDK's Realtime clients (OpenAIRealtimeEmitter, the base of
 * OpenAIRealtimeWS and OpenAIRealtimeWebSocket): every server event passes through it as
 * `_emit('event', event)` before the app's listeners see it, whichever way the client was made
 * (`new`, `create()`, `azure()`). A client's session starts with its first event; a reconnecting
 * client's final `close` ends it.
 */
export function realtimeEmit(ctx: GenAiSurfaceContext): (original: Emit) => Emit {
  const sessions = new WeakMap<RealtimeClient, RealtimeSession>();
  return (original) =>
    function (this: RealtimeClient, name: string, ...args: unknown[]) {
      if (name === 'event') {
        const event = args[0] as RealtimeEvent | undefined;
        if (event && READ.has(event.type as string)) {
          guard('reading a Realtime event', () => {
            let session = sessions.get(this);
            if (!session) sessions.set(this, (session = new RealtimeSession(ctx, this, event)));
            session.event(event);
          });
        }
      } else if (name === 'close') guard('ending a Realtime session', () => sessions.get(this)?.close());
      return original.call(this, name, ...args);
    };
}
