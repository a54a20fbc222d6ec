import OpenAI, { toFile } from 'openai';
import { type MockLlmServer, startMockLlmServer } from '../src';

const lines = [
  { custom_id: 'q-1', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(40) }] } },
  { custom_id: 'q-2', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } },
  { custom_id: 'e-1', method: 'POST', url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: 'abcdefgh' } },
];

describe('the mock OpenAI Batch API, driven by the real openai SDK', () => {
  let server: MockLlmServer;
  let client: OpenAI;
  beforeAll(async () => {
    server = await startMockLlmServer();
    client = new OpenAI({ apiKey: 'test', baseURL: `${server.url}/v1`, maxRetries: 0 });
  });
  afterAll(() => server.close());

  it('runs an uploaded JSONL file as a batch that completes over two polls, with one output line per request', async () => {
    const file = await client.files.create({
      file: await toFile(Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n')), 'requests.jsonl'),
      purpose: 'batch',
    });
    expect(file).toMatchObject({ object: 'file', purpose: 'batch' });
    const batch = await client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { job: 'nightly' },
    });
    expect(batch).toMatchObject({ object: 'batch', status: 'validating', output_file_id: null, metadata: { job: 'nightly' } });
    expect(await client.batches.retrieve(batch.id)).toMatchObject({ status: 'in_progress', output_file_id: null });
    const done = await client.batches.retrieve(batch.id);
    expect(done).toMatchObject({ status: 'completed', request_counts: { total: 3, completed: 3, failed: 0 } });
    const output = (await (await client.files.content(done.output_file_id!)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    // The synchronous endpoints' rules: 10 + 40 / 4 = 20 and 10 + 2 / 4 = 10 prompt tokens, 3 words out; 8 / 4 = 2 embedding tokens.
    expect(output).toEqual([
      {
        id: expect.stringMatching(/^batch_req_/),
        custom_id: 'q-1',
        response: {
          status_code: 200,
          request_id: expect.any(String),
          body: expect.objectContaining({
            object: 'chat.completion',
            model: 'gpt-4o-mini-2024-07-18',
            usage: expect.objectContaining({ prompt_tokens: 20, completion_tokens: 3 }),
          }),
        },
        error: null,
      },
      expect.objectContaining({
        custom_id: 'q-2',
        response: expect.objectContaining({ body: expect.objectContaining({ usage: expect.objectContaining({ prompt_tokens: 10, completion_tokens: 3 }) }) }),
      }),
      expect.objectContaining({
        custom_id: 'e-1',
        response: expect.objectContaining({ body: expect.objectContaining({ object: 'list', usage: { prompt_tokens: 2, total_tokens: 2 } }) }),
      }),
    ]);
  });

  it('lists and cancels batches, and answers an unknown one with a 404 the SDK raises', async () => {
    const file = await client.files.create({ file: await toFile(Buffer.from(JSON.stringify(lines[0])), 'one.jsonl'), purpose: 'batch' });
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const listed = [];
    for await (const b of client.batches.list()) listed.push(b.id);
    expect(listed).toContain(batch.id);
    expect(await client.batches.cancel(batch.id)).toMatchObject({ status: 'cancelled' });
    await expect(client.batches.retrieve('batch_nope')).rejects.toMatchObject({ status: 404 });
  });
});
