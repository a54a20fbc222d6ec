import Anthropic from '@anthropic-ai/sdk';
import { type MockLlmServer, startMockLlmServer } from '../src';

describe('the mock Anthropic Message Batches API, driven by the real @anthropic-ai/sdk', () => {
  let server: MockLlmServer;
  let client: Anthropic;
  beforeAll(async () => {
    server = await startMockLlmServer();
    client = new Anthropic({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
  });
  afterAll(() => server.close());

  it('ends a batch after one poll and streams its results as the SDK decodes them', async () => {
    const batch = await client.messages.batches.create({
      requests: [
        { custom_id: 'a', params: { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'x'.repeat(40) }] } },
        { custom_id: 'b', params: { model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] } },
      ],
    });
    expect(batch).toMatchObject({ type: 'message_batch', processing_status: 'in_progress', results_url: null, request_counts: { processing: 2 } });
    const ended = await client.messages.batches.retrieve(batch.id);
    expect(ended).toMatchObject({
      processing_status: 'ended',
      results_url: `${server.url}/v1/messages/batches/${batch.id}/results`,
      request_counts: { succeeded: 2 },
    });
    const results = [];
    for await (const r of await client.messages.batches.results(batch.id)) results.push(r);
    // 10 + 40 / 4 = 20 and 10 + 2 / 4 = 10 input tokens; 3 words out.
    expect(results).toEqual([
      {
        custom_id: 'a',
        result: {
          type: 'succeeded',
          message: expect.objectContaining({ model: 'claude-sonnet-4-5-20250929', usage: expect.objectContaining({ input_tokens: 20, output_tokens: 3 }) }),
        },
      },
      {
        custom_id: 'b',
        result: {
          type: 'succeeded',
          message: expect.objectContaining({ model: 'claude-haiku-4-5-20250929', usage: expect.objectContaining({ input_tokens: 10, output_tokens: 3 }) }),
        },
      },
    ]);
  });

  it('lists batches and cancels one', async () => {
    const batch = await client.messages.batches.create({
      requests: [{ custom_id: 'c', params: { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] } }],
    });
    const ids = [];
    for await (const b of client.messages.batches.list()) ids.push(b.id);
    expect(ids).toContain(batch.id);
    expect(await client.messages.batches.cancel(batch.id)).toMatchObject({ processing_status: 'ended', request_counts: { canceled: 1 } });
  });
});
