import { SpanStatusCode } from '@opentelemetry/api';
import { finishedSpans, type Harness, harness, headers } from './setup';

const PROMPT = 'x'.repeat(40); // 20 prompt tokens
const WORDS_9 = { 'x-mock-repeat': '3' }; // "Hello from gemini-2.5-flash!" × 3 = 9 words, one chunk each

describe('@google/genai models.generateContentStream', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('takes the final chunk usage (not a sum of chunks) and records time to first chunk', async () => {
    const stream = await h.ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: PROMPT,
      config: headers({ ...WORDS_9, 'x-mock-cached-tokens': '4', 'x-mock-reasoning-tokens': '6' }),
    });
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    expect(text.split(' ')).toHaveLength(9);
    const [span] = await finishedSpans(h);
    expect(span.name).toBe('generate_content gemini-2.5-flash');
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.cache_read.input_tokens': 4,
      'gen_ai.usage.output_tokens': 15, // 9 candidates + 6 thoughts
      'gen_ai.usage.reasoning.output_tokens': 6,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.id': 'mockGeminiResponse0001',
    });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    const ttfc = (await h.metrics()).scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'gen_ai.client.operation.time_to_first_chunk');
    expect(ttfc?.dataPoints).toHaveLength(1);
  });

  it("gives the app the SDK's own generator, untouched in what it yields", async () => {
    const plain = await h.ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'hi',
      config: { automaticContinuation: false, ...headers(WORDS_9) },
    });
    expect(typeof (plain as AsyncGenerator)[Symbol.asyncIterator]).toBe('function');
    expect((plain as AsyncGenerator)[Symbol.asyncIterator]()).toBe(plain);
    const chunks = [];
    for await (const chunk of plain) chunks.push(chunk);
    expect(chunks).toHaveLength(9);
    expect(chunks[0].constructor.name).toBe('GenerateContentResponse');
    expect(chunks.at(-1)?.usageMetadata?.candidatesTokenCount).toBe(9);
  });

  it('ends the span with what was seen when the app breaks out early', async () => {
    const stream = await h.ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: PROMPT, config: headers(WORDS_9) });
    let chunks = 0;
    for await (const _ of stream) if (++chunks === 3) break;
    const [span] = await finishedSpans(h);
    expect(span.ended).toBe(true);
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    // The third chunk reported 3 candidates tokens so far; no finish reason was seen.
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 20, 'gen_ai.usage.output_tokens': 3 });
    expect(span.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
  });

  it('ends the span with error.type when the connection is cut mid-stream, and the app sees the error', async () => {
    const stream = await h.ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: PROMPT,
      config: { automaticContinuation: false, ...headers({ ...WORDS_9, 'x-mock-scenario': 'cutAfter=2' }) },
    });
    let seen = 0;
    const error = await (async () => {
      for await (const _ of stream) seen++;
    })().catch((e: unknown) => e);
    expect(seen).toBe(2);
    expect((error as Error | undefined)?.message).toBeTruthy();
    const spans = await finishedSpans(h);
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes['error.type']).toBe((error as Error).constructor.name);
    expect(spans[0].status.code).toBe(SpanStatusCode.ERROR);
  });

  it('ends the span with error.type when the stream request is refused (429)', async () => {
    const error = await h.ai.models
      .generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi', config: headers({ 'x-mock-scenario': 'status=429' }) })
      .catch((e: unknown) => e);
    expect((error as { status?: number }).status).toBe(429);
    const [span] = await finishedSpans(h);
    expect(span.attributes['error.type']).toBe('429');
  });

  it('names a Vertex AI stream gcp.vertex_ai, with the same usage', async () => {
    for await (const _ of await h.vertex.models.generateContentStream({ model: 'gemini-2.5-pro', contents: PROMPT, config: headers(WORDS_9) })) {
      /* drain */
    }
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({ 'gen_ai.provider.name': 'gcp.vertex_ai', 'gen_ai.usage.input_tokens': 20, 'gen_ai.usage.output_tokens': 9 });
  });

  it('captures the streamed text only when content capture is on', async () => {
    await h.close();
    h = await harness({ captureMessageContent: true });
    for await (const _ of await h.ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi', config: headers({ 'x-mock-repeat': '2' }) })) {
      /* drain */
    }
    const [span] = await finishedSpans(h);
    expect(JSON.parse(span.attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'model', parts: [{ text: 'Hello from gemini-2.5-flash! Hello from gemini-2.5-flash!' }] },
    ]);
  });
});
