import { type RunningCollector, startCollector } from '../support/app';
import { jsonSpan, jsonTraces } from '../support/otlp-json';
import { GPT_4O_CHAT } from '../support/spans';

const GPT_4O_NANOS = 23_750_000n;
const post = (c: RunningCollector, body: string) => fetch(`${c.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

/**
 * Names an attribute may carry that are also properties of every JavaScript object: looked up in a
 * plain object table they find Object.prototype or its functions instead of nothing.
 */
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

describe('attribute values named like properties of every object', () => {
  let c: RunningCollector;
  beforeAll(async () => {
    c = await startCollector();
  });
  afterAll(async () => {
    await c.close();
  });

  it.each([
    // An operation the table does not know is still a gpt-4o call, priced as one.
    { attribute: 'gen_ai.operation.name', pricedCalls: 6 },
    // A provider it does not know keeps its own name, and nothing prices gpt-4o sold by it.
    { attribute: 'gen_ai.provider.name', pricedCalls: 1 },
  ])('are plain names in $attribute: the batch is stored on the first try, every call counted', async ({ attribute, pricedCalls }) => {
    const service = `prototype-${attribute}`;
    const named = PROTOTYPE_NAMES.map((name) => jsonSpan({ attributes: { ...GPT_4O_CHAT, [attribute]: name } }));
    const res = await post(c, jsonTraces([jsonSpan({ attributes: GPT_4O_CHAT }), ...named], { 'service.name': service }));
    expect(res.status).toBe(200);
    const summary = await fetch(`${c.url}/v1/reports/summary?period=all&service=${service}`);
    expect(await summary.json()).toMatchObject({ calls: 6, unpricedCalls: 6 - pricedCalls, totalCostNanos: (BigInt(pricedCalls) * GPT_4O_NANOS).toString() });
    const breakdown = await fetch(`${c.url}/v1/reports/breakdown?by=provider&period=all&service=${service}`);
    expect(breakdown.status).toBe(200);
  });
});
