import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { InflightLease } from './inflight-bytes';

/**
 * A request body the service refuses: the HTTP status and a message saying what to do. `unread`: the
 * rest of the body was not read, so the answer closes the connection (see `refuseUnread`).
 */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415 | 503,
    message: string,
    readonly unread = false,
  ) {
    super(message);
  }
}

/** The client went away before its body arrived: nobody to answer. */
export class ClientGoneError extends Error {}

export interface BodyLimits {
  maxBytes: number;
  /** Holds the body's bytes (raw and inflated) against the budget of bytes in flight. */
  lease: InflightLease;
}

const busy = (limit: string) => new BodyError(503, `the collector holds as many request bytes as it may at once (${limit}); retry later`, true);

/**
 * Reads a request body up to `maxBytes`, counting while it streams (a huge body is refused before it
 * is held in memory), and inflates `Content-Encoding: gzip` with the same limit on the result. Every
 * byte held is taken from the lease; a body the budget cannot hold is refused with 503.
 */
export async function readBody(req: IncomingMessage, { maxBytes, lease }: BodyLimits): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new BodyError(
      413,
      `request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes (TOKENLEDGER_MAX_BODY_BYTES); send smaller batches`,
      true,
    );
  }
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (err: Error) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.pause();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes)
        return stop(new BodyError(413, `request body exceeds the limit of ${maxBytes} bytes (TOKENLEDGER_MAX_BODY_BYTES); send smaller batches`, true));
      if (!lease.grow(chunk.length)) return stop(busy('TOKENLEDGER_MAX_INFLIGHT_BYTES'));
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('aborted', () => stop(new ClientGoneError(`the client closed the connection after ${size} bytes of its body`)));
    req.once('error', (err) =>
      stop(req.destroyed ? new ClientGoneError(`the client closed the connection after ${size} bytes of its body (${err.message})`) : err),
    );
  });
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding !== 'gzip') throw new BodyError(415, `Content-Encoding "${encoding}" is not supported; use gzip or none`);
  let inflated: Buffer;
  try {
    inflated = gunzipSync(raw, { maxOutputLength: maxBytes });
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new BodyError(413, `decompressed body exceeds the limit of ${maxBytes} bytes (TOKENLEDGER_MAX_BODY_BYTES); send smaller batches`);
    }
    throw new BodyError(400, `body is not valid gzip: ${(err as Error).message}`);
  }
  if (!lease.grow(inflated.length)) throw busy('TOKENLEDGER_MAX_INFLIGHT_BYTES');
  return inflated;
}

/**
 * Answers a request whose body was left unread: the connection closes after the answer, and the
 * rest of the body (up to `discardBytes`) is read and dropped meanwhile, so the client reads the
 * answer instead of a reset (closing a socket with unread data resets it).
 */
export function refuseUnread(req: IncomingMessage, setHeader: (name: string, value: string) => void, discardBytes: number): void {
  setHeader('Connection', 'close');
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > discardBytes) req.destroy();
  });
  req.resume();
}
