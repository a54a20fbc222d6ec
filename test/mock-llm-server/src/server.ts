import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson, type RecordedRequest, type RouteHandler, type Scenario } from './http';
import { routes } from './routes';

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

/** Parses `x-mock-scenario: status=429,delayMs=10,cutAfter=3,noUsage` into a Scenario. */
export function parseScenario(value: string | undefined): Scenario {
  const scenario: Scenario = {};
  if (!value) return scenario;
  for (const part of value.split(',')) {
    const [key, raw] = part.split('=').map((s) => s.trim());
    if (key === 'noUsage') scenario.noUsage = true;
    else if (key === 'status' || key === 'delayMs' || key === 'cutAfter') scenario[key] = Number(raw);
  }
  return scenario;
}

function scenarioOf(req: RecordedRequest): Scenario {
  const header = req.headers['x-mock-scenario'];
  if (typeof header === 'string') return parseScenario(header);
  const model = (req.json as { model?: unknown } | undefined)?.model;
  if (typeof model === 'string' && model.startsWith('scenario:')) return parseScenario(model.slice('scenario:'.length));
  return {};
}

/** Starts the server on 127.0.0.1 (an ephemeral port unless one is given). */
export async function startMockLlmServer(options: { port?: number; handlers?: RouteHandler[] } = {}): Promise<MockLlmServer> {
  const requests: RecordedRequest[] = [];
  const handlers = options.handlers ?? routes;
  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const rawBody = await readBody(req);
      let json: unknown;
      if (String(req.headers['content-type'] ?? '').includes('json') && rawBody.length > 0) {
        try {
          json = JSON.parse(rawBody.toString('utf8'));
        } catch {
          sendJson(res, 400, { error: { message: 'body is not valid JSON', type: 'invalid_request_error' } });
          return;
        }
      }
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, json };
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
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
