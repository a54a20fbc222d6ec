import { context, propagation } from '@opentelemetry/api';
import { finishedSpans, type Harness, harness } from './setup';

const MESSAGES = [{ role: 'user' as const, content: 'x'.repeat(40) }]; // mock: 10 + 40/4 = 20 prompt tokens
const ATTRIBUTION = propagation.createBaggage({
  'user.id': { value: 'alice' },
  'tokenledger.feature': { value: 'refunds' },
  'tokenledger.tag.team': { value: 'payments' },
});

/** Durations and times vary from run to run: any number stands for them. */
const ANY_NUMBER: unknown = expect.any(Number);

/** Every data point the GenAI metrics exported: instrument, attributes, count and sum. */
async function metricPoints(h: Harness) {
  const metrics = (await h.metrics()).scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.descriptor.name.startsWith('gen_ai.'));
  return metrics
    .flatMap((m) =>
      m.dataPoints.map((p) => {
        const { count, sum } = p.value as { count: number; sum: number };
        return { name: m.descriptor.name, attributes: p.attributes, count, sum: m.descriptor.unit === 's' ? ANY_NUMBER : sum };
      }),
    )
    .sort((a, b) => `${a.name}${String(a.attributes['gen_ai.token.type'])}`.localeCompare(`${b.name}${String(b.attributes['gen_ai.token.type'])}`));
}

/**
 * The whole of what a chat call and a streamed one export — every span attribute and every metric
 * data point, nothing more — so that a change to how they are recorded cannot change what is recorded.
 */
describe('what a chat call exports', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  const callAttributes = (port: number) => ({
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'server.address': '127.0.0.1',
    'server.port': port,
    'user.id': 'alice',
    'tokenledger.feature': 'refunds',
    'tokenledger.tag.team': 'payments',
    'gen_ai.request.temperature': 0.2,
    'gen_ai.response.id': 'chatcmpl-mock0001',
    'gen_ai.response.model': 'gpt-4o-2024-08-06',
    'gen_ai.response.finish_reasons': ['stop'],
  });
  const metricAttributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.response.model': 'gpt-4o-2024-08-06',
    'server.address': '127.0.0.1',
  };

  it('exports exactly the span attributes and metric points of a chat call, attributed from baggage', async () => {
    await context.with(propagation.setBaggage(context.active(), ATTRIBUTION), () =>
      h.client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES, temperature: 0.2 }, { headers: { 'x-mock-cached-tokens': '8' } }),
    );
    const [span] = await finishedSpans(h);
    expect(span.attributes).toEqual({
      ...callAttributes(h.server.port),
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.cache_read.input_tokens': 8,
      'gen_ai.usage.output_tokens': 3,
    });
    expect(await metricPoints(h)).toEqual([
      { name: 'gen_ai.client.operation.duration', attributes: metricAttributes, count: 1, sum: ANY_NUMBER },
      { name: 'gen_ai.client.token.usage', attributes: { ...metricAttributes, 'gen_ai.token.type': 'input' }, count: 1, sum: 20 },
      { name: 'gen_ai.client.token.usage', attributes: { ...metricAttributes, 'gen_ai.token.type': 'output' }, count: 1, sum: 3 },
    ]);
  });

  it('exports exactly the span attributes and metric points of a streamed chat call, with its time to first chunk', async () => {
    await context.with(propagation.setBaggage(context.active(), ATTRIBUTION), async () => {
      const stream = await h.client.chat.completions.create(
        { model: 'gpt-4o', messages: MESSAGES, temperature: 0.2, stream: true, stream_options: { include_usage: true } },
        { headers: { 'x-mock-repeat': '3' } }, // 9 words, one chunk each
      );
      for await (const _chunk of stream);
    });
    const [span] = await finishedSpans(h);
    expect(span.attributes).toEqual({
      ...callAttributes(h.server.port),
      'gen_ai.response.time_to_first_chunk': ANY_NUMBER,
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.output_tokens': 9,
    });
    expect(await metricPoints(h)).toEqual([
      { name: 'gen_ai.client.operation.duration', attributes: metricAttributes, count: 1, sum: ANY_NUMBER },
      { name: 'gen_ai.client.operation.time_to_first_chunk', attributes: metricAttributes, count: 1, sum: ANY_NUMBER },
      { name: 'gen_ai.client.token.usage', attributes: { ...metricAttributes, 'gen_ai.token.type': 'input' }, count: 1, sum: 20 },
      { name: 'gen_ai.client.token.usage', attributes: { ...metricAttributes, 'gen_ai.token.type': 'output' }, count: 1, sum: 9 },
    ]);
  });
});
