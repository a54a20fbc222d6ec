import { SpanStatusCode } from '@opentelemetry/api';
import { GoogleGenerativeAIFetchError } from '@google/generative-ai';
import { finishedSpans, type Harness, harness } from './setup';

const PROMPT = 'x'.repeat(40); // 20 prompt tokens

describe('legacy @google/generative-ai GenerativeModel', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('records generateContent with exact tokens and the generation config', async () => {
    const model = h.legacy('gemini-1.5-flash');
    const { response } = await model.generateContent(
      { contents: [{ role: 'user', parts: [{ text: PROMPT }] }], generationConfig: { temperature: 0.1, maxOutputTokens: 64 } },
      { customHeaders: { 'x-mock-cached-tokens': '6', 'x-mock-reasoning-tokens': '2' } },
    );
    expect(response.text()).toBe('Hello from gemini-1.5-flash!');
    const [span] = await finishedSpans(h);
    expect(span.name).toBe('generate_content gemini-1.5-flash');
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'gemini-1.5-flash',
      'gen_ai.response.model': 'gemini-1.5-flash',
      'gen_ai.request.temperature': 0.1,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.cache_read.input_tokens': 6,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.usage.reasoning.output_tokens': 2,
      'gen_ai.response.finish_reasons': ['stop'],
      'server.port': h.server.port,
    });
  });

  it('records generateContentStream with the aggregated usage and time to first chunk', async () => {
    const { stream, response } = await h.legacy('gemini-1.5-flash').generateContentStream(PROMPT, { customHeaders: { 'x-mock-repeat': '3' } });
    let chunks = 0;
    for await (const _ of stream) chunks++;
    expect(chunks).toBe(9);
    expect((await response).usageMetadata?.candidatesTokenCount).toBe(9);
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 20, 'gen_ai.usage.output_tokens': 9, 'gen_ai.response.finish_reasons': ['stop'] });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('ends a stream abandoned after one chunk once, with the usage of the whole response', async () => {
    const { stream, response } = await h.legacy('gemini-1.5-flash').generateContentStream(PROMPT, { customHeaders: { 'x-mock-repeat': '3' } });
    for await (const _ of stream) break;
    await response; // the SDK reads the rest of the body for its aggregate regardless
    const spans = await finishedSpans(h);
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes['gen_ai.usage.output_tokens']).toBe(9);
  });

  it('ends the span with error.type and rethrows the SDK error untouched', async () => {
    const error = await h
      .legacy('gemini-1.5-flash')
      .generateContent('hi', { customHeaders: { 'x-mock-scenario': 'status=429' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GoogleGenerativeAIFetchError);
    const [span] = await finishedSpans(h);
    expect(span.attributes['error.type']).toBe('429');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('records embedContent and batchEmbedContents as embeddings spans with input tokens', async () => {
    const model = h.legacy('text-embedding-004');
    await model.embedContent('abcdefgh');
    await model.batchEmbedContents({
      requests: [{ content: { role: 'user', parts: [{ text: 'abcd' }] } }, { content: { role: 'user', parts: [{ text: 'abcdefghabcd' }] } }],
    });
    const spans = await finishedSpans(h);
    expect(spans.map((s) => [s.name, s.attributes['gen_ai.usage.input_tokens']])).toEqual([
      ['embeddings text-embedding-004', 2],
      ['embeddings text-embedding-004', 4],
    ]);
  });
});
