import { GoogleGenAI } from '@google/genai';
import { GoogleGenerativeAI } from '@google/generative-ai';
import { type MockLlmServer, startMockLlmServer } from '../src';

const PROMPT = 'x'.repeat(40); // one content: 10 + 40/4 = 20 prompt tokens

describe('the mock Gemini API, driven by the real @google/genai SDK', () => {
  let server: MockLlmServer;
  let ai: GoogleGenAI;
  beforeAll(async () => {
    server = await startMockLlmServer();
    ai = new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: server.url } });
  });
  afterAll(() => server.close());

  it('answers generateContent with usage derived from the request, cached and thought tokens from headers', async () => {
    const res = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: PROMPT,
      config: { httpOptions: { headers: { 'x-mock-cached-tokens': '8', 'x-mock-reasoning-tokens': '5' } } },
    });
    expect(res.text).toBe('Hello from gemini-2.5-flash!');
    expect(res.modelVersion).toBe('gemini-2.5-flash');
    expect(res.responseId).toBe('mockGeminiResponse0001');
    expect(res.usageMetadata).toMatchObject({
      promptTokenCount: 20,
      cachedContentTokenCount: 8,
      candidatesTokenCount: 3,
      thoughtsTokenCount: 5,
      totalTokenCount: 28,
    });
    expect(server.requests.at(-1)?.path).toMatch(/^\/v1(beta)?\/models\/gemini-2\.5-flash:generateContent$/);
  });

  it('counts inline audio and images in the prompt, by modality', async () => {
    const audio = { inlineData: { mimeType: 'audio/pcm;rate=16000', data: Buffer.alloc(48_000).toString('base64') } }; // 1.5 s: 48 tokens
    const image = { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } };
    const res = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: [{ role: 'user', parts: [{ text: PROMPT }, audio, image, image] }] });
    expect(res.usageMetadata).toMatchObject({
      promptTokenCount: 20 + 48 + 2 * 258,
      promptTokensDetails: [
        { modality: 'TEXT', tokenCount: 20 },
        { modality: 'AUDIO', tokenCount: 48 },
        { modality: 'IMAGE', tokenCount: 516 },
      ],
    });
  });

  it('streams one word per chunk over SSE, the last chunk with STOP and the final usage', async () => {
    const stream = await ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'hi',
      config: { httpOptions: { headers: { 'x-mock-repeat': '2' } } },
    });
    let text = '';
    let last;
    for await (const chunk of stream) {
      text += chunk.text ?? '';
      last = chunk;
    }
    expect(text).toBe('Hello from gemini-2.5-flash! Hello from gemini-2.5-flash!');
    expect(last?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(last?.usageMetadata).toMatchObject({ promptTokenCount: 10, candidatesTokenCount: 6, totalTokenCount: 16 });
    expect(server.requests.at(-1)?.query.get('alt')).toBe('sse');
  });

  it('calls a function until its response is in the history, and reports tool-use prompt tokens', async () => {
    const config = { httpOptions: { headers: { 'x-mock-function-call': 'getWeather', 'x-mock-tool-use-tokens': '7' } } };
    const call = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: PROMPT, config });
    expect(call.functionCalls).toEqual([{ name: 'getWeather', args: {} }]);
    expect(call.usageMetadata).toMatchObject({ promptTokenCount: 20, toolUsePromptTokenCount: 7, candidatesTokenCount: 5, totalTokenCount: 32 });
    const contents = [
      { role: 'user', parts: [{ text: PROMPT }] },
      call.candidates![0].content!,
      { role: 'user', parts: [{ functionResponse: { name: 'getWeather', response: { output: 'sunny' } } }] },
    ];
    const answer = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents, config });
    expect(answer.text).toBe('Hello from gemini-2.5-flash!');
  });

  it('returns Gemini-shaped errors the SDK raises as ApiError with the status', async () => {
    const error = await ai.models
      .generateContent({ model: 'gemini-2.5-flash', contents: 'hi', config: { httpOptions: { headers: { 'x-mock-scenario': 'status=429' } } } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ApiError', status: 429 });
    expect((error as Error).message).toContain('RESOURCE_EXHAUSTED');
  });

  it('answers embedContent (sent as batchEmbedContents) with one vector per content and token usage', async () => {
    const res = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['abcdefgh', 'abcd'] });
    expect(res.embeddings).toHaveLength(2);
    expect((res as { usageMetadata?: unknown }).usageMetadata).toMatchObject({ promptTokenCount: 3 }); // 8/4 + 4/4
    expect(server.requests.at(-1)?.path).toMatch(/^\/v1(beta)?\/models\/gemini-embedding-001:batchEmbedContents$/);
    expect(server.requests.at(-1)?.json).toMatchObject({
      requests: [{ content: { parts: [{ text: 'abcdefgh' }] } }, { content: { parts: [{ text: 'abcd' }] } }],
    });
  });

  it('answers Imagen generateImages (Vertex AI only in this SDK) through predict with the requested number of images', async () => {
    const vertex = new GoogleGenAI({ vertexai: true, apiKey: 'test', httpOptions: { baseUrl: server.url } });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    const res = await vertex.models.generateImages({ model: 'imagen-4.0-generate-001', prompt: 'a red skateboard', config: { numberOfImages: 3 } });
    warn.mockRestore();
    expect(res.generatedImages).toHaveLength(3);
    expect(res.generatedImages?.[0]?.image?.imageBytes).toMatch(/^iVBOR/);
    expect(server.requests.at(-1)?.path).toMatch(/^\/v1beta1\/.*models\/imagen-4\.0-generate-001:predict$/);
  });

  it('serves the Vertex AI paths of a client made with vertexai: true', async () => {
    const vertex = new GoogleGenAI({ vertexai: true, apiKey: 'test', httpOptions: { baseUrl: server.url } });
    const res = await vertex.models.generateContent({ model: 'gemini-2.5-pro', contents: PROMPT });
    expect(res.usageMetadata).toMatchObject({ promptTokenCount: 20, candidatesTokenCount: 3 });
    expect(server.requests.at(-1)?.path).toMatch(/^\/v1beta1\/.*models\/gemini-2\.5-pro:generateContent$/);
  });
});

