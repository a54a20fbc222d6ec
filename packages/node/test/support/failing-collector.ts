import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Failure = 'hang' | 'slow' | 401 | 503;

export interface FailingCollector {
  url: string;
  /** Request paths in the order they arrived (every attempt, retries included). */
  requests: string[];
  /** How many requests got an answer so far. */
  answered(): number;
  close(): Promise<void>;
}

/**
 * A loopback OTLP/HTTP endpoint that fails the way a collector in trouble does: `hang` takes every
 * request and never answers; `slow` answers 200, but only a minute later; 401 and 503 answer at once
 * with that status.
 */
export async function startFailingCollector(failure: Failure): Promise<FailingCollector> {
  const requests: string[] = [];
  const held = new Set<ServerResponse>();
  let answered = 0;
  const answer = (res: ServerResponse, status: number) => {
    held.delete(res);
    if (res.destroyed) return;
    answered++;
    res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  };
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      if (failure === 'hang') held.add(res);
      else if (failure === 'slow') setTimeout(() => answer(res, 200), 60_000).unref();
      else answer(res, failure);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answered: () => answered,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
