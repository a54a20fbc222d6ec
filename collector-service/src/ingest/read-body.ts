import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** A request body the service refuses: the HTTP status and a message saying what to do. */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a request body up to `maxBytes`, counting while it streams (a huge body is refused before it
 * is held in memory), and inflates `Content-Encoding: gzip` with the same limit on the result.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new BodyError(413, `request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes (TOKENLEDGER_MAX_BODY_BYTES); send smaller batches`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      req.destroy();
      throw new BodyError(413, `request body exceeds the limit of ${maxBytes} bytes (TOKENLEDGER_MAX_BODY_BYTES); send smaller batches`);
    }
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks);
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding !== 'gzip') throw new BodyError(415, `Content-Encoding "${encoding}" is not supported; use gzip or none`);
  try {
    return gunzipSync(raw, { maxOutputLength: maxBytes });
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new BodyError(413, `decompressed body exceeds the limit of ${maxBytes} bytes (TOKENLEDGER_MAX_BODY_BYTES); send smaller batches`);
    }
    throw new BodyError(400, `body is not valid gzip: ${(err as Error).message}`);
  }
}
