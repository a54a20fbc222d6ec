import { finishedSpans, type Harness, harness } from './setup';

const MESSAGES = [{ role: 'user' as const, content: 'x'.repeat(40) }]; // mock: 10 + 40/4 = 20 prompt tokens

/** The previous major of the SDK (installed as `openai-v6`) gets the same spans. */
describe('openai 6', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness({}, 'openai-v6');
  });
  afterEach(() => h.close());

  it('is really the v6 SDK', () => {
    expect((require('openai-v6/version') as typeof import('openai-v6/version')).VERSION).toMatch(/^6\./);
  });

  it('chat: exact usage on a plain completion, and withResponse() still works', async () => {
    const { data, response } = await h.client.chat.completions
      .create({ model: 'gpt-4o', messages: MESSAGES }, { headers: { 'x-mock-cached-tokens': '8' } })
      .withResponse();
    expect(data.choices[0].message.content).toBe('Hello from gpt-4o!');
    expect(response.status).toBe(200);
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.cache_read.input_tokens': 8,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.response.finish_reasons': ['stop'],
    });
  });

  it('chat stream: usage from the final chunk, and tee() still works', async () => {
    const stream = await h.client.chat.completions.create(
      { model: 'gpt-4o', messages: MESSAGES, stream: true, stream_options: { include_usage: true } },
      { headers: { 'x-mock-repeat': '2' } },
    );
    const [a, b] = stream.tee();
    const read = async (s: typeof a) => {
      let t = '';
      for await (const c of s) t += c.choices[0]?.delta?.content ?? '';
      return t;
    };
    const [ta, tb] = await Promise.all([read(a), read(b)]);
    expect(ta).toBe('Hello from gpt-4o! Hello from gpt-4o!');
    expect(tb).toBe(ta);
    const spans = await finishedSpans(h);
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 20, 'gen_ai.usage.output_tokens': 6 });
  });

  it('chat stream without usage: estimated', async () => {
    const stream = await h.client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES, stream: true });
    for await (const _ of stream) {
      /* drain */
    }
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.output_tokens': 8, 'tokenledger.usage.estimated': true });
  });

  it('embeddings: input tokens', async () => {
    await h.client.embeddings.create({ model: 'text-embedding-3-small', input: ['abcdefgh', 'abcd'] });
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.usage.input_tokens': 3 });
  });

  it('parse() and responses are recorded once', async () => {
    await h.client.chat.completions.parse({ model: 'gpt-4o', messages: MESSAGES, response_format: { type: 'json_object' } });
    await h.client.responses.create({ model: 'gpt-4o', input: 'hi' });
    const spans = await finishedSpans(h);
    expect(spans.map((s) => s.attributes['gen_ai.usage.output_tokens'])).toEqual([3, 3]);
  });
});
