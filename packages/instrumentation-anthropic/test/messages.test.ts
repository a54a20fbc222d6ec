import { context, propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { GenAiCall } from '@tokenledger/instrumentation-common';
import { finishedSpans, type Harness, harness, MODEL, PROMPT } from './setup';

const CACHE = { headers: { 'x-mock-cache-read-tokens': '12', 'x-mock-cache-creation-tokens': '5' } };

describe('messages.create', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('records a CLIENT span with the GenAI attributes and exact token counts', async () => {
    // 1.x dropped the sampling parameters from its request types; apps on 0.x (and plain JS) still send them.
    const sampling = { temperature: 0.2, top_p: 0.9, top_k: 40 } as object;
    const res = await h.client.messages.create({ model: MODEL, max_tokens: 50, stop_sequences: ['END'], messages: PROMPT, ...sampling });
    expect(res.content).toEqual([{ type: 'text', text: `Hello from ${MODEL}!` }]);
    const [span] = await finishedSpans(h);
    expect(span.name).toBe(`chat ${MODEL}`);
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': MODEL,
      'gen_ai.request.max_tokens': 50,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.top_k': 40,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.response.id': 'msg_mock0001',
      'gen_ai.response.model': `${MODEL}-20250929`,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.output_tokens': 3,
      'server.address': '127.0.0.1',
      'server.port': h.server.port,
    });
  });

  it('folds cache reads and writes into input tokens and records each apart', async () => {
    const res = await h.client.messages.create({ model: MODEL, max_tokens: 50, messages: PROMPT }, CACHE);
    expect(res.usage).toMatchObject({ input_tokens: 3, cache_read_input_tokens: 12, cache_creation_input_tokens: 5 });
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.cache_read.input_tokens': 12,
      'gen_ai.usage.cache_creation.input_tokens': 5,
      'gen_ai.usage.output_tokens': 3,
    });
    const tokens = (await h.metrics()).scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'gen_ai.client.token.usage')!;
    const byType = Object.fromEntries(tokens.dataPoints.map((p) => [p.attributes['gen_ai.token.type'] as string, (p.value as { sum: number }).sum] as const));
    expect(byType).toEqual({ input: 20, output: 3 });
  });

  it('records the stop reason max_tokens when the reply is cut at max_tokens', async () => {
    await h.client.messages.create({ model: MODEL, max_tokens: 2, messages: PROMPT });
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({ 'gen_ai.response.finish_reasons': ['max_tokens'], 'gen_ai.usage.output_tokens': 2 });
  });

  it('copies attribution from W3C baggage and keeps user ids off the metrics', async () => {
    const baggage = propagation.createBaggage({ 'user.id': { value: 'alice' }, 'tokenledger.feature': { value: 'summaries' } });
    await context.with(propagation.setBaggage(context.active(), baggage), () => h.client.messages.create({ model: MODEL, max_tokens: 50, messages: PROMPT }));
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({ 'user.id': 'alice', 'tokenledger.feature': 'summaries' });
    const metrics = (await h.metrics()).scopeMetrics.flatMap((s) => s.metrics);
    const duration = metrics.find((m) => m.descriptor.name === 'gen_ai.client.operation.duration')!;
    expect(duration.dataPoints[0].attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': MODEL,
      'gen_ai.response.model': `${MODEL}-20250929`,
      'server.address': '127.0.0.1',
    });
  });

  it.each([
    [429, 'RateLimitError'],
    [500, 'InternalServerError'],
    [529, 'OverloadedError'],
  ])('ends the span with error.type %d and rethrows the SDK error untouched', async (status, className) => {
    const error = await h.client.messages
      .create({ model: MODEL, max_tokens: 50, messages: PROMPT }, { headers: { 'x-mock-scenario': `status=${status}` } })
      .catch((e: unknown) => e);
    expect((error as Error).constructor.name).toBe(className);
    expect(error).toMatchObject({ status });
    const [span] = await finishedSpans(h);
    expect(span.attributes['error.type']).toBe(String(status));
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('returns the SDK promise itself, so withResponse() and asResponse() keep working', async () => {
    const { data, response, request_id } = await h.client.messages.create({ model: MODEL, max_tokens: 50, messages: PROMPT }).withResponse();
    expect(data.id).toBe('msg_mock0001');
    expect(response.status).toBe(200);
    expect(request_id).toBe('req_mock_0001');
    const raw = await h.client.messages.create({ model: MODEL, max_tokens: 50, messages: PROMPT }).asResponse();
    expect(((await raw.json()) as { id: string }).id).toBe('msg_mock0001');
    await new Promise((r) => setTimeout(r, 20));
    const spans = await finishedSpans(h);
    expect(spans).toHaveLength(2);
    expect(spans.map((s) => s.attributes['gen_ai.usage.input_tokens'])).toEqual([20, undefined]);
  });

  it('does not capture prompts or completions unless asked to', async () => {
    await h.client.messages.create({ model: MODEL, max_tokens: 50, system: 'Be brief.', messages: PROMPT });
    const [span] = await finishedSpans(h);
    expect(Object.keys(span.attributes).filter((k) => k.includes('messages') || k.includes('system_instructions'))).toEqual([]);
    await h.close();
    h = await harness({ captureMessageContent: true });
    await h.client.messages.create({ model: MODEL, max_tokens: 50, system: 'Be brief.', messages: PROMPT });
    const [captured] = await finishedSpans(h);
    expect(JSON.parse(captured.attributes['gen_ai.input.messages'] as string)).toEqual(PROMPT);
    expect(captured.attributes['gen_ai.system_instructions']).toBe('Be brief.');
    expect(JSON.parse(captured.attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', content: [{ type: 'text', text: `Hello from ${MODEL}!` }] },
    ]);
  });

  it("nests the SDK's own call span (SDK 1.x tracing) under the chat span", async () => {
    await h.close();
    const { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } = await import('@opentelemetry/sdk-trace');
    const sdkSpans = new InMemorySpanExporter();
    const sdkProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: sdkSpans })] });
    h = await harness({}, { openTelemetry: { tracerProvider: sdkProvider } });
    await h.client.messages.create({ model: MODEL, max_tokens: 50, messages: PROMPT }, CACHE);
    const [ours] = await finishedSpans(h);
    await sdkProvider.forceFlush();
    const [theirs] = sdkSpans.getFinishedSpans();
    expect(theirs.name).toBe('anthropic.messages.create');
    expect(theirs.parentSpanContext?.spanId).toBe(ours.spanContext().spanId);
    expect(theirs.spanContext().traceId).toBe(ours.spanContext().traceId);
    expect(ours.attributes['gen_ai.usage.input_tokens']).toBe(20);
  });
});

