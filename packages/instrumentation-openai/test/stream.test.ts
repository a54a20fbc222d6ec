import { finishedSpans, type Harness, harness } from './setup';

const BODY = {
  model: 'gpt-4o',
  messages: [{ role: 'user' as const, content: 'x'.repeat(40) }],
  stream: true as const,
  stream_options: { include_usage: true },
};
const REPEAT = { headers: { 'x-mock-repeat': '3' } }; // 9 words, one chunk each

describe('streaming chat completions', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('takes usage from the final usage chunk and records time to first chunk', async () => {
    const stream = await h.client.chat.completions.create(BODY, REPEAT);
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text.split(' ')).toHaveLength(9);
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.output_tokens': 9,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
    });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    const ttfc = (await h.metrics()).scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'gen_ai.client.operation.time_to_first_chunk');
    expect(ttfc?.dataPoints).toHaveLength(1);
  });

  it('takes the audio tokens from the final usage chunk of a spoken reply', async () => {
    const wav = Buffer.alloc(32_000).toString('base64'); // mock: 1 s of 16 kHz PCM → 10 audio tokens
    const stream = await h.client.chat.completions.create({
      ...BODY,
      model: 'gpt-4o-mini-audio-preview',
      modalities: ['text', 'audio'],
      audio: { voice: 'alloy', format: 'pcm16' },
      messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: wav, format: 'wav' } }] }],
    });
    for await (const _chunk of stream);
    const [span] = await finishedSpans(h);
    // mock: 10 per message + 10 audio in; 3 words of transcript + 10 audio tokens per word out
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 20,
      'tokenledger.usage.audio.input_tokens': 10,
      'gen_ai.usage.output_tokens': 33,
      'tokenledger.usage.audio.output_tokens': 30,
    });
  });

  it("returns the SDK's own stream: tee() splits it and the span still ends once with the usage", async () => {
    const stream = await h.client.chat.completions.create(BODY, REPEAT);
    const [a, b] = stream.tee();
    const read = async (s: AsyncIterable<{ choices: { delta?: { content?: string | null } }[] }>) => {
      let t = '';
      for await (const c of s) t += c.choices[0]?.delta?.content ?? '';
      return t;
    };
    const [ta, tb] = await Promise.all([read(a), read(b)]);
    expect(ta).toBe(tb);
    const spans = await finishedSpans(h);
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes['gen_ai.usage.output_tokens']).toBe(9);
  });

  it('ends the span with what was seen when the app breaks out early', async () => {
    const stream = await h.client.chat.completions.create(BODY, REPEAT);
    let chunks = 0;
    for await (const _ of stream) if (++chunks === 3) break;
    const [span] = await finishedSpans(h);
    expect(span.ended).toBe(true);
    expect(span.attributes['gen_ai.response.id']).toBe('chatcmpl-mock0001');
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
  });

  it('keeps controller.abort() working and ends the span', async () => {
    const stream = await h.client.chat.completions.create(BODY, { headers: { 'x-mock-repeat': '20', 'x-mock-scenario': 'delayMs=5' } });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) {
        seen.push(chunk.choices[0]?.delta?.content ?? '');
        if (seen.length === 2) stream.controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(seen.length).toBeLessThan(20);
    expect(error === undefined || (error as Error).name.includes('Abort')).toBe(true);
    const [span] = await finishedSpans(h);
    expect(span.ended).toBe(true);
  });

  it('ends the span with error.type when the connection is cut mid-stream', async () => {
    const stream = await h.client.chat.completions.create(BODY, { headers: { 'x-mock-repeat': '5', 'x-mock-scenario': 'cutAfter=3' } });
    const error = await (async () => {
      for await (const _ of stream) {
        /* drain */
      }
    })().catch((e: unknown) => e);
    // The fetch error comes from Node's own realm, so it is checked by shape, not instanceof.
    expect((error as Error | undefined)?.message).toBeTruthy();
    const [span] = await finishedSpans(h);
    expect(span.attributes['error.type']).toBe((error as Error).constructor.name);
    expect(span.status.code).toBe(2);
  });
});
