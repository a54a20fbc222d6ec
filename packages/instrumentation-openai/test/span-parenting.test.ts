import { SpanStatusCode } from '@opentelemetry/api';
import { httpSpans, httpSpansUnder, recordHttpClientSpans } from '@tokenledger/otel-harness';
import { finishedSpans, type Harness, harness } from './setup';

const MESSAGES = [{ role: 'user' as const, content: 'hi' }];

describe.each(['openai', 'openai-v6'] as const)('the GenAI span and the request under it (%s)', (sdk) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness({}, sdk);
    recordHttpClientSpans(h.telemetry);
  });
  afterEach(() => h.close());

  it("makes the HTTP client span of a chat call's request a child of its chat span", async () => {
    await h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    const spans = await finishedSpans(h);
    const chat = spans.find((s) => s.name === 'chat gpt-4o-mini')!;
    expect(httpSpansUnder(spans, chat).map((s) => s.attributes['url.full'])).toEqual([`${h.server.url}/v1/chat/completions`]);
    expect(httpSpans(spans)).toHaveLength(1);
  });

  it('makes the HTTP client span of a streamed call and of an embedding children of their spans', async () => {
    const stream = await h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true });
    for await (const _ of stream);
    await h.client.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' });
    const spans = await finishedSpans(h);
    const chat = spans.find((s) => s.name === 'chat gpt-4o-mini')!;
    const embeddings = spans.find((s) => s.name === 'embeddings text-embedding-3-small')!;
    expect(httpSpansUnder(spans, chat)).toHaveLength(1);
    expect(httpSpansUnder(spans, embeddings).map((s) => s.attributes['url.full'])).toEqual([`${h.server.url}/v1/embeddings`]);
  });

  it('ends the span with the error when the SDK method throws synchronously, and rethrows it untouched', async () => {
    const thrown = (() => {
      try {
        void h.client.embeddings.create(undefined as never);
      } catch (err) {
        return err;
      }
    })();
    expect(thrown).toBeInstanceOf(TypeError);
    const [span] = await finishedSpans(h);
    expect(span.name).toBe('embeddings unknown');
    expect(span.attributes['error.type']).toBe('TypeError');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: (thrown as Error).message });
    expect(h.server.requests).toHaveLength(0);
  });
});
