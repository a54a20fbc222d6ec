import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';

describe('registering before the SDK is required', () => {
  let server: MockLlmServer;
  beforeAll(async () => {
    server = await startMockLlmServer();
  });
  afterAll(() => server.close());

  it('patches @anthropic-ai/sdk through the require hook in a real CommonJS process', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, 'fixtures', 'cjs-app.cjs'), server.url]);
    const spans = JSON.parse(stdout) as { name: string; attributes: Record<string, unknown> }[];
    // 10 prompt tokens for one 2-character message; the first call read 4 of them from the cache.
    expect(spans).toEqual([
      expect.objectContaining({ name: 'chat claude-sonnet-4-6', attributes: expect.objectContaining({ 'gen_ai.provider.name': 'anthropic', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.cache_read.input_tokens': 4, 'gen_ai.usage.output_tokens': 3 }) }),
      expect.objectContaining({ name: 'chat claude-sonnet-4-6', attributes: expect.objectContaining({ 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 3, 'gen_ai.response.finish_reasons': ['end_turn'] }) }),
    ]);
    expect(server.requests).toHaveLength(2);
    // A fresh Node process loads the whole SDK: on a busy machine that alone can pass jest's 5 s default.
  }, 30_000);
});
