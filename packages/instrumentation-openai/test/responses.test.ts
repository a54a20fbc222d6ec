import { finishedSpans, type Harness, harness } from './setup';

// mock: input tokens = 10 × messages + characters ÷ 4 → 'x' × 40 with instructions 'be brief' = 2 × 10 + 48 / 4 = 32
const BODY = { model: 'gpt-4o', input: 'x'.repeat(40), instructions: 'be brief' };
const USAGE_HEADERS = { 'x-mock-cached-tokens': '4', 'x-mock-reasoning-tokens': '2' };

describe('responses.create', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('records a chat span with input tokens incl. cached and output tokens incl. reasoning', async () => {
    const res = await h.client.responses.create({ ...BODY, max_output_tokens: 100, temperature: 0.5 }, { headers: USAGE_HEADERS });
    expect(res.output_text).toBe('Hello from gpt-4o!');
    const [span] = await finishedSpans(h);
    expect(span.name).toBe('chat gpt-4o');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.response.id': 'resp_mock0001',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.request.max_tokens': 100,
      'gen_ai.request.temperature': 0.5,
      'gen_ai.usage.input_tokens': 32,
      'gen_ai.usage.cache_read.input_tokens': 4,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.usage.reasoning.output_tokens': 2,
    });
  });

  it('takes streamed usage from response.completed and keeps the SDK stream working', async () => {
    const stream = await h.client.responses.create({ ...BODY, stream: true }, { headers: { ...USAGE_HEADERS, 'x-mock-repeat': '3' } });
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    expect(text.split(' ')).toHaveLength(9);
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 32,
      'gen_ai.usage.cache_read.input_tokens': 4,
      'gen_ai.usage.output_tokens': 11,
      'gen_ai.usage.reasoning.output_tokens': 2,
      'gen_ai.response.id': 'resp_mock0001',
    });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expect(span.attributes['tokenledger.usage.estimated']).toBeUndefined();
  });

  it('records responses.stream() (which calls create) once', async () => {
    const runner = h.client.responses.stream({ model: 'gpt-4o-mini', input: 'hi' });
    const final = await runner.finalResponse();
    expect(final.output_text).toBe('Hello from gpt-4o-mini!');
    const spans = await finishedSpans(h);
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 3 });
  });

  it('ends a stream the app leaves early without inventing usage', async () => {
    const stream = await h.client.responses.create({ ...BODY, stream: true }, { headers: { 'x-mock-repeat': '5' } });
    let n = 0;
    for await (const _ of stream) if (++n === 3) break;
    const [span] = await finishedSpans(h);
    expect(span.ended).toBe(true);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
  });

  it('records input and output only with content capture on', async () => {
    await h.close();
    h = await harness({ captureMessageContent: true });
    await h.client.responses.create(BODY);
    const [span] = await finishedSpans(h);
    expect(JSON.parse(span.attributes['gen_ai.input.messages'] as string)).toBe('x'.repeat(40));
    expect(span.attributes['gen_ai.system_instructions']).toContain('be brief');
    expect(span.attributes['gen_ai.output.messages']).toContain('Hello from gpt-4o!');
  });

  it('ends the span with error.type on an API error', async () => {
    await expect(h.client.responses.create(BODY, { headers: { 'x-mock-scenario': 'status=500' } })).rejects.toMatchObject({ status: 500 });
    const [span] = await finishedSpans(h);
    expect(span.attributes['error.type']).toBe('500');
  });
});
