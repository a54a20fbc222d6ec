import { finishedSpans, type Harness, harness } from './setup';

const TOOLS = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
const ASK = [{ role: 'user' as const, content: 'weather?' }]; // mock: 10 + 8/4 = 12 prompt tokens

describe('chat tool calls and chat.completions.parse', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('records a tool call turn with finish reason tool_calls and its usage', async () => {
    const res = await h.client.chat.completions.create({ model: 'gpt-4o', messages: ASK, tools: TOOLS });
    expect(res.choices[0].message.tool_calls?.[0]).toMatchObject({ id: 'call_mock0001', function: { name: 'get_weather' } });
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({
      'gen_ai.response.finish_reasons': ['tool_calls'],
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 10,
    });
  });

  it('records a streamed tool call through chat.completions.stream(), once', async () => {
    const runner = h.client.chat.completions.stream({ model: 'gpt-4o', messages: ASK, tools: TOOLS, stream_options: { include_usage: true } });
    const done = await runner.finalChatCompletion();
    const call = done.choices[0].message.tool_calls?.[0];
    expect(call?.type === 'function' ? call.function.name : call).toBe('get_weather');
    const spans = await finishedSpans(h);
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes).toMatchObject({ 'gen_ai.response.finish_reasons': ['tool_calls'], 'gen_ai.usage.output_tokens': 10 });
    expect(spans[0].attributes['tokenledger.usage.estimated']).toBeUndefined();
  });

  it('records parse() once, with exact usage, and the app still gets the parsed object', async () => {
    const res = await h.client.chat.completions.parse({
      model: 'gpt-4o-mini',
      messages: ASK,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'answer',
          strict: true,
          schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false },
        },
      },
    });
    expect(res.choices[0].message.parsed).toEqual({ answer: 'Hello from gpt-4o-mini!' });
    const spans = await finishedSpans(h);
    expect(spans).toHaveLength(1);
    expect(spans[0].name).toBe('chat gpt-4o-mini');
    expect(spans[0].attributes).toMatchObject({
      'gen_ai.output.type': 'json',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.response.finish_reasons': ['stop'],
    });
  });

  it('parse().withResponse() keeps working', async () => {
    const { data, response } = await h.client.chat.completions
      .parse({ model: 'gpt-4o', messages: ASK, response_format: { type: 'json_object' } })
      .withResponse();
    expect(JSON.parse(data.choices[0].message.content ?? '')).toEqual({ answer: 'Hello from gpt-4o!' });
    expect(response.headers.get('x-request-id')).toBe('req_mock_0001');
    expect(await finishedSpans(h)).toHaveLength(1);
  });
});
