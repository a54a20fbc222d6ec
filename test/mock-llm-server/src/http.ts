import type { ServerResponse } from 'node:http';

/** One request the server received, kept so tests can assert what the SDK sent (or that nothing was sent). */
export interface RecordedRequest {
  method: string;
  /** `http://127.0.0.1:port` (`https:` when the server speaks TLS): for URLs the server hands out. */
  origin: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Raw body bytes (multipart uploads stay raw). */
  rawBody: Buffer;
  /** Parsed JSON body, when the body was JSON. */
  json: unknown;
}

/** How a test asks for a failure or a slow/cut stream: the `x-mock-scenario` request header, or a model name starting with `scenario:`. */
export interface Scenario {
  /** Respond with this HTTP status and the provider's error body. */
  status?: number;
  /** Delay between stream events, ms. */
  delayMs?: number;
  /** End the connection abruptly after this many stream events. */
  cutAfter?: number;
  /** Omit the usage block (stream without `include_usage`, or a response without usage). */
  noUsage?: boolean;
}

/** A request the server makes up to answer one inside another (each line of a batch), with no headers of its own. */
export function innerRequest(outer: RecordedRequest, path: string, json: unknown): RecordedRequest {
  return { method: 'POST', origin: outer.origin, path, query: new URLSearchParams(), headers: {}, rawBody: Buffer.from(JSON.stringify(json ?? null)), json };
}

export type RouteHandler = (req: RecordedRequest, res: ServerResponse, scenario: Scenario) => Promise<boolean> | boolean;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

export function sendBytes(res: ServerResponse, status: number, body: Buffer, contentType: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': body.length });
  res.end(body);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Writes Server-Sent Events. Each event is `{ event?, data }` where data is an object (JSON-encoded)
 * or a raw string (`[DONE]`). Honours the scenario's delay and cut-off.
 */
export async function sendSse(res: ServerResponse, events: ReadonlyArray<{ event?: string; data: unknown }>, scenario: Scenario): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  let sent = 0;
  for (const { event, data } of events) {
    if (scenario.cutAfter !== undefined && sent >= scenario.cutAfter) {
      // Let what was written reach the client first: the cut must land mid-stream, not before it.
      await sleep(50);
      res.socket?.destroy();
      return;
    }
    if (scenario.delayMs) await sleep(scenario.delayMs);
    if (res.destroyed || res.writableEnded) return;
    const line = typeof data === 'string' ? data : JSON.stringify(data);
    res.write(`${event ? `event: ${event}\n` : ''}data: ${line}\n\n`);
    sent++;
  }
  res.end();
}
