import OpenAI from 'openai';
import { type MockLlmServer, startMockLlmServer } from '../src';

describe('the mock OpenAI API, driven by the real openai SDK', () => {
  let server: MockLlmServer;
  let client: OpenAI;
  beforeAll(async () => {
    server = await startMockLlmServer();
    client = new OpenAI({ apiKey: 'test', baseURL: `${server.url}/v1`, maxRetries: 0 });
  });
  afterAll(() => server.close());

  it('answers a chat completion with usage derived from the request', async () => {
    const res = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(40) }] }, { headers: { 'x-mock-cached-tokens': '5' } });
    expect(res.choices[0].message.content).toBe('Hello from gpt-4o!');
    expect(res.model).toBe('gpt-4o-2024-08-06');
    expect(res.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 5 } });
    expect(server.requests.at(-1)?.path).toBe('/v1/chat/completions');
  });

  it('streams chunks and a final usage chunk when asked', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } }, { headers: { 'x-mock-repeat': '2' } });
    let text = '';
    let usage;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('Hello from gpt-4o! Hello from gpt-4o!');
    expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 6 });
  });

  it('returns OpenAI-shaped errors the SDK raises as APIError', async () => {
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-mock-scenario': 'status=429' } })).rejects.toMatchObject({ status: 429 });
  });

  it('answers embeddings', async () => {
    const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['abcdefgh', 'abcd'] });
    expect(res.data).toHaveLength(2);
    expect(res.usage.prompt_tokens).toBe(3);
  });
});
