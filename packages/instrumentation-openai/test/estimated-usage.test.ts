import { finishedSpans, type Harness, harness } from './setup';

/*
 * Expected counts are o200k_base token counts (gpt-4o's encoding), fixed here so a change of
 * tokenizer or of the counting rules shows up:
 *   input  = 3 (reply priming) + 3 (message framing) + 1 ("user") + 5 ("x" × 40) = 12
 *   output = "Hello from gpt-4o! Hello from gpt-4o! Hello from gpt-4o!" = 24
 */
const BODY = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'x'.repeat(40) }], stream: true as const };
const REPEAT = { headers: { 'x-mock-repeat': '3' } };

describe('streams that report no usage', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('estimates tokens with the tokenizer and marks the usage as estimated', async () => {
    const stream = await h.client.chat.completions.create(BODY, REPEAT);
    for await (const _ of stream) {
      /* drain */
    }
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 24, 'tokenledger.usage.estimated': true });
    const tokens = (await h.metrics()).scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'gen_ai.client.token.usage');
    expect(tokens?.dataPoints.map((p) => (p.value as { sum: number }).sum).sort((a, b) => a - b)).toEqual([12, 24]);
  });

  it('estimates what streamed before the app stopped reading', async () => {
    const stream = await h.client.chat.completions.create(BODY, REPEAT);
    let chunks = 0;
    for await (const _ of stream) if (++chunks === 4) break; // role chunk + "Hello" " from" " gpt-4o!"
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 8, 'tokenledger.usage.estimated': true });
  });

  it('estimates the arguments of a streamed tool call', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
    const stream = await h.client.chat.completions.create({ ...BODY, tools });
    for await (const _ of stream) {
      /* drain */
    }
    const [span] = await finishedSpans(h);
    // "get_weather" + "{}" = 3 tokens
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.response.finish_reasons': ['tool_calls'],
      'tokenledger.usage.estimated': true,
    });
  });

  it('a server that ignores include_usage gets an estimate too', async () => {
    const stream = await h.client.chat.completions.create(
      { ...BODY, stream_options: { include_usage: true } },
      { headers: { 'x-mock-repeat': '3', 'x-mock-scenario': 'noUsage' } },
    );
    for await (const _ of stream) {
      /* drain */
    }
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.output_tokens': 24, 'tokenledger.usage.estimated': true });
  });

  it('reported usage is never marked as estimated', async () => {
    const stream = await h.client.chat.completions.create({ ...BODY, stream_options: { include_usage: true } }, REPEAT);
    for await (const _ of stream) {
      /* drain */
    }
    const [span] = await finishedSpans(h);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(9); // the mock's count: words
    expect(span.attributes['tokenledger.usage.estimated']).toBeUndefined();
  });
});
