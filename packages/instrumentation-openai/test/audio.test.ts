import { toFile } from 'openai';
import { finishedSpans, type Harness, harness } from './setup';

// mock: the upload is read as 16 kHz 16-bit PCM, 32000 bytes a second → 48000 bytes = 1.5 s
const audio = () => toFile(Buffer.alloc(48_000), 'speech.wav', { type: 'audio/wav' });

describe('audio', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('transcriptions (verbose_json): records the billed audio seconds', async () => {
    const res = await h.client.audio.transcriptions.create({ model: 'whisper-1', file: await audio(), response_format: 'verbose_json' });
    expect(res.duration).toBe(1.5);
    const [span] = await finishedSpans(h);
    expect(span.name).toBe('audio_transcription whisper-1');
    // whisper bills whole seconds: usage.seconds (2), not the exact duration (1.5)
    expect(span.attributes).toMatchObject({ 'gen_ai.operation.name': 'audio_transcription', 'tokenledger.audio.seconds': 2 });
  });

  it('translations (verbose_json without usage): records the duration as the audio seconds', async () => {
    await h.client.audio.translations.create({ model: 'whisper-1', file: await audio(), response_format: 'verbose_json' });
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({ 'gen_ai.operation.name': 'audio_transcription', 'tokenledger.audio.seconds': 1.5 });
  });

  it('gpt-4o-transcribe: records the token usage the response reports, with its audio part apart', async () => {
    await h.client.audio.transcriptions.create({ model: 'gpt-4o-transcribe', file: await audio(), prompt: 'Names: Ana, Bo.' });
    const [span] = await finishedSpans(h);
    // mock: 15 prompt characters ÷ 4 = 3 text tokens + ⌈1.5 × 10⌉ = 15 audio tokens in, 3 words out
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 18, 'tokenledger.usage.audio.input_tokens': 15, 'gen_ai.usage.output_tokens': 3 });
    expect(span.attributes['tokenledger.usage.audio.output_tokens']).toBeUndefined();
    expect(span.attributes['tokenledger.audio.seconds']).toBeUndefined();
  });

  it('a text response (no duration, no usage) still ends its span, without invented units', async () => {
    const text = await h.client.audio.transcriptions.create({ model: 'whisper-1', file: await audio(), response_format: 'text' });
    expect(text).toBe('Hello from whisper-1!');
    const [span] = await finishedSpans(h);
    expect(span.ended).toBe(true);
    expect(span.attributes['tokenledger.audio.seconds']).toBeUndefined();
  });

  it('speech: records the characters of the input and returns the audio untouched', async () => {
    const res = await h.client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'héllo 👋' });
    expect((await res.arrayBuffer()).byteLength).toBe(700); // mock: 100 bytes per character
    const [span] = await finishedSpans(h);
    expect(span.name).toBe('speech tts-1');
    // 7 characters: é is one, the emoji is one (code points, not UTF-16 units)
    expect(span.attributes).toMatchObject({ 'gen_ai.operation.name': 'speech', 'gen_ai.output.type': 'speech', 'tokenledger.speech.characters': 7 });
  });
});
