import OpenAI, { AzureOpenAI, toFile } from 'openai';
import { type MockLlmServer, startMockLlmServer } from '../src';

describe('the mock OpenAI API, driven by the real openai SDK', () => {
  let server: MockLlmServer;
  let client: OpenAI;
  beforeAll(async () => {
    server = await startMockLlmServer();
    client = new OpenAI({ apiKey: 'test', baseURL: `${server.url}/v1`, maxRetries: 0 });
  });
  afterAll(() => server.close());

  it('answers a chat completion with usage derived from the request', async () => {
    const res = await client.chat.completions.create(
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(40) }] },
      { headers: { 'x-mock-cached-tokens': '5' } },
    );
    expect(res.choices[0].message.content).toBe('Hello from gpt-4o!');
    expect(res.model).toBe('gpt-4o-2024-08-06');
    expect(res.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 5 } });
    expect(server.requests.at(-1)?.path).toBe('/v1/chat/completions');
  });

  it('streams chunks and a final usage chunk when asked', async () => {
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } },
      { headers: { 'x-mock-repeat': '2' } },
    );
    let text = '';
    let usage;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('Hello from gpt-4o! Hello from gpt-4o!');
    expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 6 });
  });

  it('returns OpenAI-shaped errors the SDK raises as APIError', async () => {
    await expect(
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-mock-scenario': 'status=429' } }),
    ).rejects.toMatchObject({ status: 429 });
  });

  it('answers embeddings', async () => {
    const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['abcdefgh', 'abcd'] });
    expect(res.data).toHaveLength(2);
    expect(res.usage.prompt_tokens).toBe(3);
  });
  it('calls the first offered tool, then answers once the tool result comes back', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
    const first = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'weather?' }], tools });
    expect(first.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: { content: null, tool_calls: [{ id: 'call_mock0001', function: { name: 'get_weather', arguments: '{}' } }] },
    });
    expect(first.usage?.completion_tokens).toBe(10);
    const second = await client.chat.completions.create({
      model: 'gpt-4o',
      tools,
      messages: [{ role: 'user', content: 'weather?' }, first.choices[0].message, { role: 'tool', tool_call_id: 'call_mock0001', content: 'sunny' }],
    });
    expect(second.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'Hello from gpt-4o!' } });
  });

  it('streams a tool call as deltas the SDK reassembles', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
    const runner = client.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'weather?' }], tools });
    const done = await runner.finalChatCompletion();
    expect(done.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { tool_calls: [{ function: { name: 'get_weather', arguments: '{}' } }] } });
  });

  it('answers JSON when a response format asks for it, so parse() works', async () => {
    const res = await client.chat.completions.parse({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'a',
          strict: true,
          schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false },
        },
      },
    });
    expect(res.choices[0].message.parsed).toEqual({ answer: 'Hello from gpt-4o!' });
    expect(res.usage?.completion_tokens).toBe(3);
  });

  it('answers the responses API with usage incl. cached and reasoning tokens', async () => {
    const res = await client.responses.create(
      { model: 'gpt-4o', input: 'x'.repeat(40), instructions: 'be brief' },
      { headers: { 'x-mock-cached-tokens': '4', 'x-mock-reasoning-tokens': '2' } },
    );
    expect(res.output_text).toBe('Hello from gpt-4o!');
    // 2 messages × 10 + (40 + 8) / 4 = 32 input tokens; 3 words + 2 reasoning = 5 output tokens
    expect(res.usage).toMatchObject({
      input_tokens: 32,
      input_tokens_details: { cached_tokens: 4 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 2 },
    });
  });

  it('streams the responses API as typed events ending with response.completed', async () => {
    const stream = await client.responses.create({ model: 'gpt-4o', input: 'hi', stream: true }, { headers: { 'x-mock-repeat': '2' } });
    const types: string[] = [];
    let text = '';
    let usage;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') usage = event.response.usage;
    }
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(text).toBe('Hello from gpt-4o! Hello from gpt-4o!');
    expect(usage).toMatchObject({ input_tokens: 10, output_tokens: 6 });
  });

  it('generates DALL·E images as URLs and GPT images as base64 with token usage', async () => {
    const dalle = await client.images.generate({ model: 'dall-e-3', prompt: 'a cat', size: '1024x1792', quality: 'hd' });
    expect(dalle.data?.[0].url).toMatch(/^https:/);
    expect(dalle.usage).toBeUndefined();
    const gpt = await client.images.generate({ model: 'gpt-image-1', prompt: 'x'.repeat(40), n: 2, quality: 'low' });
    expect(gpt.data?.[0].b64_json).toBeTruthy();
    expect(gpt).toMatchObject({ size: '1024x1024', quality: 'low', usage: { input_tokens: 20, output_tokens: 2 * 272 } });
  });

  it('reads multipart uploads: image edits count the uploaded images, variations answer n images', async () => {
    const png = () => toFile(Buffer.from('fake png'), 'a.png', { type: 'image/png' });
    const edit = await client.images.edit({ model: 'gpt-image-1', prompt: 'hat', image: [await png(), await png()], quality: 'high' });
    expect(edit.usage).toMatchObject({ input_tokens: 10 + 0 + 2 * 65, input_tokens_details: { image_tokens: 130 }, output_tokens: 4160 });
    const variation = await client.images.createVariation({ image: await png(), n: 3, size: '256x256' });
    expect(variation.data).toHaveLength(3);
  });

  it('transcribes: verbose_json gives the duration, GPT transcribe models token usage, text plain text', async () => {
    const audio = () => toFile(Buffer.alloc(48_000), 'a.wav', { type: 'audio/wav' }); // 1.5 s at 32000 bytes/s
    const verbose = await client.audio.transcriptions.create({ model: 'whisper-1', file: await audio(), response_format: 'verbose_json' });
    expect(verbose).toMatchObject({ duration: 1.5, text: 'Hello from whisper-1!', usage: { type: 'duration', seconds: 2 } });
    const tokens = await client.audio.transcriptions.create({ model: 'gpt-4o-transcribe', file: await audio() });
    expect(tokens.usage).toMatchObject({ type: 'tokens', input_tokens: 15, output_tokens: 3 });
    const text = await client.audio.transcriptions.create({ model: 'whisper-1', file: await audio(), response_format: 'text' });
    expect(text).toBe('Hello from whisper-1!');
    const translation = await client.audio.translations.create({ model: 'whisper-1', file: await audio(), response_format: 'verbose_json' });
    expect(translation).toMatchObject({ duration: 1.5, task: 'translate' });
  });

  it('bills audio tokens: transcribe prompts as text tokens, chat audio in and out apart from text', async () => {
    const audio = () => toFile(Buffer.alloc(48_000), 'a.wav', { type: 'audio/wav' }); // 1.5 s → 15 audio tokens
    const prompted = await client.audio.transcriptions.create({ model: 'gpt-4o-transcribe', file: await audio(), prompt: 'Names: Ana, Bo.' });
    expect(prompted.usage).toMatchObject({ input_tokens: 3 + 15, input_token_details: { text_tokens: 3, audio_tokens: 15 }, output_tokens: 3 });
    const wav = Buffer.alloc(64_000).toString('base64'); // 2 s → 20 audio tokens
    const spoken = await client.chat.completions.create({
      model: 'gpt-4o-audio-preview',
      modalities: ['text', 'audio'],
      audio: { voice: 'alloy', format: 'wav' },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'input_audio', input_audio: { data: wav, format: 'wav' } },
          ],
        },
      ],
    });
    expect(spoken.choices[0].message.audio?.transcript).toBe('Hello from gpt-4o-audio-preview!');
    expect(spoken.usage).toMatchObject({
      prompt_tokens: 10 + 3 + 20,
      prompt_tokens_details: { audio_tokens: 20 },
      completion_tokens: 3 + 30,
      completion_tokens_details: { audio_tokens: 30 },
    });
  });

  it('speaks: 100 bytes of audio per character of input', async () => {
    const res = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hello' });
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect((await res.arrayBuffer()).byteLength).toBe(500);
  });

  it('serves Azure OpenAI deployment paths', async () => {
    const azure = new AzureOpenAI({ endpoint: server.url, apiKey: 'k', apiVersion: '2024-10-21', deployment: 'gpt-4o', maxRetries: 0 });
    const res = await azure.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.choices[0].message.content).toBe('Hello from gpt-4o!');
    expect(server.requests.at(-1)?.path).toBe('/openai/deployments/gpt-4o/chat/completions');
  });
});
