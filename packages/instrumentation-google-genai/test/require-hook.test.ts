import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';

describe('registering before the SDKs are required', () => {
  let server: MockLlmServer;
  beforeAll(async () => {
    server = await startMockLlmServer();
  });
  afterAll(() => server.close());

  it('patches @google/genai and @google/generative-ai through the require hook in a real CommonJS process', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, 'fixtures', 'cjs-app.cjs'), server.url]);
    const spans = JSON.parse(stdout) as { name: string; attributes: Record<string, unknown> }[];
    expect(spans).toEqual([
      expect.objectContaining({ name: 'generate_content gemini-2.5-flash', attributes: expect.objectContaining({ 'gen_ai.usage.input_tokens': 10, 'gen_ai.provider.name': 'gcp.gemini' }) }),
      expect.objectContaining({ name: 'generate_content gemini-1.5-flash', attributes: expect.objectContaining({ 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 3 }) }),
    ]);
  });
});
