import { context, propagation } from '@opentelemetry/api';
import { finishedSpans, type Harness, harness, MODEL, PROMPT } from './setup';

const as = <T>(user: string, fn: () => Promise<T>) =>
  context.with(propagation.setBaggage(context.active(), propagation.createBaggage({ 'user.id': { value: user } })), fn);

describe('Anthropic message batches', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  async function endedBatch() {
    const batch = await as('ana', () =>
      h.client.messages.batches.create({
        requests: [
          { custom_id: 'a', params: { model: MODEL, max_tokens: 100, messages: PROMPT } },
          { custom_id: 'b', params: { model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] } },
        ],
      }),
    );
    await h.client.messages.batches.retrieve(batch.id);
    return batch;
  }

  it('records each succeeded result as a call when the app iterates them, attributed as when the batch was created', async () => {
    const batch = await endedBatch();
    const seen: string[] = [];
    await as('bob', async () => {
      for await (const r of await h.client.messages.batches.results(batch.id)) seen.push(r.custom_id);
    });
    expect(seen).toEqual(['a', 'b']);
    const spans = (await finishedSpans(h)).filter((s) => s.instrumentationScope.name === '@tokenledger/instrumentation-anthropic');
    const [created, reading] = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'batch');
    expect(created).toMatchObject({ name: `batch ${MODEL}` });
    expect(created.attributes).toMatchObject({ 'tokenledger.batch.id': batch.id, 'user.id': 'ana' });
    const results = spans.filter((s) => s.attributes['tokenledger.batch'] === true);
    // mock: 10 + 40 / 4 = 20 and 10 + 2 / 4 = 10 input tokens, 3 words out
    expect(
      results.map((s) => [
        s.attributes['tokenledger.batch.request_id'],
        s.attributes['gen_ai.usage.input_tokens'],
        s.attributes['gen_ai.usage.output_tokens'],
        s.attributes['user.id'],
      ]),
    ).toEqual([
      ['a', 20, 3, 'ana'],
      ['b', 10, 3, 'ana'],
    ]);
    for (const r of results) {
      expect(r.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.response.model': `${MODEL}-20250929`, 'tokenledger.batch.id': batch.id });
      expect(r.parentSpanContext?.spanId).toBe(reading.spanContext().spanId);
    }
    expect(reading.ended).toBe(true);
  });

  it('records results once when they are read again, and creating and polling make no call', async () => {
    const batch = await endedBatch();
    expect(
      (await finishedSpans(h)).filter((s) => s.attributes['gen_ai.operation.name'] !== 'batch' && s.instrumentationScope.name.startsWith('@tokenledger')),
    ).toEqual([]);
    for (let i = 0; i < 2; i++) for await (const _ of await h.client.messages.batches.results(batch.id));
    expect((await finishedSpans(h)).filter((s) => s.attributes['tokenledger.batch'] === true)).toHaveLength(2);
  });

  it('records 1-hour cache writes apart from the cache writes they are part of', async () => {
    await h.client.messages.create(
      { model: MODEL, max_tokens: 100, messages: PROMPT },
      { headers: { 'x-mock-cache-creation-tokens': '8', 'x-mock-cache-creation-1h-tokens': '6' } },
    );
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.cache_creation.input_tokens': 8,
      'tokenledger.usage.cache_creation_1h.input_tokens': 6,
    });
  });
});
