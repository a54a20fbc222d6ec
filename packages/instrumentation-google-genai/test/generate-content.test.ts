import { context, propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ApiError } from '@google/genai';
import { finishedSpans, type Harness, harness, headers } from './setup';

const PROMPT = 'x'.repeat(40); // mock: one content, 10 + 40/4 = 20 prompt tokens

describe('@google/genai models.generateContent', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('records a CLIENT span with exact tokens: cached inside input, thoughts inside output', async () => {
    const res = await h.ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: PROMPT,
      config: {
        temperature: 0.3,
        maxOutputTokens: 100,
        topK: 40,
        stopSequences: ['END'],
        ...headers({ 'x-mock-cached-tokens': '8', 'x-mock-reasoning-tokens': '5' }),
      },
    });
    expect(res.text).toBe('Hello from gemini-2.5-flash!');
    const [span] = await finishedSpans(h);
    expect(span.name).toBe('generate_content gemini-2.5-flash');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'gemini-2.5-flash',
      'gen_ai.response.model': 'gemini-2.5-flash',
      'gen_ai.response.id': 'mockGeminiResponse0001',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.request.temperature': 0.3,
      'gen_ai.request.max_tokens': 100,
      'gen_ai.request.top_k': 40,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.cache_read.input_tokens': 8,
      'gen_ai.usage.output_tokens': 8, // 3 candidates + 5 thoughts
      'gen_ai.usage.reasoning.output_tokens': 5,
      'server.address': '127.0.0.1',
      'server.port': h.server.port,
    });
  });

  it('names the provider gcp.vertex_ai for a client made with vertexai: true', async () => {
    await h.vertex.models.generateContent({ model: 'gemini-2.5-pro', contents: PROMPT });
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'gcp.vertex_ai',
      'gen_ai.request.model': 'gemini-2.5-pro',
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.output_tokens': 3,
    });
  });

  it('strips the resource path from the model name, so models/x and x price the same', async () => {
    await h.ai.models.generateContent({ model: 'models/gemini-2.0-flash', contents: 'hi' });
    const [span] = await finishedSpans(h);
    expect(span.name).toBe('generate_content gemini-2.0-flash');
  });

  it('records the GenAI client metrics by token type, without user ids', async () => {
    await context.with(propagation.setBaggage(context.active(), propagation.createBaggage({ 'user.id': { value: 'alice' } })), () =>
      h.ai.models.generateContent({ model: 'gemini-2.5-flash', contents: PROMPT, config: headers({ 'x-mock-reasoning-tokens': '2' }) }),
    );
    const [span] = await finishedSpans(h);
    expect(span.attributes['user.id']).toBe('alice');
    const metrics = (await h.metrics()).scopeMetrics.flatMap((s) => s.metrics);
    const tokens = metrics.find((m) => m.descriptor.name === 'gen_ai.client.token.usage')!;
    const byType = Object.fromEntries(tokens.dataPoints.map((p) => [p.attributes['gen_ai.token.type'] as string, (p.value as { sum: number }).sum] as const));
    expect(byType).toEqual({ input: 20, output: 5 });
    expect(tokens.dataPoints.every((p) => !('user.id' in p.attributes) && p.attributes['gen_ai.provider.name'] === 'gcp.gemini')).toBe(true);
    const duration = metrics.find((m) => m.descriptor.name === 'gen_ai.client.operation.duration')!;
    expect(duration.dataPoints[0].attributes).toMatchObject({ 'gen_ai.operation.name': 'generate_content', 'gen_ai.response.model': 'gemini-2.5-flash' });
  });

  it('ends the span with error.type and rethrows the SDK ApiError untouched', async () => {
    const error = await h.ai.models
      .generateContent({ model: 'gemini-2.5-flash', contents: 'hi', config: headers({ 'x-mock-scenario': 'status=429' }) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as { status: number }).status).toBe(429);
    const [span] = await finishedSpans(h);
    expect(span.attributes['error.type']).toBe('429');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('does not capture prompts or completions unless asked to', async () => {
    await h.ai.models.generateContent({ model: 'gemini-2.5-flash', contents: PROMPT, config: { systemInstruction: 'be brief' } });
    const [span] = await finishedSpans(h);
    expect(Object.keys(span.attributes).filter((k) => k.includes('messages') || k.includes('instructions'))).toEqual([]);
    await h.close();
    h = await harness({ captureMessageContent: true });
    await h.ai.models.generateContent({ model: 'gemini-2.5-flash', contents: PROMPT, config: { systemInstruction: 'be brief' } });
    const [captured] = await finishedSpans(h);
    expect(JSON.parse(captured.attributes['gen_ai.input.messages'] as string)).toBe(PROMPT);
    expect(JSON.parse(captured.attributes['gen_ai.system_instructions'] as string)).toBe('be brief');
    expect(captured.attributes['gen_ai.output.messages']).toContain('Hello from gemini-2.5-flash!');
  });

  it('captures content when OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true', async () => {
    process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'true';
    try {
      await h.ai.models.generateContent({ model: 'gemini-2.5-flash', contents: PROMPT });
    } finally {
      delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
    }
    const [span] = await finishedSpans(h);
    expect(JSON.parse(span.attributes['gen_ai.input.messages'] as string)).toBe(PROMPT);
  });
});

