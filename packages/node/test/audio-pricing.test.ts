import type { ReportAnswer } from './support/collector-api';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { type CollectorProcess, startCollectorProcess } from './support/collector';
import { REQUIRE_HOOK, runApp } from './support/run-app';

jest.setTimeout(180_000);

/** Audio calls through the patched openai SDK, exported by the hook to the real collector, priced there at the audio rates. */
describe('audio tokens, priced by the real collector', () => {
  let llm: MockLlmServer;
  let collector: CollectorProcess;
  beforeAll(async () => {
    llm = await startMockLlmServer();
    collector = await startCollectorProcess();
    const run = await runApp(REQUIRE_HOOK, 'audio-app.cjs', {
      MOCK_LLM_URL: llm.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_METRICS_EXPORTER: 'none',
    });
    expect(run).toMatchObject({
      code: 0,
      stdout: `${JSON.stringify({ transcript: 'Hello from gpt-4o-transcribe!', spoken: 'Hello from gpt-4o-audio-preview!' })}\n`,
    });
  });
  afterAll(async () => {
    await collector?.stop();
    await llm?.close();
  });
  const records = async (type: string) => (await collector.api<ReportAnswer<'usage'>>(`/v1/reports/usage?period=all&type=${type}`)).body.records;

  it('prices a gpt-4o-transcribe transcription with its audio tokens at $6 per 1M, not the $2.50 text rate', async () => {
    // mock: 15 prompt characters ÷ 4 = 3 text + 15 audio tokens in, 3 out. https://openai.com/api/pricing/
    // gpt-4o-transcribe per 1M: text in $2.50, audio in $6, out $10 → 3 × 2.5 + 15 × 6 + 3 × 10 = 127.5 µ$
    expect(await records('audio')).toEqual([
      expect.objectContaining({
        model: 'gpt-4o-transcribe',
        tokens: expect.objectContaining({ input: 18, output: 3 }),
        audioTokens: { input: 15, output: 0 },
        costNanos: '127500',
      }),
    ]);
  });

  it('prices a gpt-4o-audio-preview chat with audio in at $40 and out at $80 per 1M', async () => {
    // mock: 10 + 40/4 = 20 text + 20 audio tokens in; 3 text + 30 audio tokens out.
    // https://developers.openai.com/api/docs/models/gpt-4o-audio-preview per 1M: text $2.50/$10, audio $40/$80
    // → 20 × 2.5 + 20 × 40 + 3 × 10 + 30 × 80 = 3,280 µ$
    const [chat] = await records('llm');
    expect(chat).toMatchObject({
      model: 'gpt-4o-audio-preview',
      tokens: { input: 40, output: 33 },
      audioTokens: { input: 20, output: 30 },
      costNanos: '3280000',
    });
    expect(chat.unitPrices).toEqual({ input_tokens: '0.0000025', input_audio_tokens: '0.00004', output_tokens: '0.00001', output_audio_tokens: '0.00008' });
  });
});
