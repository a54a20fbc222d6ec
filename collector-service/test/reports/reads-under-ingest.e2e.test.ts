import { type OwnStore, type RunningCollector, startCollector, storeEnvironments } from '../support/app';
import { jsonSpan, jsonTraces } from '../support/otlp-json';
import { GPT_4O_CHAT } from '../support/spans';

/** $0.02375 a call (packages/pricing's hand-computed table). */
const GPT_4O_NANOS = 23_750_000n;
/** Batch k carries 2^k calls: any total of whole batches names, bit by bit, the batches it counts. */
const BATCHES = 11;

const bitsOf = (calls: number) => Array.from({ length: BATCHES }, (_, k) => k).filter((k) => (calls & (1 << k)) !== 0);

describe.each(storeEnvironments('tokenledger_reads'))('reads while ingest stores and folds (%s)', (_store, storeEnv) => {
  jest.setTimeout(300_000);
  let store: OwnStore;
  let c: RunningCollector;
  beforeAll(async () => {
    store = storeEnv.own();
    c = await startCollector(store.env);
  });
  afterAll(async () => {
    await c?.close();
    await store?.drop();
  });

  it('counts every batch acknowledged before the read, each batch whole, exact to the nano', async () => {
    const bodies = Array.from({ length: BATCHES }, (_, k) => jsonTraces(Array.from({ length: 2 ** k }, () => jsonSpan({ attributes: GPT_4O_CHAT }))));
    const started = new Set<number>();
    const acknowledged = new Set<number>();
    const ingest = Promise.all(
      bodies.map(async (body, k) => {
        await new Promise((resolve) => setTimeout(resolve, k * 40));
        started.add(k);
        const res = await fetch(`${c.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
        expect(res.status).toBe(200);
        acknowledged.add(k);
      }),
    );

    const reads: { before: number[]; counted: number[] }[] = [];
    let ingesting = true;
    void ingest.finally(() => (ingesting = false));
    while (ingesting) {
      const before = [...acknowledged];
      const res = await fetch(`${c.url}/v1/reports/summary?period=all`);
      const mayCount = new Set(started);
      const { calls, totalCostNanos } = (await res.json()) as { calls: number; totalCostNanos: string };
      expect(BigInt(totalCostNanos)).toBe(BigInt(calls) * GPT_4O_NANOS);
      const counted = bitsOf(calls);
      expect(calls).toBeLessThan(2 ** BATCHES);
      expect(counted).toEqual(expect.arrayContaining(before));
      for (const k of counted) expect(mayCount.has(k)).toBe(true);
      reads.push({ before, counted });
    }
    await ingest;

    // The reads overlapped the ingest: some saw part of the batches, and the last sees them all.
    expect(reads.some((r) => r.counted.length > 0 && r.counted.length < BATCHES)).toBe(true);
    const res = await fetch(`${c.url}/v1/reports/summary?period=all`);
    expect(await res.json()).toMatchObject({ calls: 2 ** BATCHES - 1, totalCostNanos: (BigInt(2 ** BATCHES - 1) * GPT_4O_NANOS).toString() });
  });
});
