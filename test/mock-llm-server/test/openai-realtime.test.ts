import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import { loopbackCertificate, type MockLlmServer, startMockLlmServer } from '../src';

/** What the socket delivers: the SDK's server events, and its errors as events of their own. */
type Event = RealtimeServerEvent | { type: 'sdk-error'; message: string };

describe('the mock OpenAI Realtime API over TLS, driven by the real openai SDK', () => {
  const tls = loopbackCertificate();
  let server: MockLlmServer;
  let rt: OpenAIRealtimeWS;
  const events: Event[] = [];
  const next = <T extends Event['type']>(type: T, after = 0) =>
    new Promise<Extract<Event, { type: T }>>((resolve) => {
      const found = () => events.slice(after).find((e): e is Extract<Event, { type: T }> => e.type === type);
      const check = () => (found() ? resolve(found()!) : setTimeout(check, 5));
      check();
    });
  beforeAll(async () => {
    server = await startMockLlmServer({ tls });
    const client = new OpenAI({ apiKey: 'test', baseURL: `${server.url}/v1` });
    rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { ca: tls.cert } }, client);
    rt.on('event', (e) => events.push(e));
    rt.on('error', (e) => events.push({ type: 'sdk-error', message: e.message }));
    await next('session.created');
  });
  afterAll(async () => {
    rt?.close();
    await server?.close();
  });

  it('speaks the session, transcription and response events with usage derived from the conversation', async () => {
    expect(events[0]).toMatchObject({ type: 'session.created', session: { type: 'realtime', model: 'gpt-realtime', output_modalities: ['audio'] } });
    rt.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { transcription: { model: 'gpt-4o-transcribe' } } } } });
    expect(await next('session.updated')).toMatchObject({ session: { audio: { input: { transcription: { model: 'gpt-4o-transcribe' } } } } });
    rt.send({ type: 'input_audio_buffer.append', audio: Buffer.alloc(48_000).toString('base64') }); // 1 s: 10 audio tokens
    rt.send({ type: 'input_audio_buffer.commit' });
    expect(await next('conversation.item.input_audio_transcription.completed')).toMatchObject({
      transcript: 'Hello from gpt-4o-transcribe!',
      usage: { type: 'tokens', input_tokens: 10, input_token_details: { text_tokens: 0, audio_tokens: 10 }, output_tokens: 3 },
    });
    const before = events.length;
    rt.send({ type: 'response.create' });
    const first = await next('response.done', before);
    expect(first.response).toMatchObject({
      status: 'completed',
      usage: {
        input_tokens: 10,
        input_token_details: { cached_tokens: 0, text_tokens: 0, audio_tokens: 10 },
        output_tokens: 33,
        output_token_details: { text_tokens: 3, audio_tokens: 30 },
      },
    });
    const sequence = events.slice(before).map((e) => e.type);
    expect(sequence.slice(0, 3)).toEqual(['response.created', 'response.output_item.added', 'response.content_part.added']);
    expect(sequence).toContain('response.output_audio.delta');
    expect(sequence).toContain('response.output_audio_transcript.delta');
    rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'x'.repeat(40) }] } }); // 10 + 10 text tokens
    const later = events.length;
    rt.send({ type: 'response.create' });
    // The reply joined the conversation (3 text + 30 audio); what the first response read is cached.
    expect((await next('response.done', later)).response.usage).toMatchObject({
      input_tokens: 63,
      input_token_details: {
        cached_tokens: 10,
        text_tokens: 23,
        audio_tokens: 40,
        image_tokens: 0,
        cached_tokens_details: { text_tokens: 0, audio_tokens: 10, image_tokens: 0 },
      },
      output_tokens: 33,
    });
    expect(events.filter((e) => e.type === 'sdk-error')).toEqual([]);
  });
});
