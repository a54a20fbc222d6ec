import { type Agent, type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Why an export did not get through, as the person running the app would act on it. */
export type SendFailure =
  | { kind: 'unreachable'; detail: string }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'unauthorized'; status: number }
  | { kind: 'server-error'; status: number; attempts: number }
  | { kind: 'rejected'; status: number; body: string }
  | { kind: 'error'; detail: string };

export type SendOutcome = { ok: true; body: Buffer } | { ok: false; failure: SendFailure };

/** Where and how one signal's OTLP requests go. */
export interface OtlpTarget {
  url: string;
  headers: Record<string, string>;
  agent: Agent;
  /** The whole send, retries included, ends within this. */
  timeoutMs: number;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TRANSIENT = new Set([...UNREACHABLE, 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const MAX_ATTEMPTS = 5;
const FIRST_BACKOFF_MS = 1000;

type Attempt = { status: number; retryAfterMs: number | null; body: Buffer } | { error: NodeJS.ErrnoException; timedOut: boolean };

/**
 * One POST. Its socket is unreferenced: an export in flight never keeps the process alive (the hook's
 * shutdown decides how long an exiting app waits for it, see shutdown.ts).
 */
function attempt(target: OtlpTarget, body: Uint8Array, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const url = new URL(target.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'POST', agent: target.agent, headers: { ...target.headers, 'content-length': body.byteLength } });
    let timedOut = false;
    req.on('socket', (socket) => socket.unref());
    req.setTimeout(Math.max(1, timeoutMs), () => {
      timedOut = true;
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error, timedOut }));
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ error, timedOut }));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfterMs: retryAfter(res.headers['retry-after']), body: Buffer.concat(chunks) }));
    });
    req.end(body);
  });
}

function retryAfter(header: string | undefined): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** A pause that does not keep the process alive either. */
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Sends one OTLP request, retrying what the OTLP specification calls retryable (429, 502, 503, 504,
 * a connection that failed or hung) with exponential backoff, all within `target.timeoutMs`.
 */
export async function sendOtlp(target: OtlpTarget, body: Uint8Array, onFailedAttempt: (failure: SendFailure) => void = () => {}): Promise<SendOutcome> {
  const deadline = Date.now() + target.timeoutMs;
  let backoff = FIRST_BACKOFF_MS;
  for (let attempts = 1; ; attempts++) {
    const result = await attempt(target, body, deadline - Date.now());
    let failure: SendFailure;
    let wait: number | null = null;
    if ('error' in result) {
      const code = result.error.code ?? '';
      failure = result.timedOut ? { kind: 'timeout', timeoutMs: target.timeoutMs } : UNREACHABLE.has(code) ? { kind: 'unreachable', detail: code } : { kind: 'error', detail: result.error.message };
      if (result.timedOut || TRANSIENT.has(code)) wait = backoff;
    } else if (result.status >= 200 && result.status < 300) {
      return { ok: true, body: result.body };
    } else if (result.status === 401 || result.status === 403) {
      failure = { kind: 'unauthorized', status: result.status };
    } else if (RETRYABLE_STATUS.has(result.status) || result.status >= 500) {
      failure = { kind: 'server-error', status: result.status, attempts };
      if (RETRYABLE_STATUS.has(result.status)) wait = result.retryAfterMs ?? backoff;
    } else {
      failure = { kind: 'rejected', status: result.status, body: result.body.toString('utf8').slice(0, 200) };
    }
    onFailedAttempt(failure);
    // Jitter of ±20 % spreads the retries of many processes that lost the collector at once.
    const delay = wait === null ? null : wait * (0.8 + Math.random() * 0.4);
    if (delay === null || attempts >= MAX_ATTEMPTS || Date.now() + delay >= deadline) return { ok: false, failure };
    await pause(delay);
    backoff *= 1.5;
  }
}
