import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { sendJson, type RecordedRequest, type RouteHandler, type Scenario } from './http';
import { createRoutes } from './routes';
import { parseScenario } from './scenario';
import { liveSession } from './sockets/gemini-live';
import { realtimeSession } from './sockets/openai-realtime';

export interface MockLlmServer {
  /** e.g. `http://127.0.0.1:40123` (no trailing slash). */
  url: string;
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function scenarioOf(req: RecordedRequest): Scenario {
  const header = req.headers['x-mock-scenario'];
  if (typeof header === 'string') return parseScenario(header);
  const model = (req.json as { model?: unknown } | undefined)?.model;
  if (typeof model === 'string' && model.startsWith('scenario:')) return parseScenario(model.slice('scenario:'.length));
  return {};
}

/** The WebSocket APIs, by path: OpenAI Realtime, Gemini Live (both API versions, constrained tokens too). */
const SOCKETS: [RegExp, (ws: import('ws').WebSocket, url: URL) => void][] = [
  [/^\/v1\/realtime$/, realtimeSession],
  [/^\/ws\/google\.ai\.generativelanguage\.[^/]+\.GenerativeService\.BidiGenerateContent(Constrained)?$/, (ws) => liveSession(ws)],
];

export interface MockLlmServerOptions {
  port?: number;
  handlers?: RouteHandler[];
  /**
   * Serve HTTPS and WSS with this key and certificate (PEM): the openai SDK's Realtime clients only
   * connect with `wss:`. The client process must trust the certificate (NODE_EXTRA_CA_CERTS).
   */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

/** Starts the server on 127.0.0.1 (an ephemeral port unless one is given). */
export async function startMockLlmServer(options: MockLlmServerOptions = {}): Promise<MockLlmServer> {
  const requests: RecordedRequest[] = [];
  const handlers = options.handlers ?? createRoutes();
  const scheme = options.tls ? 'https' : 'http';
  const recordOf = (req: IncomingMessage, url: URL, rawBody: Buffer, json: unknown): RecordedRequest => ({
    method: req.method ?? 'GET',
    origin: `${scheme}://${req.headers.host ?? '127.0.0.1'}`,
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    rawBody,
    json,
  });
  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const rawBody = await readBody(req);
      let json: unknown;
      // @google/genai sends the chunks of a resumable upload with its default JSON content type: they are raw bytes.
      if (String(req.headers['content-type'] ?? '').includes('json') && rawBody.length > 0 && req.headers['x-goog-upload-offset'] === undefined) {
        try {
          json = JSON.parse(rawBody.toString('utf8'));
        } catch {
          sendJson(res, 400, { error: { message: 'body is not valid JSON', type: 'invalid_request_error' } });
          return;
        }
      }
      const recorded = recordOf(req, url, rawBody, json);
      requests.push(recorded);
      const scenario = scenarioOf(recorded);
      for (const handler of handlers) {
        if (await handler(recorded, res, scenario)) return;
      }
      sendJson(res, 404, { error: { message: `mock-llm-server: no route for ${req.method} ${url.pathname}`, type: 'not_found' } });
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(err), type: 'server_error' } });
      else res.destroy();
    }
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest) : createHttpServer(onRequest);
  // The browser WebSocket (OpenAIRealtimeWebSocket) offers the `realtime` subprotocol and needs it chosen.
  const sockets = new WebSocketServer({ noServer: true, handleProtocols: (offered) => (offered.has('realtime') ? 'realtime' : false) });
  server.on('upgrade', (req, socket, head) => {
    // @google/genai joins its base URL's trailing slash and its path into `//ws/…`, which the API accepts.
    const url = new URL((req.url ?? '/').replace(/^\/+/, '/'), 'http://127.0.0.1');
    requests.push(recordOf(req, url, Buffer.alloc(0), undefined));
    const session = SOCKETS.find(([path]) => path.test(url.pathname))?.[1];
    if (!session) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => session(ws, url));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets.clients) ws.terminate();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
