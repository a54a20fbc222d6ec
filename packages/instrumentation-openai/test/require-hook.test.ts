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

  it('patches openai through the require hook in a real CommonJS process', async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(__dirname, 'fixtures', 'cjs-app.cjs'), `${server.url}/v1`]);
    const spans = JSON.parse(stdout) as { name: string; attributes: Record<string, unknown> }[];
    expect(spans).toEqual([
      expect.objectContaining({
        name: 'chat gpt-4o-mini',
        attributes: expect.objectContaining({ 'gen_ai.usage.input_tokens': 10, 'gen_ai.provider.name': 'openai' }),
      }),
    ]);
    expect(stderr).not.toContain('instrumentation fault');
  }, 30_000);
});
