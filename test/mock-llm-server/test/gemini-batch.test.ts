import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoogleGenAI } from '@google/genai';
import { type MockLlmServer, startMockLlmServer } from '../src';

const line = (key: string, text: string) => JSON.stringify({ key, request: { contents: [{ role: 'user', parts: [{ text }] }] } });

/** A line of a batch's results file, as far as these tests read it: the request's key and its generateContent answer. */
type ResultLine = { key: string; response: { modelVersion: string; usageMetadata: { promptTokenCount: number; candidatesTokenCount: number } } };

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
    expect(job).toMatchObject({
      name: expect.stringMatching(/^batches\//),
      state: 'JOB_STATE_PENDING',
      displayName: 'nightly',
      model: 'models/gemini-2.5-flash',
    });
    const done = await ai.batches.get({ name: job.name! });
    expect(done.state).toBe('JOB_STATE_SUCCEEDED');
    // 10 + 40 / 4 = 20 and 10 + 2 / 4 = 10 prompt tokens; 3 words out.
    expect(
      done.dest?.inlinedResponses?.map((r) => [
        r.metadata,
        r.response?.usageMetadata?.promptTokenCount,
        r.response?.usageMetadata?.candidatesTokenCount,
        r.response?.modelVersion,
      ]),
    ).toEqual([
      [{ key: 'r-1' }, 20, 3, 'gemini-2.5-flash'],
      [{ key: 'r-2' }, 10, 3, 'gemini-2.5-flash'],
    ]);
  });

  it('uploads a JSONL file through the resumable protocol, runs it as a batch and serves its results file for download', async () => {
    const requests = `${line('r-1', 'x'.repeat(40))}\n${line('r-2', 'hi')}\n`;
    const file = await ai.files.upload({ file: new Blob([requests], { type: 'application/jsonl' }), config: { displayName: 'requests' } });
    expect(file).toMatchObject({
      name: expect.stringMatching(/^files\//),
      displayName: 'requests',
      mimeType: 'application/jsonl',
      sizeBytes: String(Buffer.byteLength(requests)),
      state: 'ACTIVE',
    });
    const start = server.requests.find((r) => /^\/upload\/v1(beta)?\/files$/.test(r.path));
    expect(start?.headers).toMatchObject({ 'x-goog-upload-protocol': 'resumable', 'x-goog-upload-command': 'start' });
    expect(await ai.files.get({ name: file.name! })).toMatchObject({ name: file.name, sizeBytes: file.sizeBytes });

    const job = await ai.batches.create({ model: 'gemini-2.5-flash', src: file.name!, config: { displayName: 'from-file' } });
    expect(job).toMatchObject({ state: 'JOB_STATE_PENDING', displayName: 'from-file' });
    expect(job.dest?.fileName).toBeUndefined();
    const done = await ai.batches.get({ name: job.name! });
    expect(done).toMatchObject({ state: 'JOB_STATE_SUCCEEDED', dest: { fileName: expect.stringMatching(/^files\/batch-/) } });

    const downloadPath = join(mkdtempSync(join(tmpdir(), 'gemini-batch-')), 'results.jsonl');
    await ai.files.download({ file: done.dest!.fileName!, downloadPath });
    const results = readFileSync(downloadPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ResultLine);
    // The generateContent rules: 10 + 40 / 4 = 20 and 10 + 2 / 4 = 10 prompt tokens; 3 words out.
    expect(
      results.map((r) => [r.key, r.response.usageMetadata.promptTokenCount, r.response.usageMetadata.candidatesTokenCount, r.response.modelVersion]),
    ).toEqual([
      ['r-1', 20, 3, 'gemini-2.5-flash'],
      ['r-2', 10, 3, 'gemini-2.5-flash'],
    ]);
  });

  it('answers a batch whose input file does not exist, and a download of an unknown file, with the errors the SDK raises', async () => {
    await expect(ai.batches.create({ model: 'gemini-2.5-flash', src: 'files/nope' })).rejects.toMatchObject({ status: 400 });
    await expect(ai.files.download({ file: 'files/batch-nope', downloadPath: join(tmpdir(), 'never-written.jsonl') })).rejects.toMatchObject({ status: 404 });
  });
});
