import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';

describe('registering before the SDKs are loaded', () => {
  let server: MockLlmServer;
  beforeAll(async () => {
    server = await startMockLlmServer();
  });
  afterAll(() => server.close());

  it('patches @google/genai and @google/generative-ai through the require hook in a real CommonJS process', async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(__dirname, 'fixtures', 'cjs-app.cjs'), server.url]);
    expect(stderr).not.toContain('instrumentation fault');
    const spans = JSON.parse(stdout) as { name: string; attributes: Record<string, unknown> }[];
    expect(spans).toEqual([
      expect.objectContaining({
        name: 'generate_content gemini-2.5-flash',
        attributes: expect.objectContaining({ 'gen_ai.usage.input_tokens': 10, 'gen_ai.provider.name': 'gcp.gemini' }),
      }),
      expect.objectContaining({
        name: 'generate_content gemini-1.5-flash',
        attributes: expect.objectContaining({ 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 3 }),
      }),
    ]);
  }, 60_000);

  it('patches the ES module builds through the ESM loader hook in a real ESM process', async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(__dirname, 'fixtures', 'esm-app.mjs'), server.url]);
    expect(stderr).not.toContain('instrumentation fault');
    const spans = JSON.parse(stdout) as { name: string; attributes: Record<string, unknown> }[];
    expect(spans).toEqual([
      expect.objectContaining({
        name: 'generate_content gemini-2.5-flash',
        attributes: expect.objectContaining({ 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 3 }),
      }),
      expect.objectContaining({ name: 'embeddings gemini-1.5-flash', attributes: expect.objectContaining({ 'gen_ai.usage.input_tokens': 2 }) }),
    ]);
  }, 60_000); // a test timeout, not a timing assertion: loading the SDKs' ES modules through the loader hook is slow on a busy machine
});
