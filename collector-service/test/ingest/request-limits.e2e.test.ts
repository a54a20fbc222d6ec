import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { billingRoutes, MockBilling, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { type RunningCollector, startCollector } from '../support/app';
import { jsonSpan, jsonTraces } from '../support/otlp-json';
import { startService } from '../support/service-process';
import { GPT_4O_CHAT } from '../support/spans';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request body sent in `chunks` pieces of `chunkBytes`, `pauseMs` apart, with chunked transfer encoding. */
function slowBody(chunks: number, chunkBytes: number, pauseMs: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    async pull(controller) {
      if (sent === chunks) return controller.close();
      if (sent > 0) await sleep(pauseMs);
      sent++;
      controller.enqueue(new Uint8Array(chunkBytes).fill(0x20)); // spaces: valid JSON padding
    },
  });
}

/**
 * Resolves when the server closes the connection, with how long it took; rejects after `limitMs`.
 * Reads whatever the server sends (a 408 before it closes): an unread answer would hold the close back.
 */
function closedWithin(socket: Socket, limitMs: number): Promise<number> {
  const started = Date.now();
  socket.resume();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${limitMs} ms`)), limitMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
    socket.on('error', () => {});
  });
}

describe('limits on requests', () => {
  let c: RunningCollector;
  afterEach(() => c.close());

  it('answers a chunked body over the size limit with 413, not a reset connection', async () => {
    c = await startCollector({ TOKENLEDGER_MAX_BODY_BYTES: String(64 * 1024) });
    const res = await fetch(`${c.url}/v1/traces`, {
      method: 'POST',
      body: slowBody(40, 8 * 1024, 5),
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toMatch(/exceeds the limit of 65536 bytes/);
  });

  it('holds at most TOKENLEDGER_MAX_INFLIGHT_BYTES of bodies at once: beyond it 503 with Retry-After, and the retry is stored', async () => {
    c = await startCollector({ TOKENLEDGER_MAX_BODY_BYTES: String(256 * 1024), TOKENLEDGER_MAX_INFLIGHT_BYTES: String(512 * 1024) });
    const call = JSON.parse(jsonTraces([jsonSpan({ attributes: GPT_4O_CHAT })])) as Record<string, unknown>;
    // Eight bodies of 200 KiB streamed at once: at most two fit the budget at any moment.
    const send = (i: number) => {
      const body = JSON.stringify({ ...call, padding: ' '.repeat(200 * 1024), i });
      const bytes = new TextEncoder().encode(body);
      let offset = 0;
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (offset >= bytes.length) return controller.close();
          await sleep(10);
          controller.enqueue(bytes.subarray(offset, (offset += 16 * 1024)));
        },
      });
      return fetch(`${c.url}/v1/traces`, { method: 'POST', body: stream, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit);
    };
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => send(i)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    for (const refused of answers.filter((r) => r.status === 503)) {
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await refused.json()) as { message: string }).message).toMatch(/TOKENLEDGER_MAX_INFLIGHT_BYTES/);
    }
    // Alone, a refused body fits and is stored (the span of every request is the same one).
    expect((await send(0)).status).toBe(200);
    expect((await (await fetch(`${c.url}/v1/reports/summary?period=all`)).json()) as { calls: number }).toMatchObject({ calls: 1 });
  });

  it('closes connections that send nothing, or headers too slowly, after the idle and header timeouts', async () => {
    c = await startCollector({ TOKENLEDGER_HTTP_IDLE_TIMEOUT_SECONDS: '1', TOKENLEDGER_HTTP_HEADERS_TIMEOUT_SECONDS: '1' });
    const { port } = new URL(c.url);
    const silent = connect(Number(port), '127.0.0.1');
    const dripping = connect(Number(port), '127.0.0.1');
    dripping.on('connect', () => dripping.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n'));
    const drip = setInterval(() => dripping.writable && dripping.write('X-Slow: y\r\n'), 300);
    try {
      const [silentMs, drippingMs] = await Promise.all([closedWithin(silent, 10_000), closedWithin(dripping, 45_000)]);
      expect(silentMs).toBeLessThan(10_000);
      expect(drippingMs).toBeLessThan(45_000);
    } finally {
      clearInterval(drip);
    }
  }, 60_000);
});

describe('a request slower to answer than the idle timeout', () => {
  let c: RunningCollector;
  afterEach(() => c.close());

  it('gets its whole answer: only idle connections and slow requests are cut', async () => {
    // The provider's admin API takes 400 ms a page: the import of a day's bill answers after 2 s or
    // more, twice the idle timeout, with nothing sent to the client meanwhile.
    const billing = new MockBilling();
    billing.openai.addCost('2026-11-02', { lineItem: 'gpt-4o-2024-08-06, input', amountUsd: '1.5' });
    const slowPages = async () => {
      await sleep(400);
      return false;
    };
    const mock = await startMockLlmServer({ handlers: [slowPages, ...billingRoutes(billing)] });
    c = await startCollector({
      TOKENLEDGER_HTTP_IDLE_TIMEOUT_SECONDS: '1',
      TOKENLEDGER_HTTP_HEADERS_TIMEOUT_SECONDS: '1',
      TOKENLEDGER_OPENAI_ADMIN_KEY: billing.adminKeys.openai,
      TOKENLEDGER_OPENAI_ADMIN_BASE_URL: `${mock.url}/v1`,
      TOKENLEDGER_BILL_SYNC_HOURS: '0',
    });
    try {
      const started = Date.now();
      const res = await fetch(`${c.url}/v1/provider-bills/sync?from=2026-11-02&to=2026-11-03&provider=openai`, { method: 'POST' });
      expect(Date.now() - started).toBeGreaterThan(2000);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { results: unknown[] }).results).toEqual([expect.objectContaining({ ok: true, days: 1 })]);
    } finally {
      await mock.close();
    }
  }, 30_000);

  it('still closes a request whose body arrives too slowly, with 408, after the request timeout', async () => {
    c = await startCollector({ TOKENLEDGER_HTTP_HEADERS_TIMEOUT_SECONDS: '1', TOKENLEDGER_HTTP_REQUEST_TIMEOUT_SECONDS: '2' });
    const socket = connect(Number(new URL(c.url).port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('connect', () => socket.write('POST /v1/traces HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n'));
    // A byte every 200 ms: never idle, and never done.
    const drip = setInterval(() => socket.writable && socket.write(' '), 200);
    try {
      expect(await closedWithin(socket, 15_000)).toBeLessThan(15_000);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(drip);
    }
  }, 30_000);

  it('closes 4,000 slow connections held at once: half silent, half sending headers a line at a time', async () => {
    c = await startCollector({ TOKENLEDGER_HTTP_IDLE_TIMEOUT_SECONDS: '1', TOKENLEDGER_HTTP_HEADERS_TIMEOUT_SECONDS: '1' });
    const port = Number(new URL(c.url).port);
    const server = c.app.getHttpServer() as Server;
    let accepted = 0;
    server.on('connection', () => accepted++);
    const sockets: Socket[] = [];
    const closed: Promise<number>[] = [];
    const drip = setInterval(() => sockets.forEach((s, i) => i % 2 === 1 && s.writable && s.write('X-Slow: y\r\n')), 300);
    try {
      // In waves the listen backlog takes: a connection the kernel dropped from a full backlog would
      // look open to the client while the service never held it.
      for (let wave = 0; wave < 16; wave++) {
        for (let i = 0; i < 250; i++) {
          const socket = connect(port, '127.0.0.1');
          if (sockets.length % 2 === 1) socket.on('connect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n'));
          sockets.push(socket);
          closed.push(closedWithin(socket, 40_000));
        }
        while (accepted < sockets.length) await sleep(20);
      }
      expect(await Promise.all(closed)).toHaveLength(4000);
      expect(await new Promise((resolve) => server.getConnections((_, n) => resolve(n)))).toBe(0);
      // The service still answers once they are gone.
      expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
    } finally {
      clearInterval(drip);
      sockets.forEach((s) => s.destroy());
    }
  }, 90_000);

  it('closes a keep-alive connection left idle after its answer', async () => {
    c = await startCollector({ TOKENLEDGER_HTTP_IDLE_TIMEOUT_SECONDS: '1' });
    const socket = connect(Number(new URL(c.url).port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('connect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n'));
    expect(await closedWithin(socket, 10_000)).toBeLessThan(10_000);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/keep-alive/i);
  }, 30_000);
});

describe('a body the client abandons', () => {
  it('is one log line, not a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenledger-aborted-'));
    const service = await startService({ TOKENLEDGER_SQLITE_PATH: join(dir, 'db.sqlite') });
    try {
      const socket = connect(Number(new URL(service.url).port), '127.0.0.1');
      await new Promise((r) => socket.on('connect', r));
      socket.write('POST /v1/traces HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"resourceSpans": [');
      await sleep(300);
      socket.destroy();
      await service.waitForOutput(/aborted by|ERROR/);
      await sleep(500);
      const lines = service
        .output()
        .split('\n')
        .filter((line) => /aborted by/.test(line));
      expect(lines).toHaveLength(1);
      expect(service.output()).not.toMatch(/^\s+at /m);
    } finally {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
