import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenError } from './startup-error';

const RETRY_AFTER_SECONDS = '5';

/**
 * Holds the service's HTTP port from the first moment of the start, before the store is open and the
 * app is built: a port in use is said before anything else happens, and while the store is still out
 * of reach (a MongoDB that is not up yet) `/healthz` says the process is alive, `/readyz` says why it
 * is not ready, and every other request is told to retry. The app takes the port over when it is ready.
 */
export class StartupServer {
  private reason = 'starting';

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Binds host:port (0: a free port) or fails with the line that says what to do. */
  static async listen(host: string, port: number): Promise<StartupServer> {
    const server = createServer();
    const bound = await new Promise<number>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, host, port, 'TOKENLEDGER_PORT')));
      server.listen(port, host, () => resolve((server.address() as { port: number }).port));
    });
    // Requests are read only after this continuation has run, so none arrives before the handler.
    const startup = new StartupServer(server, bound);
    server.on('request', (req, res) => startup.answer(req, res));
    return startup;
  }

  /** What `/readyz` says until the app is ready. */
  waitingFor(reason: string): void {
    this.reason = reason;
  }

  /** Frees the port for the app (open connections are closed: clients retry on the app). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return json(res, 200, { status: 'ok' });
    res.setHeader('Retry-After', RETRY_AFTER_SECONDS);
    if (req.method === 'GET' && path === '/readyz') return json(res, 503, { status: 'unavailable', reason: this.reason });
    json(res, 503, { statusCode: 503, message: `the collector service is starting (${this.reason}); retry later` });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  res.end(JSON.stringify(body));
}
