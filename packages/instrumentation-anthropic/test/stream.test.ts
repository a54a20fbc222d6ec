import type { MessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { SpanStatusCode } from '@opentelemetry/api';
import { finishedSpans, type Harness, harness, MODEL, PROMPT } from './setup';

const BODY = { model: MODEL, max_tokens: 100, messages: PROMPT, stream: true as const };
/** 9 words, one content_block_delta each; 20 prompt tokens of which 12 cache reads and 5 cache writes. */
const OPTIONS = { headers: { 'x-mock-repeat': '3', 'x-mock-cache-read-tokens': '12', 'x-mock-cache-creation-tokens': '5' } };

const textOf = (event: MessageStreamEvent) => (event.type === 'content_block_delta' && event.delta.type === 'text_delta' ? event.delta.text : '');

describe('streamed messages', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('takes input and cache tokens from message_start and output tokens from message_delta', async () => {
    const stream = await h.client.messages.create(BODY, OPTIONS);
    let text = '';
    for await (const event of stream) text += textOf(event);
    expect(text.split(' ')).toHaveLength(9);
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({
      'gen_ai.response.id': 'msg_mock0001',
      'gen_ai.response.model': `${MODEL}-20250929`,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.cache_read.input_tokens': 12,
      'gen_ai.usage.cache_creation.input_tokens': 5,
      'gen_ai.usage.output_tokens': 9,
    });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    const ttfc = (await h.metrics()).scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'gen_ai.client.operation.time_to_first_chunk');
    expect(ttfc?.dataPoints).toHaveLength(1);
  });

  it('ends the span with what was seen when the app breaks out early', async () => {
    const stream = await h.client.messages.create(BODY, OPTIONS);
    let events = 0;
    for await (const _ of stream) if (++events === 3) break;
    const [span] = await finishedSpans(h);
    expect(span.ended).toBe(true);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    // message_start was seen: the prompt is known exactly; output is what message_start reported, no stop reason yet.
    expect(span.attributes).toMatchObject({
      'gen_ai.response.id': 'msg_mock0001',
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.cache_read.input_tokens': 12,
      'gen_ai.usage.output_tokens': 1,
    });
    expect(span.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
  });

  it("returns the SDK's own stream: tee() splits it and the span still ends once with the usage", async () => {
    const stream = await h.client.messages.create(BODY, OPTIONS);
    const [a, b] = stream.tee();
    const read = async (s: AsyncIterable<MessageStreamEvent>) => {
      let t = '';
      for await (const e of s) t += textOf(e);
      return t;
    };
    const [ta, tb] = await Promise.all([read(a), read(b)]);
    expect(ta).toBe(tb);
    const spans = await finishedSpans(h);
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes['gen_ai.usage.output_tokens']).toBe(9);
  });

  it('keeps controller.abort() working and ends the span', async () => {
    const stream = await h.client.messages.create(BODY, { headers: { 'x-mock-repeat': '20', 'x-mock-scenario': 'delayMs=5' } });
    let seen = 0;
    const error = await (async () => {
      for await (const _ of stream) if (++seen === 3) stream.controller.abort();
    })().catch((e: unknown) => e);
    expect(seen).toBeLessThan(60);
    expect(error === undefined || (error as Error).name.includes('Abort')).toBe(true);
    const [span] = await finishedSpans(h);
    expect(span.ended).toBe(true);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(20);
  });

  it('ends the span with error.type when the connection is cut mid-stream', async () => {
    const stream = await h.client.messages.create(BODY, { headers: { 'x-mock-repeat': '5', 'x-mock-scenario': 'cutAfter=5' } });
    const error = await (async () => {
      for await (const _ of stream) {
        /* drain */
      }
    })().catch((e: unknown) => e);
    // The fetch error comes from Node's own realm, so it is checked by shape, not instanceof.
    expect((error as Error | undefined)?.message).toBeTruthy();
    const [span] = await finishedSpans(h);
    expect(span.attributes['error.type']).toBe((error as Error).constructor.name);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(20);
  });

  it('ends the span with the SDK error class when the API reports an error mid-stream', async () => {
    const stream = await h.client.messages.create(BODY, { headers: { ...OPTIONS.headers, 'x-mock-stream-error': '5' } });
    const error = await (async () => {
      for await (const _ of stream) {
        /* drain */
      }
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ error: { error: { type: 'overloaded_error' } } });
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({
      'error.type': (error as Error).constructor.name,
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.cache_read.input_tokens': 12,
    });
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it.each([429, 500])('ends the span with error.type %d when the stream request fails', async (status) => {
    const error = await h.client.messages.create(BODY, { headers: { 'x-mock-scenario': `status=${status}` } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status });
    const [span] = await finishedSpans(h);
    expect(span.attributes['error.type']).toBe(String(status));
  });

  it('records streamed text only when content capture is on', async () => {
    await h.close();
    h = await harness({ captureMessageContent: true });
    const stream = await h.client.messages.create(BODY, { headers: { 'x-mock-repeat': '2' } });
    for await (const _ of stream) {
      /* drain */
    }
    const [span] = await finishedSpans(h);
    expect(JSON.parse(span.attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', content: [{ type: 'text', text: `Hello from ${MODEL}! Hello from ${MODEL}!` }] },
    ]);
  });
});

describe('the messages.stream() helper', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('keeps finalMessage(), finalText() and event listeners working, with one span carrying the usage', async () => {
    const texts: string[] = [];
    let connected = false;
    const stream = h.client.messages.stream({ model: MODEL, max_tokens: 100, messages: PROMPT }, OPTIONS);
    stream.on('connect', () => (connected = true)).on('text', (delta) => texts.push(delta));
    const final = await stream.finalMessage();
    expect(await stream.finalText()).toBe(texts.join(''));
    expect(connected).toBe(true);
    expect(texts).toHaveLength(9);
    expect(final.usage).toMatchObject({ input_tokens: 3, cache_read_input_tokens: 12, cache_creation_input_tokens: 5, output_tokens: 9 });
    const spans = await finishedSpans(h);
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.cache_read.input_tokens': 12,
      'gen_ai.usage.cache_creation.input_tokens': 5,
      'gen_ai.usage.output_tokens': 9,
      'gen_ai.response.finish_reasons': ['end_turn'],
    });
    expect(h.server.requests[0].headers['x-stainless-helper-method']).toBe('stream');
  });

  it('keeps abort() working: the helper rejects as aborted and the span ends', async () => {
    const stream = h.client.messages.stream(
      { model: MODEL, max_tokens: 100, messages: PROMPT },
      { headers: { 'x-mock-repeat': '20', 'x-mock-scenario': 'delayMs=5' } },
    );
    let deltas = 0;
    stream.on('text', () => {
      if (++deltas === 2) stream.abort();
    });
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(stream.aborted).toBe(true);
    expect((error as Error).constructor.name).toBe('APIUserAbortError');
    const [span] = await finishedSpans(h);
    expect(span.ended).toBe(true);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(20);
  });

  it('reports an API error through the helper and on the span', async () => {
    const stream = h.client.messages.stream({ model: MODEL, max_tokens: 100, messages: PROMPT }, { headers: { 'x-mock-scenario': 'status=529' } });
    const errors: unknown[] = [];
    stream.on('error', (e) => errors.push(e));
    await expect(stream.done()).rejects.toMatchObject({ status: 529 });
    expect(errors).toHaveLength(1);
    const [span] = await finishedSpans(h);
    expect(span.attributes['error.type']).toBe('529');
  });

  it('observes beta.messages.stream() the same way', async () => {
    const final = await h.client.beta.messages.stream({ model: MODEL, max_tokens: 100, messages: PROMPT }, OPTIONS).finalMessage();
    expect(final.usage.output_tokens).toBe(9);
    const spans = await finishedSpans(h);
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 20, 'gen_ai.usage.output_tokens': 9 });
  });
});
