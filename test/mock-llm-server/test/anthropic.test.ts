import Anthropic from '@anthropic-ai/sdk';
import { type MockLlmServer, startMockLlmServer } from '../src';

const PROMPT = [{ role: 'user' as const, content: 'x'.repeat(40) }]; // 10 + 40/4 = 20 prompt tokens

describe('the mock Anthropic Messages API, driven by the real @anthropic-ai/sdk', () => {
  let server: MockLlmServer;
  let client: Anthropic;
  beforeAll(async () => {
    server = await startMockLlmServer();
    client = new Anthropic({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
  });
  afterAll(() => server.close());

  it('answers a message with usage derived from the request, cache reads and writes taken out of input_tokens', async () => {
    const res = await client.messages.create(
      { model: 'claude-sonnet-4-6', max_tokens: 100, system: 'y'.repeat(20), messages: PROMPT },
      { headers: { 'x-mock-cache-read-tokens': '12', 'x-mock-cache-creation-tokens': '3' } },
    );
    expect(res.content).toEqual([{ type: 'text', text: 'Hello from claude-sonnet-4-6!' }]);
    expect(res.model).toBe('claude-sonnet-4-6-20250929');
    expect(res.stop_reason).toBe('end_turn');
    // P = 10 + (40 + 20) / 4 = 25; 25 - 12 - 3 = 10 uncached.
    expect(res.usage).toMatchObject({ input_tokens: 10, cache_read_input_tokens: 12, cache_creation_input_tokens: 3, output_tokens: 3 });
    expect(server.requests.at(-1)).toMatchObject({ path: '/v1/messages', headers: { 'anthropic-version': expect.any(String) } });
  });

  it('caps cache tokens at the prompt size', async () => {
    const res = await client.messages.create(
      { model: 'claude-sonnet-4-6', max_tokens: 100, messages: PROMPT },
      { headers: { 'x-mock-cache-read-tokens': '15', 'x-mock-cache-creation-tokens': '50' } },
    );
    expect(res.usage).toMatchObject({ input_tokens: 0, cache_read_input_tokens: 15, cache_creation_input_tokens: 5 });
  });

  it('stops at max_tokens words with stop_reason max_tokens', async () => {
    const res = await client.messages.create({ model: 'claude-haiku-5-5-20261001', max_tokens: 5, messages: PROMPT }, { headers: { 'x-mock-repeat': '3' } });
    expect(res).toMatchObject({ model: 'claude-haiku-5-5-20261001', stop_reason: 'max_tokens', usage: { output_tokens: 5 } });
  });

  it('streams the SSE event sequence the API sends, which the SDK assembles into the same message', async () => {
    const stream = await client.messages.create(
      { model: 'claude-sonnet-4-6', max_tokens: 100, messages: PROMPT, stream: true },
      { headers: { 'x-mock-repeat': '2', 'x-mock-cache-read-tokens': '4' } },
    );
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      if (event.type === 'message_start') expect(event.message.usage).toMatchObject({ input_tokens: 16, cache_read_input_tokens: 4, output_tokens: 1 });
      if (event.type === 'message_delta') expect(event).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 6 } });
    }
    expect(text).toBe('Hello from claude-sonnet-4-6! Hello from claude-sonnet-4-6!');
    // The SDK drops `ping` events; everything else arrives in order.
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      ...Array<string>(6).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('serves the MessageStream helper and beta.messages', async () => {
    const final = await client.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: PROMPT }).finalMessage();
    expect(final.usage).toMatchObject({ input_tokens: 20, output_tokens: 3 });
    const beta = await client.beta.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: PROMPT, betas: ['context-1m-2025-08-07'] });
    expect(beta.id).toBe('msg_mock0001');
    expect(server.requests.at(-1)?.headers['anthropic-beta']).toBe('context-1m-2025-08-07');
  });

  it.each([
    [429, Anthropic.RateLimitError, 'rate_limit_error'],
    [500, Anthropic.InternalServerError, 'api_error'],
    [529, Anthropic.InternalServerError, 'overloaded_error'],
  ])('answers status %d with an Anthropic error body the SDK raises as its error class', async (status, errorClass, type) => {
    const error = await client.messages
      .create({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: PROMPT }, { headers: { 'x-mock-scenario': `status=${status}` } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ status, requestID: 'req_mock_0001', error: { type: 'error', error: { type } } });
    if (status === 429) expect((error as InstanceType<typeof Anthropic.APIError>).headers?.get('retry-after')).toBe('1');
  });

  it('ends a stream with an overloaded_error event after the requested number of events', async () => {
    const stream = await client.messages.create(
      { model: 'claude-sonnet-4-6', max_tokens: 100, messages: PROMPT, stream: true },
      { headers: { 'x-mock-stream-error': '4' } },
    );
    const seen: string[] = [];
    const error = await (async () => {
      for await (const event of stream) seen.push(event.type);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({ status: undefined, error: { type: 'error', error: { type: 'overloaded_error' } } });
    expect(seen).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
  });

  it('cuts a stream off after the requested number of events', async () => {
    const stream = await client.messages.create(
      { model: 'claude-sonnet-4-6', max_tokens: 100, messages: PROMPT, stream: true },
      { headers: { 'x-mock-scenario': 'cutAfter=3' } },
    );
    const seen: string[] = [];
    const error = await (async () => {
      for await (const event of stream) seen.push(event.type);
    })().catch((e: unknown) => e);
    // The fetch error comes from Node's own realm, so it is checked by shape, not instanceof.
    expect((error as Error | undefined)?.message).toBeTruthy();
    expect(seen).toEqual(['message_start', 'content_block_start']); // the third event was the dropped ping
  });
});