describe('@google/genai chats', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('records one span per chat turn, plain and streamed, with the history counted as input', async () => {
    const chat = h.ai.chats.create({ model: 'gemini-2.5-flash' });
    const first = await chat.sendMessage({ message: PROMPT });
    expect(first.text).toBe('Hello from gemini-2.5-flash!');
    let streamed = '';
    for await (const chunk of await chat.sendMessageStream({ message: 'y'.repeat(8) })) streamed += chunk.text ?? '';
    expect(streamed).toBe('Hello from gemini-2.5-flash!');
    expect(h.server.requests).toHaveLength(2);
    const spans = await finishedSpans(h);
    expect(spans.map((s) => s.name)).toEqual(['generate_content gemini-2.5-flash', 'generate_content gemini-2.5-flash']);
    // Second turn: 3 contents (question, answer, question) = 30 + (40 + 28 + 8) / 4 = 49.
    expect(spans.map((s) => s.attributes['gen_ai.usage.input_tokens'])).toEqual([20, 49]);
    expect(spans[1].attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });
});

describe('@google/genai requests the SDK makes on its own', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('records each request of automatic function calling as its own span, each with its own usage', async () => {
    const weather = {
      tool: () => Promise.resolve({ functionDeclarations: [{ name: 'getWeather', description: 'weather now' }] }),
      callTool: () => Promise.resolve([{ functionResponse: { name: 'getWeather', response: { output: 'sunny' } } }]),
    };
    const res = await h.ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: PROMPT,
      config: { tools: [weather], ...headers({ 'x-mock-function-call': 'getWeather' }) },
    });
    expect(res.text).toBe('Hello from gemini-2.5-flash!');
    expect(h.server.requests).toHaveLength(2);
    const spans = await finishedSpans(h);
    // Both requests are billed: the first (20 in, 5 out for the call), the second with the call and
    // its answer in the history (3 contents: 30 + 40/4 = 40 in, 3 out).
    expect(spans.map((s) => [s.attributes['gen_ai.usage.input_tokens'], s.attributes['gen_ai.usage.output_tokens']])).toEqual([
      [20, 5],
      [40, 3],
    ]);
  });

  it('counts tool-use prompt tokens (grounding results fed back to the model) as input', async () => {
    const res = await h.ai.models.generateContent({ model: 'gemini-2.5-flash', contents: PROMPT, config: headers({ 'x-mock-tool-use-tokens': '7' }) });
    expect(res.usageMetadata?.toolUsePromptTokenCount).toBe(7);
    const [span] = await finishedSpans(h);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(27);
    expect((span.attributes['gen_ai.usage.input_tokens'] as number) + (span.attributes['gen_ai.usage.output_tokens'] as number)).toBe(
      res.usageMetadata?.totalTokenCount,
    );
  });

  it('keeps the app working when reading the response fails inside the instrumentation', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    // Kept unbound: it is called on each string and put back as it was.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const original = String.prototype.toLowerCase;
    // Finish reasons are lower-cased by the instrumentation (gemini-response.ts) only; make that throw.
    String.prototype.toLowerCase = function (this: string) {
      if (new Error().stack?.includes('gemini-response')) throw new Error('boom');
      return original.call(this);
    };
    try {
      const res = await h.ai.models.generateContent({ model: 'gemini-2.5-flash', contents: PROMPT });
      expect(res.text).toBe('Hello from gemini-2.5-flash!');
    } finally {
      String.prototype.toLowerCase = original;
    }
    const [span] = await finishedSpans(h);
    expect(span.ended).toBe(true); // ended without the usage it could not read
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(warn.mock.calls.filter((c) => String(c[0]).includes('[tokenledger] instrumentation fault')).length).toBe(1);
    warn.mockRestore();
  });
});
