import { context, propagation } from '@opentelemetry/api';
import { type LiveServerMessage, Modality } from '@google/genai';
import { finishedSpans, type Harness, harness } from './setup';

const MODEL = 'gemini-live-2.5-flash-preview';
const as = <T>(user: string, fn: () => Promise<T>) => context.with(propagation.setBaggage(context.active(), propagation.createBaggage({ 'user.id': { value: user } })), fn);
const until = (test: () => boolean) =>
  new Promise<void>((resolve) => {
    const check = () => (test() ? resolve() : setTimeout(check, 5));
    check();
  });

describe('Gemini Live sessions', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  async function session(messages: LiveServerMessage[], closed: { done: boolean }) {
    return as('ana', () =>
      h.ai.live.connect({ model: MODEL, config: { responseModalities: [Modality.AUDIO] }, callbacks: { onmessage: (m) => messages.push(m), onclose: () => (closed.done = true) } }),
    );
  }
  const turns = (messages: LiveServerMessage[], n: number) => until(() => messages.filter((m) => m.serverContent?.turnComplete).length >= n);

  it('records a session span and one generate_content call per turn with its usage by modality; the app gets every message', async () => {
    const messages: LiveServerMessage[] = [];
    const closed = { done: false };
    const live = await session(messages, closed);
    live.sendClientContent({ turns: [{ role: 'user', parts: [{ text: 'x'.repeat(40) }] }], turnComplete: true });
    await turns(messages, 1);
    live.sendRealtimeInput({ audio: { data: Buffer.alloc(32_000).toString('base64'), mimeType: 'audio/pcm;rate=16000' } });
    live.sendRealtimeInput({ audioStreamEnd: true });
    await turns(messages, 2);
    live.close();
    await until(() => closed.done);
    expect(messages[0].setupComplete).toBeDefined();
    expect(messages.filter((m) => m.usageMetadata)).toHaveLength(2);

    const spans = await finishedSpans(h);
    const [sessionSpan] = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'session');
    expect(sessionSpan).toMatchObject({ name: `session ${MODEL}`, ended: true });
    expect(sessionSpan.attributes).toMatchObject({ 'gen_ai.provider.name': 'gcp.gemini', 'user.id': 'ana' });
    expect(sessionSpan.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    const turnSpans = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'generate_content');
    expect(turnSpans.map((s) => s.name)).toEqual([`generate_content ${MODEL}`, `generate_content ${MODEL}`]);
    // mock: turn 1 reads 20 text tokens, speaks 30 audio tokens; turn 2 reads those and 32 more audio tokens
    expect(turnSpans.map((s) => [s.attributes['gen_ai.usage.input_tokens'], s.attributes['tokenledger.usage.audio.input_tokens'], s.attributes['gen_ai.usage.output_tokens'], s.attributes['tokenledger.usage.audio.output_tokens']])).toEqual([
      [20, undefined, 30, 30],
      [82, 62, 30, 30],
    ]);
    for (const t of turnSpans) {
      expect(t.parentSpanContext?.spanId).toBe(sessionSpan.spanContext().spanId);
      expect(t.attributes['user.id']).toBe('ana');
    }
  });

  it('ends a turn the connection drops before its usage without usage, with the error, and the session with it', async () => {
    const messages: LiveServerMessage[] = [];
    const closed = { done: false };
    const live = await session(messages, closed);
    live.sendClientContent({ turns: [{ role: 'user', parts: [{ text: 'scenario:cutAfter=2' }] }], turnComplete: true });
    await until(() => closed.done);
    const spans = await finishedSpans(h);
    const [turn] = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'generate_content');
    expect(turn.attributes).toMatchObject({ 'error.type': 'LiveSessionClosedError' });
    expect(turn.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'session')).toMatchObject([{ ended: true }]);
  });
});

describe('Gemini batch jobs', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('records each inlined response of a succeeded job once, attributed as when the job was created', async () => {
    const job = await as('ana', () =>
      h.ai.batches.create({
        model: 'gemini-2.5-flash',
        src: [
          { contents: [{ role: 'user', parts: [{ text: 'x'.repeat(40) }] }], metadata: { key: 'r-1' } },
          { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], metadata: { key: 'r-2' } },
        ],
        config: { displayName: 'nightly' },
      }),
    );
    for (let i = 0; i < 3; i++) await as('bob', () => h.ai.batches.get({ name: job.name! }));
    const spans = await finishedSpans(h);
    const [created] = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'batch' && s.attributes['user.id'] === 'ana' && s.attributes['tokenledger.batch'] === undefined);
    expect(created).toMatchObject({ name: 'batch gemini-2.5-flash' });
    const results = spans.filter((s) => s.attributes['tokenledger.batch'] === true);
    // mock: 10 + 40 / 4 = 20 and 10 + 2 / 4 = 10 prompt tokens, 3 words out
    expect(results.map((s) => [s.name, s.attributes['tokenledger.batch.request_id'], s.attributes['gen_ai.usage.input_tokens'], s.attributes['gen_ai.usage.output_tokens'], s.attributes['user.id'], s.attributes['tokenledger.tag.batch']])).toEqual([
      ['generate_content gemini-2.5-flash', 'r-1', 20, 3, 'ana', 'nightly'],
      ['generate_content gemini-2.5-flash', 'r-2', 10, 3, 'ana', 'nightly'],
    ]);
    for (const r of results) expect(r.attributes['tokenledger.batch.id']).toBe(job.name);
  });
});
