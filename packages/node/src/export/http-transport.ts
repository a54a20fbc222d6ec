import { type Agent, type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type AttemptResult, type SendFailure, sendWithRetries } from './retries';
import { type OtlpTransport, SIGNALS, type Signal } from './transport';

const gzipped = promisify(gzip);

/** Where and how one signal's OTLP/HTTP requests go. */
interface HttpTarget {
  url: string;
  headers: Record<string, string>;
  agent: Agent;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TRANSIENT = new Set([...UNREACHABLE, 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

type Answer = { status: number; retryAfterMs: number | null; body: Buffer } | { error: NodeJS.ErrnoException; timedOut: boolean };

/**
 * One POST. Its socket is unreferenced: an export in flight never keeps the process alive (the hook's
 * shutdown decides how long an exiting app waits for it, see shutdown.ts).
 */
function post(target: HttpTarget, body: Uint8Array, timeoutMs: number): Promise<Answer> {
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

/**
 * An answer as the OTLP specification has a client act on it: 2xx delivered; 429, 502, 503, 504 and a
 * connection that failed or hung retried (after Retry-After, if given); anything else not retried.
 */
function judge(answer: Answer, attempts: number, timeoutMs: number): AttemptResult {
  let failure: SendFailure;
  if ('error' in answer) {
    const code = answer.error.code ?? '';
    // Node's HTTP parser failed on the answer: what an HTTP/2-only server such as an OTLP/gRPC port sends.
    if (code.startsWith('HPE_')) return { ok: false, failure: { kind: 'rejected', status: 'not HTTP/1.1', detail: answer.error.message }, retry: false };
    failure = answer.timedOut
      ? { kind: 'timeout', timeoutMs }
      : UNREACHABLE.has(code)
        ? { kind: 'unreachable', detail: code }
        : { kind: 'error', detail: answer.error.message };
    return { ok: false, failure, retry: answer.timedOut || TRANSIENT.has(code) ? 'backoff' : false };
  }
  if (answer.status >= 200 && answer.status < 300) return { ok: true };
  const status = `HTTP ${answer.status}`;
  if (answer.status === 401 || answer.status === 403) return { ok: false, failure: { kind: 'unauthorized', status }, retry: false };
  if (RETRYABLE_STATUS.has(answer.status)) return { ok: false, failure: { kind: 'server-error', status, attempts }, retry: answer.retryAfterMs ?? 'backoff' };
  if (answer.status >= 500) return { ok: false, failure: { kind: 'server-error', status, attempts }, retry: false };
  return { ok: false, failure: { kind: 'rejected', status, detail: answer.body.toString('utf8').slice(0, 200) }, retry: false };
}

/**
 * OTLP over HTTP for one signal: the endpoint, headers, timeout, TLS agent, compression and
 * serializer (protobuf or JSON) from the standard OTEL_EXPORTER_OTLP_* variables as OpenTelemetry's
 * own exporters read them. Loaded at the first export, not at start: an app that exports nothing
 * never loads the serializers.
 */
export async function openHttpTransport(signal: Signal, protocol: 'http/protobuf' | 'http/json'): Promise<OtlpTransport> {
  const names = SIGNALS[signal];
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { convertLegacyHttpOptions } = require('@opentelemetry/otlp-exporter-base/node-http') as typeof import('@opentelemetry/otlp-exporter-base/node-http');
  const serializers = require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const contentType = protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
  const config = convertLegacyHttpOptions({}, names.env, names.path, { 'Content-Type': contentType });
  const serializer = serializers[protocol === 'http/json' ? names.json : names.protobuf] as { serializeRequest(items: unknown): Uint8Array | undefined };
  const compress = config.compression === 'gzip';
  const target: HttpTarget = {
    url: config.url,
    headers: { ...(await config.headers()), ...(compress ? { 'Content-Encoding': 'gzip' } : {}) },
    agent: await config.agentFactory(new URL(config.url).protocol),
  };
  const timeoutMs = config.timeoutMillis;
  return {
    endpoint: config.url,
    concurrencyLimit: config.concurrencyLimit,
    serialize: (items) => serializer.serializeRequest(items),
    send: async (body, onFailedAttempt) => {
      const payload = compress ? await gzipped(body) : body;
      return sendWithRetries(timeoutMs, async (remainingMs, attempts) => judge(await post(target, payload, remainingMs), attempts, timeoutMs), onFailedAttempt);
    },
    close: () => target.agent.destroy(),
  };
}