describe('the mock Gemini API, driven by the legacy @google/generative-ai SDK', () => {
  let server: MockLlmServer;
  beforeAll(async () => {
    server = await startMockLlmServer();
  });
  afterAll(() => server.close());
  const model = (name: string) => new GoogleGenerativeAI('test').getGenerativeModel({ model: name }, { baseUrl: server.url });

  it('answers generateContent and streams with an aggregated response', async () => {
    const { response } = await model('gemini-1.5-flash').generateContent(PROMPT);
    expect(response.text()).toBe('Hello from gemini-1.5-flash!');
    expect(response.usageMetadata).toMatchObject({ promptTokenCount: 20, candidatesTokenCount: 3 });
    const streamed = await model('gemini-1.5-flash').generateContentStream(PROMPT, { customHeaders: { 'x-mock-repeat': '3' } });
    let chunks = 0;
    for await (const _ of streamed.stream) chunks++;
    expect(chunks).toBe(9);
    expect((await streamed.response).usageMetadata).toMatchObject({ promptTokenCount: 20, candidatesTokenCount: 9 });
  });

  it('answers embedContent and batchEmbedContents', async () => {
    const one = await model('text-embedding-004').embedContent('abcdefgh');
    expect(one.embedding.values).toHaveLength(3);
    const batch = await model('text-embedding-004').batchEmbedContents({
      requests: [{ content: { role: 'user', parts: [{ text: 'abcd' }] } }, { content: { role: 'user', parts: [{ text: 'abcdefgh' }] } }],
    });
    expect(batch.embeddings).toHaveLength(2);
    expect(server.requests.at(-1)?.path).toBe('/v1beta/models/text-embedding-004:batchEmbedContents');
  });

  it('fails with the status for error scenarios', async () => {
    await expect(
      model('gemini-1.5-flash').generateContent(
        { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
        { customHeaders: { 'x-mock-scenario': 'status=500' } },
      ),
    ).rejects.toMatchObject({ status: 500 });
  });
});
