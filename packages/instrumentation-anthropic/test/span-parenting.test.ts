import { SpanStatusCode } from '@opentelemetry/api';
import { httpSpans, httpSpansUnder, recordHttpClientSpans } from '@tokenledger/otel-harness';
import { finishedSpans, type Harness, harness, MODEL, PROMPT } from './setup';

describe('the chat span and the request under it', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
    recordHttpClientSpans(h.telemetry);
  });
  afterEach(() => h.close());

  it("makes the HTTP client span of a message's request a child of its chat span", async () => {
    await h.client.messages.create({ model: MODEL, max_tokens: 50, messages: PROMPT });
    const spans = await finishedSpans(h);
    const chat = spans.find((s) => s.name === `chat ${MODEL}`)!;
    expect(httpSpansUnder(spans, chat).map((s) => s.attributes['url.full'])).toEqual([`${h.server.url}/v1/messages`]);
    expect(httpSpans(spans)).toHaveLength(1);
  });

  it('does the same for the messages.stream() helper', async () => {
    await h.client.messages.stream({ model: MODEL, max_tokens: 50, messages: PROMPT }).finalMessage();
    const spans = await finishedSpans(h);
    expect(
      httpSpansUnder(
        spans,
        spans.find((s) => s.name === `chat ${MODEL}`)!,
      ),
    ).toHaveLength(1);
  });

  it('ends the span with the error when the SDK method throws synchronously, and rethrows it untouched', async () => {
    expect(() => h.client.messages.create(undefined as never)).toThrow(TypeError);
    const [span] = await finishedSpans(h);
    expect(span.name).toBe('chat unknown');
    expect(span.attributes['error.type']).toBe('TypeError');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(h.server.requests).toHaveLength(0);
  });
});
