import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { get, RequestTimeout, timeQuery, figures, MIN_TIMINGS } from '../../../bench/timed-queries.js';

/**
 * The reports benchmark's timing of a query against a real loopback server: a request that gets no
 * answer, or no whole answer, in its timeout ends that query as "over N s" instead of the run.
 */
describe('bench timed queries', () => {
  let server: Server;
  let base: string;
  const held: ServerResponse[] = [];
  let fastRequests = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/fast') {
        fastRequests++;
        res.end('ok');
      } else if (req.url === '/no-answer') held.push(res);
      else if (req.url === '/half-answer') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('part of it');
        held.push(res);
      } else res.writeHead(404).end('no such report');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up a request with no answer, or half an answer, after its timeout', async () => {
    await expect(get(`${base}/no-answer`, 200)).rejects.toBeInstanceOf(RequestTimeout);
    await expect(get(`${base}/half-answer`, 200)).rejects.toBeInstanceOf(RequestTimeout);
    await expect(get(`${base}/fast`, 5000)).resolves.toMatchObject({ status: 200 });
  });

  it('ends a query over the timeout as "over N s", and the next query is timed as usual', async () => {
    const slow = await timeQuery(`${base}/no-answer`, { timeoutMs: 200, rounds: 20, budgetMs: 60_000 });
    expect(slow).toEqual({ overS: 0.2, taken: 0 });
    expect(figures(slow)).toBe('over 0.2 s');
    const fast = await timeQuery(`${base}/fast`, { timeoutMs: 5000, rounds: 5, budgetMs: 60_000 });
    expect(fast).toMatchObject({ taken: 5, rounds: 5 });
    expect(figures(fast)).toMatch(/^p50 [\d.]+ ms, p95 [\d.]+ ms$/);
  });

  it('stops timing a query past its budget once it has the fewest timings, and says how many it took', async () => {
    const before = fastRequests;
    const spent = await timeQuery(`${base}/fast`, { timeoutMs: 5000, rounds: 20, budgetMs: 0 });
    expect(spent).toMatchObject({ taken: MIN_TIMINGS, rounds: 20 });
    expect(fastRequests - before).toBe(MIN_TIMINGS + 1); // and the untimed first request
    expect(figures(spent)).toMatch(new RegExp(`\\(${MIN_TIMINGS} timings\\)$`));
  });

  it('stops on an answer other than 200, naming it', async () => {
    await expect(timeQuery(`${base}/missing`, { timeoutMs: 5000 })).rejects.toThrow(/404 no such report/);
  });
});
