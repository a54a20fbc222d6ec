import type { Worker } from 'node:worker_threads';
import { IngestRejections, type RejectionReason } from '../../src/ingest/ingest-rejections';
import { RpcStatus } from '../../src/ingest/otlp-schema';
import { SpanPricingPool } from '../../src/ingest/span-pricing.pool';
import { type RunningCollector, startCollector } from '../support/app';
import { GPT_4O_CHAT, otlpProtobufBody, type SpanSpec } from '../support/spans';

const GPT_4O_NANOS = 23_750_000n;

/** The pool's threads, as it holds them: a test stops one the way a crash would, from outside. */
type PoolThreads = { threads: ({ worker: Worker; waiting: Map<number, unknown> } | null)[] };
const threadsOf = (pool: SpanPricingPool) => (pool as unknown as PoolThreads).threads;

function post(c: RunningCollector, body: Uint8Array) {
  return fetch(`${c.url}/v1/traces`, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': 'application/x-protobuf' } });
}

async function summary(c: RunningCollector) {
  const res = await fetch(`${c.url}/v1/reports/summary?period=all`);
  return (await res.json()) as { totalCostNanos: string; calls: number };
}

const calls = (n: number): SpanSpec[] => Array.from({ length: n }, (_, i) => ({ name: `chat ${i}`, attributes: GPT_4O_CHAT }));

describe('an ingest worker thread that dies', () => {
  jest.setTimeout(120_000);
  let c: RunningCollector;
  beforeEach(async () => {
    c = await startCollector({ TOKENLEDGER_INGEST_WORKERS: '1' });
  });
  afterEach(() => c.close());

  it('answers the request it was pricing 503 with Retry-After, is replaced, and the retry stores every span once beside what was acknowledged before', async () => {
    const pool = c.app.get(SpanPricingPool);
    const acknowledged = await otlpProtobufBody(calls(10));
    expect((await post(c, acknowledged)).status).toBe(200);
    const first = threadsOf(pool)[0]!;

    // Big enough that the thread is still pricing it when it is stopped.
    const lost = await otlpProtobufBody(calls(3000));
    const answer = post(c, lost);
    while (first.waiting.size === 0) await new Promise((resolve) => setImmediate(resolve));
    await first.worker.terminate();
    const refused = await answer;
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await summary(c)).toMatchObject({ calls: 10, totalCostNanos: (10n * GPT_4O_NANOS).toString() });

    expect((await post(c, lost)).status).toBe(200);
    expect(threadsOf(pool)[0]).not.toBe(first);
    expect((await post(c, lost)).status).toBe(200); // the sender's retry of an acknowledged batch
    expect(await summary(c)).toMatchObject({ calls: 3010, totalCostNanos: (3010n * GPT_4O_NANOS).toString() });
  });

  it('tells the sender that the thread pricing its request stopped, not that the store failed, and counts the refusal as that', async () => {
    const pool = c.app.get(SpanPricingPool);
    const reasons: RejectionReason[] = [];
    c.app.get(IngestRejections).subscribe((reason) => reasons.push(reason));
    expect((await post(c, await otlpProtobufBody(calls(1)))).status).toBe(200);
    const thread = threadsOf(pool)[0]!;

    const answer = post(c, await otlpProtobufBody(calls(3000)));
    while (thread.waiting.size === 0) await new Promise((resolve) => setImmediate(resolve));
    await thread.worker.terminate();
    const refused = await answer;
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const { message } = RpcStatus.decode(new Uint8Array(await refused.arrayBuffer()));
    expect(message).toMatch(/pricing .* stopped.*retry/);
    expect(message).not.toMatch(/store/);
    expect(reasons).toEqual(['pricing_stopped']);
  });
});
