import { GoogleGenAI, type LiveServerMessage, Modality } from '@google/genai';
import { type MockLlmServer, startMockLlmServer } from '../src';

describe('the mock Gemini Live API, driven by the real @google/genai', () => {
  let server: MockLlmServer;
  let ai: GoogleGenAI;
  beforeAll(async () => {
    server = await startMockLlmServer();
    ai = new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: server.url } });
  });
  afterAll(() => server.close());

  it('answers each turn with audio and the turn’s usage by modality, the session so far as its prompt', async () => {
    const messages: LiveServerMessage[] = [];
    const turnsDone = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (messages.filter((m) => m.serverContent?.turnComplete).length >= n ? resolve() : setTimeout(check, 5));
        check();
      });
    const session = await ai.live.connect({
      model: 'gemini-live-2.5-flash-preview',
      config: { responseModalities: [Modality.AUDIO] },
      callbacks: { onmessage: (m) => messages.push(m) },
    });
    session.sendClientContent({ turns: [{ role: 'user', parts: [{ text: 'x'.repeat(40) }] }], turnComplete: true }); // 10 + 10 text tokens
    await turnsDone(1);
    session.sendRealtimeInput({ audio: { data: Buffer.alloc(32_000).toString('base64'), mimeType: 'audio/pcm;rate=16000' } }); // 1 s: 32 audio tokens
    session.sendRealtimeInput({ audioStreamEnd: true });
    await turnsDone(2);
    session.close();
    expect(messages[0].setupComplete).toBeDefined();
    expect(messages.some((m) => m.serverContent?.modelTurn?.parts?.[0]?.inlineData?.mimeType === 'audio/pcm;rate=24000')).toBe(true);
    const usage = messages.filter((m) => m.usageMetadata).map((m) => m.usageMetadata);
    expect(usage).toEqual([
      {
        promptTokenCount: 20,
        responseTokenCount: 30,
        totalTokenCount: 50,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 20 }],
        responseTokensDetails: [{ modality: 'AUDIO', tokenCount: 30 }],
      },
      // Turn 1's reply (30 audio) is in turn 2's prompt, with 32 new audio tokens.
      {
        promptTokenCount: 82,
        responseTokenCount: 30,
        totalTokenCount: 112,
        promptTokensDetails: [
          { modality: 'TEXT', tokenCount: 20 },
          { modality: 'AUDIO', tokenCount: 62 },
        ],
        responseTokensDetails: [{ modality: 'AUDIO', tokenCount: 30 }],
      },
    ]);
  });
});
