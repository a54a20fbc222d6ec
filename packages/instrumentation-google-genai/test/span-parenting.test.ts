import { httpSpans, httpSpansUnder, recordHttpClientSpans } from '@tokenledger/otel-harness';
import { finishedSpans, type Harness, harness } from './setup';

describe('the GenAI span and the request under it', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
    recordHttpClientSpans(h.telemetry);
  });
  afterEach(() => h.close());

  it("makes the HTTP client span of a generateContent call's request a child of its span", async () => {
    await h.ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
    const spans = await finishedSpans(h);
    const generate = spans.find((s) => s.name === 'generate_content gemini-2.5-flash')!;
    expect(httpSpansUnder(spans, generate).map((s) => s.attributes['url.full'])).toEqual([`${h.server.url}/v1/models/gemini-2.5-flash:generateContent`]);
    expect(httpSpans(spans)).toHaveLength(1);
  });

  it('does the same for a stream, an embedding and the legacy SDK', async () => {
    for await (const _ of await h.ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' }));
    await h.vertex.models.embedContent({ model: 'text-embedding-005', contents: 'hi' });
    await h.legacy('gemini-1.5-flash').generateContent('hi');
    const spans = await finishedSpans(h);
    const genAi = spans.filter((s) => s.instrumentationScope.name === '@tokenledger/instrumentation-google-genai');
    expect(genAi.map((s) => s.name)).toEqual(['generate_content gemini-2.5-flash', 'embeddings text-embedding-005', 'generate_content gemini-1.5-flash']);
    expect(genAi.map((s) => httpSpansUnder(spans, s).length)).toEqual([1, 1, 1]);
  });
});