describe('a fault inside the instrumentation', () => {
  it('never reaches the app, plain or streamed, and is logged once', async () => {
    const h = await harness();
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const response = jest.spyOn(GenAiCall.prototype, 'response').mockImplementation(() => {
      throw new Error('instrumentation bug');
    });
    try {
      const res = await h.client.messages.create({ model: MODEL, max_tokens: 50, messages: PROMPT });
      expect(res.content).toEqual([{ type: 'text', text: `Hello from ${MODEL}!` }]);
      const final = await h.client.messages.stream({ model: MODEL, max_tokens: 50, messages: PROMPT }).finalMessage();
      expect(final.usage.output_tokens).toBe(3);
      expect(response).toHaveBeenCalled();
      expect(warn.mock.calls.filter((c) => String(c[0]).includes('[tokenledger] instrumentation fault'))).toHaveLength(1);
    } finally {
      response.mockRestore();
      warn.mockRestore();
      await h.close();
    }
  });
});

describe('beta.messages.create', () => {
  it('records the same chat span for the beta surface', async () => {
    const h = await harness();
    try {
      const res = await h.client.beta.messages.create({ model: MODEL, max_tokens: 50, messages: PROMPT, betas: ['context-1m-2025-08-07'] }, CACHE);
      expect(res.id).toBe('msg_mock0001');
      expect(h.server.requests[0].headers['anthropic-beta']).toBe('context-1m-2025-08-07');
      const [span] = await finishedSpans(h);
      expect(span.name).toBe(`chat ${MODEL}`);
      expect(span.attributes).toMatchObject({
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.usage.input_tokens': 20,
        'gen_ai.usage.cache_read.input_tokens': 12,
        'gen_ai.usage.cache_creation.input_tokens': 5,
        'gen_ai.usage.output_tokens': 3,
      });
      const error = await h.client.beta.messages
        .create({ model: MODEL, max_tokens: 50, messages: PROMPT }, { headers: { 'x-mock-scenario': 'status=429' } })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 429 });
      expect((await finishedSpans(h))[1].attributes['error.type']).toBe('429');
    } finally {
      await h.close();
    }
  });
});
