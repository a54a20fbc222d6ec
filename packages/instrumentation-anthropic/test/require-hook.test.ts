import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';

interface Recorded {
  spans: { name: string; scope: string; attributes: Record<string, unknown> }[];
  tokenSums: Record<string, number>;
}

/** Runs a fixture app in a fresh Node process against the mock server. */
async function runApp(file: string, serverUrl: string): Promise<{ recorded: Recorded; stderr: string }> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(__dirname, 'fixtures', file), serverUrl]);
  return { recorded: JSON.parse(stdout) as Recorded, stderr };
}

// A fresh Node process loads the whole SDK: on a busy machine that alone can pass jest's 5 s default.
const CEILING_MS = 30_000;

describe('registering before the SDK is loaded', () => {
  let server: MockLlmServer;
  beforeAll(async () => {
    server = await startMockLlmServer();
  });
  afterAll(() => server.close());

  it(
    'patches @anthropic-ai/sdk through the require hook in a real CommonJS process, spans and metrics',
    async () => {
      const { recorded, stderr } = await runApp('cjs-app.cjs', server.url);
      // 10 prompt tokens for one 2-character message; the first call read 4 of them from the cache.
      expect(recorded.spans).toEqual([
        {
          name: 'chat claude-sonnet-4-6',
          scope: '@tokenledger/instrumentation-anthropic',
          attributes: expect.objectContaining({
            'gen_ai.provider.name': 'anthropic',
            'gen_ai.usage.input_tokens': 10,
            'gen_ai.usage.cache_read.input_tokens': 4,
            'gen_ai.usage.output_tokens': 3,
          }),
        },
        {
          name: 'chat claude-sonnet-4-6',
          scope: '@tokenledger/instrumentation-anthropic',
          attributes: expect.objectContaining({
            'gen_ai.usage.input_tokens': 10,
            'gen_ai.usage.output_tokens': 3,
            'gen_ai.response.finish_reasons': ['end_turn'],
          }),
        },
      ]);
      expect(recorded.tokenSums).toEqual({ input: 20, output: 6 });
      expect(stderr).not.toContain('[tokenledger]');
    },
    CEILING_MS,
  );

  it(
    'patches @anthropic-ai/sdk through the import hook in a real ES module process',
    async () => {
      const { recorded, stderr } = await runApp('esm-app.mjs', server.url);
      expect(recorded.spans).toEqual([
        {
          name: 'chat claude-sonnet-4-6',
          scope: '@tokenledger/instrumentation-anthropic',
          attributes: expect.objectContaining({
            'gen_ai.usage.input_tokens': 10,
            'gen_ai.usage.cache_creation.input_tokens': 6,
            'gen_ai.usage.output_tokens': 3,
          }),
        },
      ]);
      expect(recorded.spans[0].attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
      expect(recorded.tokenSums).toEqual({ input: 10, output: 3 });
      expect(stderr).not.toContain('[tokenledger]');
    },
    CEILING_MS,
  );
});
