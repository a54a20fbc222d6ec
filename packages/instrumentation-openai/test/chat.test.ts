import { context, propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type OpenAI from 'openai';
import { finishedSpans, type Harness, harness } from './setup';

const MESSAGES = [{ role: 'user' as const, content: 'x'.repeat(40) }]; // mock: 10 + 40/4 = 20 prompt tokens

describe('chat.completions.create', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('records a CLIENT span with the GenAI attributes and exact token counts', async () => {
    const res = await h.client.chat.completions.create(
      { model: 'gpt-4o', messages: MESSAGES, temperature: 0.2, max_tokens: 50 },
      { headers: { 'x-mock-cached-tokens': '8', 'x-mock-reasoning-tokens': '4' } },
    );
    expect(res.choices[0].message.content).toBe('Hello from gpt-4o!');
    const [span] = await finishedSpans(h);
    expect(span.name).toBe('chat gpt-4o');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.response.id': 'chatcmpl-mock0001',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.max_tokens': 50,
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.cache_read.input_tokens': 8,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.usage.reasoning.output_tokens': 4,
      'server.address': '127.0.0.1',
      'server.port': h.server.port,
    });
  });

  it('records audio tokens in and out as parts of the input and output tokens (gpt-4o-audio-preview)', async () => {
    const wav = Buffer.alloc(64_000).toString('base64'); // mock: 2 s of 16 kHz PCM → 20 audio tokens
    const res = await h.client.chat.completions.create({
      model: 'gpt-4o-audio-preview',
      modalities: ['text', 'audio'],
      audio: { voice: 'alloy', format: 'wav' },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'x'.repeat(40) },
            { type: 'input_audio', input_audio: { data: wav, format: 'wav' } },
          ],
        },
      ],
    });
    expect(res.choices[0].message.audio?.transcript).toBe('Hello from gpt-4o-audio-preview!');
    const [span] = await finishedSpans(h);
    // mock: 10 + 40/4 text + 20 audio in; 3 words of transcript + 10 audio tokens per word out
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 40,
      'tokenledger.usage.audio.input_tokens': 20,
      'gen_ai.usage.output_tokens': 33,
      'tokenledger.usage.audio.output_tokens': 30,
    });
  });

  it('records no audio token attributes for a text-only call', async () => {
    await h.client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES });
    const [span] = await finishedSpans(h);
    expect(span.attributes['tokenledger.usage.audio.input_tokens']).toBeUndefined();
    expect(span.attributes['tokenledger.usage.audio.output_tokens']).toBeUndefined();
  });

  it('records the GenAI client metrics with the spec buckets and no user ids', async () => {
    await context.with(propagation.setBaggage(context.active(), propagation.createBaggage({ 'user.id': { value: 'alice' } })), () =>
      h.client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES }),
    );
    const metrics = (await h.metrics()).scopeMetrics.flatMap((s) => s.metrics);
    const tokens = metrics.find((m) => m.descriptor.name === 'gen_ai.client.token.usage')!;
    const byType = Object.fromEntries(tokens.dataPoints.map((p) => [p.attributes['gen_ai.token.type'] as string, (p.value as { sum: number }).sum] as const));
    expect(byType).toEqual({ input: 20, output: 3 });
    expect(tokens.dataPoints.every((p) => !('user.id' in p.attributes))).toBe(true);
    expect((tokens.dataPoints[0].value as { buckets: { boundaries: number[] } }).buckets.boundaries.slice(0, 4)).toEqual([1, 4, 16, 64]);
    const duration = metrics.find((m) => m.descriptor.name === 'gen_ai.client.operation.duration')!;
    expect(duration.descriptor.unit).toBe('s');
    expect(duration.dataPoints[0].attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
    });
  });

  it('copies user, agent, conversation, feature and tags from W3C baggage onto the span', async () => {
    const baggage = propagation.createBaggage({
      'user.id': { value: 'alice' },
      'gen_ai.agent.id': { value: 'support-bot' },
      'gen_ai.conversation.id': { value: 'conv-7' },
      'tokenledger.feature': { value: 'refunds' },
      'tokenledger.tag.team': { value: 'payments' },
      unrelated: { value: 'ignored' },
    });
    await context.with(propagation.setBaggage(context.active(), baggage), async () => {
      await Promise.resolve();
      await h.client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES });
    });
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({
      'user.id': 'alice',
      'gen_ai.agent.id': 'support-bot',
      'gen_ai.conversation.id': 'conv-7',
      'tokenledger.feature': 'refunds',
      'tokenledger.tag.team': 'payments',
    });
    expect(span.attributes).not.toHaveProperty('unrelated');
  });

  it('ends the span with error.type and rethrows the SDK error untouched', async () => {
    const error = await h.client.chat.completions
      .create({ model: 'gpt-4o', messages: MESSAGES }, { headers: { 'x-mock-scenario': 'status=429' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf((h.client.constructor as typeof OpenAI).RateLimitError ?? Error);
    expect((error as { status: number }).status).toBe(429);
    const [span] = await finishedSpans(h);
    expect(span.attributes['error.type']).toBe('429');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('returns the SDK promise itself, so withResponse() and asResponse() keep working', async () => {
    const { data, response } = await h.client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES }).withResponse();
    expect(data.id).toBe('chatcmpl-mock0001');
    expect(response.headers.get('x-request-id')).toBe('req_mock_0001');
    const raw = await h.client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES }).asResponse();
    expect(((await raw.json()) as { id: string }).id).toBe('chatcmpl-mock0001');
    await new Promise((r) => setTimeout(r, 20));
    const spans = await finishedSpans(h);
    expect(spans).toHaveLength(2);
    expect(spans[0].attributes['gen_ai.usage.input_tokens']).toBe(20);
  });

  it('does not capture prompts or completions unless asked to', async () => {
    await h.client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES });
    const [span] = await finishedSpans(h);
    expect(Object.keys(span.attributes).some((k) => k.includes('messages'))).toBe(false);
    await h.close();
    h = await harness({ captureMessageContent: true });
    await h.client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES });
    const [captured] = await finishedSpans(h);
    expect(JSON.parse(captured.attributes['gen_ai.input.messages'] as string)).toEqual(MESSAGES);
    expect(captured.attributes['gen_ai.output.messages']).toContain('Hello from gpt-4o!');
  });

  it('keeps the app working when reading the response fails inside the instrumentation', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    const original = Array.prototype.map;
    // A response whose choices cannot be read the way the instrumentation reads them.
    const poisoned = h.client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES });
    Object.defineProperty(Array.prototype, 'map', {
      configurable: true,
      value: function (this: unknown[], ...args: Parameters<typeof original>) {
        if (new Error().stack?.includes('instrumentation-openai/src/chat')) throw new Error('boom');
        return original.apply(this, args);
      },
    });
    try {
      const res = await poisoned;
      expect(res.choices[0].message.content).toBe('Hello from gpt-4o!');
    } finally {
      Object.defineProperty(Array.prototype, 'map', { configurable: true, writable: true, value: original });
    }
    expect(warn.mock.calls.filter((c) => String(c[0]).includes('[tokenledger] instrumentation fault')).length).toBe(1);
    warn.mockRestore();
  });
});

describe('embeddings.create', () => {
  it('records an embeddings span with its input tokens', async () => {
    const h = await harness();
    try {
      await h.client.embeddings.create({ model: 'text-embedding-3-small', input: ['abcdefgh', 'abcd'], encoding_format: 'float' });
      const [span] = await finishedSpans(h);
      expect(span.name).toBe('embeddings text-embedding-3-small');
      expect(span.attributes).toMatchObject({
        'gen_ai.operation.name': 'embeddings',
        'gen_ai.usage.input_tokens': 3,
        'gen_ai.request.encoding_formats': ['float'],
      });
    } finally {
      await h.close();
    }
  });
});
