import { propagation, context } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { loopbackCertificate } from '@tokenledger/mock-llm-server';
import { type InstrumentedSdk, instrumentedSdk } from '@tokenledger/otel-harness';
import type { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import { OpenAIInstrumentation } from '../src';

const tls = loopbackCertificate();
const SECOND_OF_AUDIO = Buffer.alloc(48_000).toString('base64'); // mock: 24 kHz 16-bit PCM, 10 audio tokens

type Event = RealtimeServerEvent | { type: 'sdk-error'; message: string };

describe.each(['openai', 'openai-v6'])('Realtime sessions through the SDK’s WebSocket client (%s)', (sdk) => {
  // The SDK's modules (the previous major's read with the current one's types), its Realtime base as the instrumentation reads it.
  const realtimeBase = require(`${sdk}/realtime/internal-base`) as Parameters<OpenAIInstrumentation['patchRealtime']>[0];
  const { OpenAI } = require(sdk) as typeof import('openai');
  const { OpenAIRealtimeWS: Client } = require(`${sdk}/realtime/ws`) as typeof import('openai/realtime/ws');
  let h: InstrumentedSdk<OpenAIInstrumentation>;
  let rt: OpenAIRealtimeWS;
  let events: Event[];
  const next = (type: string, after: number) =>
    new Promise<Event>((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        const found = events.slice(after).find((e) => e.type === type);
        if (found) resolve(found);
        else if (Date.now() - started > 10_000) reject(new Error(`no ${type} after event ${after}: ${events.map((e) => e.type).join(', ')}`));
        else setTimeout(check, 5);
      };
      check();
    });
  const respond = async (response?: object) => {
    const before = events.length;
    rt.send({ type: 'response.create', ...(response ? { response } : {}) } as never);
    return next('response.done', before);
  };
  const spans = async () => (await h.telemetry.spans()).filter((s) => s.instrumentationScope.name === '@tokenledger/instrumentation-openai');
  const byOperation = (all: ReadableSpan[], operation: string) => all.filter((s) => s.attributes['gen_ai.operation.name'] === operation);

  beforeEach(async () => {
    h = await instrumentedSdk(
      new OpenAIInstrumentation({ enabled: false }),
      (i) => {
        i.patchRealtime(realtimeBase);
        return () => i.unpatchRealtime(realtimeBase);
      },
      { server: { tls } },
    );
    events = [];
    const bag = propagation.createBaggage({ 'user.id': { value: 'ana' }, 'tokenledger.feature': { value: 'voice' } });
    context.with(propagation.setBaggage(context.active(), bag), () => {
      rt = new Client({ model: 'gpt-realtime', options: { ca: tls.cert } }, new OpenAI({ apiKey: 'test', baseURL: `${h.server.url}/v1` }));
    });
    rt.on('event', (e) => events.push(e));
    rt.on('error', (e) => events.push({ type: 'sdk-error', message: e.message }));
    await next('session.created', 0);
  });
  afterEach(async () => {
    rt.close();
    await h.close();
  });

  it('records a session span and under it one call per response.done and per transcription, never the deltas', async () => {
    rt.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { transcription: { model: 'gpt-4o-transcribe' } } } } });
    await next('session.updated', 0);
    rt.send({ type: 'input_audio_buffer.append', audio: SECOND_OF_AUDIO });
    rt.send({ type: 'input_audio_buffer.commit' });
    await next('conversation.item.input_audio_transcription.completed', 0);
    await respond();
    rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'x'.repeat(40) }] } });
    await respond();
    rt.close();
    await new Promise((resolve) => rt.socket.once('close', resolve));

    const all = await spans();
    expect(all).toHaveLength(4);
    const [session] = byOperation(all, 'session');
    expect(session).toMatchObject({ name: 'session gpt-realtime', ended: true });
    expect(session.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-realtime',
      'server.address': '127.0.0.1',
      'user.id': 'ana',
    });
    expect(session.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    const [transcription] = byOperation(all, 'audio_transcription');
    expect(transcription.name).toBe('audio_transcription gpt-4o-transcribe');
    // mock: 1 s of audio is 10 audio tokens in, the transcript's 3 words out
    expect(transcription.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 10,
      'tokenledger.usage.audio.input_tokens': 10,
      'gen_ai.usage.output_tokens': 3,
      'user.id': 'ana',
      'tokenledger.feature': 'voice',
    });
    const responses = byOperation(all, 'chat');
    expect(responses.map((s) => s.name)).toEqual(['chat gpt-realtime', 'chat gpt-realtime']);
    for (const child of [transcription, ...responses]) expect(child.parentSpanContext?.spanId).toBe(session.spanContext().spanId);
    // mock: the first reads the 10 audio tokens; the second also the first reply (3 text + 30 audio) and 20 text tokens, the first read cached
    expect(responses[0].attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 10,
      'tokenledger.usage.audio.input_tokens': 10,
      'gen_ai.usage.output_tokens': 33,
      'tokenledger.usage.audio.output_tokens': 30,
      'gen_ai.response.finish_reasons': ['stop'],
      'user.id': 'ana',
    });
    expect(responses[1].attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 63,
      'gen_ai.usage.cache_read.input_tokens': 10,
      'tokenledger.usage.audio.input_tokens': 40,
      'tokenledger.usage.audio.cache_read.input_tokens': 10,
      'gen_ai.usage.output_tokens': 33,
      'tokenledger.usage.audio.output_tokens': 30,
      'gen_ai.response.model': 'gpt-realtime',
    });
    expect(responses[1].attributes['gen_ai.response.id']).toMatch(/^resp_mock/);
    expect(events.filter((e) => e.type === 'sdk-error')).toEqual([]);
  });

  it('keeps what was billed when the session drops mid-response: the response in flight ends without usage, with the error', async () => {
    await respond();
    const before = events.length;
    rt.send({ type: 'response.create', response: { metadata: { 'x-mock-scenario': 'cutAfter=3' } } } as never);
    await new Promise((resolve) => rt.socket.once('close', resolve));
    expect(events.slice(before).map((e) => e.type)).toEqual(['response.created', 'response.output_item.added', 'response.content_part.added']);
    const all = await spans();
    const responses = byOperation(all, 'chat');
    expect(responses).toHaveLength(2);
    expect(responses[0].attributes).toMatchObject({ 'gen_ai.usage.output_tokens': 33 });
    expect(responses[1].attributes).toMatchObject({ 'error.type': 'RealtimeSessionClosedError' });
    expect(responses[1].attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(byOperation(all, 'session')).toMatchObject([{ ended: true }]);
  });

  it('keeps what was billed when the app closes the session mid-response: the response in flight ends without usage, with the error', async () => {
    await respond();
    const before = events.length;
    rt.send({ type: 'response.create', response: { metadata: { 'x-mock-scenario': 'delayMs=50' } } } as never);
    await next('response.created', before);
    rt.close();
    await new Promise((resolve) => rt.socket.once('close', resolve));
    const all = await spans();
    const responses = byOperation(all, 'chat');
    expect(responses.map((s) => [s.attributes['gen_ai.usage.output_tokens'], s.attributes['error.type']])).toEqual([
      [33, undefined],
      [undefined, 'RealtimeSessionClosedError'],
    ]);
    expect(byOperation(all, 'session')).toMatchObject([{ ended: true }]);
  });

  it('reads image input and the images read from the cache', async () => {
    rt.send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' }] },
    } as never);
    await respond();
    await respond();
    rt.close();
    await new Promise((resolve) => rt.socket.once('close', resolve));
    // mock: the item is 10 text + 85 image tokens; the second response also reads the first's reply (3 text + 30 audio), the item cached
    const [, second] = byOperation(await spans(), 'chat');
    expect(second.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 128,
      'gen_ai.usage.cache_read.input_tokens': 95,
      'tokenledger.usage.image.input_tokens': 85,
      'tokenledger.usage.image.cache_read.input_tokens': 85,
      'tokenledger.usage.audio.input_tokens': 30,
    });
  });

  it('records a whisper-1 transcription by its billed seconds', async () => {
    rt.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { transcription: { model: 'whisper-1' } } } } });
    await next('session.updated', 0);
    rt.send({ type: 'input_audio_buffer.append', audio: Buffer.alloc(72_000).toString('base64') }); // 1.5 s
    rt.send({ type: 'input_audio_buffer.commit' });
    await next('conversation.item.input_audio_transcription.completed', 0);
    rt.close();
    await new Promise((resolve) => rt.socket.once('close', resolve));
    const [transcription] = byOperation(await spans(), 'audio_transcription');
    expect(transcription.attributes).toMatchObject({ 'gen_ai.request.model': 'whisper-1', 'tokenledger.audio.seconds': 2 });
    expect(transcription.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });
});
