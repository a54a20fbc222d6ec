import { GoogleGenAI } from '@google/genai';
import { type MockLlmServer, startMockLlmServer } from '../src';

describe('the mock Gemini batch mode, driven by the real @google/genai', () => {
  let server: MockLlmServer;
  let ai: GoogleGenAI;
  beforeAll(async () => {
    server = await startMockLlmServer();
    ai = new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: server.url } });
  });
  afterAll(() => server.close());

  it('succeeds a batch of inlined requests on its first read, each response with its request metadata', async () => {
    const job = await ai.batches.create({
      model: 'gemini-2.5-flash',
      src: [
        { contents: [{ role: 'user', parts: [{ text: 'x'.repeat(40) }] }], metadata: { key: 'r-1' } },
        { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], metadata: { key: 'r-2' } },
      ],
      config: { displayName: 'nightly' },
    });
    expect(job).toMatchObject({ name: expect.stringMatching(/^batches\//), state: 'JOB_STATE_PENDING', displayName: 'nightly', model: 'models/gemini-2.5-flash' });
    const done = await ai.batches.get({ name: job.name! });
    expect(done.state).toBe('JOB_STATE_SUCCEEDED');
    // 10 + 40 / 4 = 20 and 10 + 2 / 4 = 10 prompt tokens; 3 words out.
    expect(done.dest?.inlinedResponses?.map((r) => [r.metadata, r.response?.usageMetadata?.promptTokenCount, r.response?.usageMetadata?.candidatesTokenCount, r.response?.modelVersion])).toEqual([
      [{ key: 'r-1' }, 20, 3, 'gemini-2.5-flash'],
      [{ key: 'r-2' }, 10, 3, 'gemini-2.5-flash'],
    ]);
  });
});
