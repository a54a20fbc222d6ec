import type { WebSocket } from 'ws';
import { parseScenario } from '../scenario';

/**
 * Gemini's Live API over WebSocket (`/ws/google.ai.generativelanguage.{version}.GenerativeService.BidiGenerateContent`),
 * closely enough for `@google/genai`'s `ai.live.connect`: `setup` is answered with `setupComplete`;
 * a user turn (`clientContent` with `turnComplete`, or `realtimeInput` ended by `audioStreamEnd` or
 * `activityEnd`) is answered with `serverContent.modelTurn` parts (inline 24 kHz PCM audio, or text
 * with `responseModalities: ['TEXT']`), `generationComplete`, and `turnComplete` with the turn's
 * `usageMetadata`, per modality as the API reports it.
 *
 * Usage is a documented function of the session, so tests can assert it exactly:
 * - a `clientContent` turn is 10 text tokens + characters of its text parts ÷ 4 (floored);
 *   `realtimeInput` audio is 16 kHz 16-bit mono PCM (32,000 bytes a second) at ⌈seconds × 32⌉ audio
 *   tokens, each `video` frame 258 video tokens, `text` its characters ÷ 4 in text tokens;
 *   `systemInstruction` adds its characters ÷ 4 in text tokens;
 * - each turn's prompt is the whole session so far (`promptTokenCount` with `promptTokensDetails` by
 *   modality); the reply is `Hello from <model>!`, as audio 10 tokens a word
 *   (`responseTokensDetails` AUDIO), as text a token a word; it joins the session for later turns.
 * A `clientContent` turn whose text starts with `scenario:cutAfter=N` drops the connection after N
 * messages of that turn.
 */
interface Tokens {
  text: number;
  audio: number;
  video: number;
}

interface Part {
  text?: unknown;
}

const AUDIO_BYTES_PER_SECOND = 32_000;
const VIDEO_FRAME_TOKENS = 258;
const textOf = (parts: Part[] | undefined) => (parts ?? []).map((p) => (typeof p?.text === 'string' ? p.text : '')).join('');

function details(t: Tokens, audioName = 'AUDIO') {
  return [
    ...(t.text ? [{ modality: 'TEXT', tokenCount: t.text }] : []),
    ...(t.audio ? [{ modality: audioName, tokenCount: t.audio }] : []),
    ...(t.video ? [{ modality: 'VIDEO', tokenCount: t.video }] : []),
  ];
}

export function liveSession(ws: WebSocket): void {
  let model = 'unknown';
  let spoken = true;
  const context: Tokens = { text: 0, audio: 0, video: 0 };
  let audioBytes = 0;
  const send = (message: object) => ws.send(JSON.stringify(message));

  function turn(scenario: string | undefined): void {
    context.audio += Math.ceil((audioBytes / AUDIO_BYTES_PER_SECOND) * 32);
    audioBytes = 0;
    const cutAfter = parseScenario(scenario).cutAfter;
    const reply = `Hello from ${model}!`.split(' ');
    const out: Tokens = { text: spoken ? 0 : reply.length, audio: spoken ? 10 * reply.length : 0, video: 0 };
    const prompt = { ...context };
    const messages: object[] = reply.map((word, i) => ({
      serverContent: {
        modelTurn: {
          role: 'model',
          parts: [
            spoken ? { inlineData: { mimeType: 'audio/pcm;rate=24000', data: Buffer.alloc(960).toString('base64') } } : { text: i === 0 ? word : ` ${word}` },
          ],
        },
      },
    }));
    const promptTokens = prompt.text + prompt.audio + prompt.video;
    const responseTokens = out.text + out.audio;
    messages.push(
      { serverContent: { generationComplete: true } },
      {
        serverContent: { turnComplete: true },
        usageMetadata: {
          promptTokenCount: promptTokens,
          responseTokenCount: responseTokens,
          totalTokenCount: promptTokens + responseTokens,
          promptTokensDetails: details(prompt),
          responseTokensDetails: details(out),
        },
      },
    );
    for (const [i, message] of messages.entries()) {
      if (cutAfter !== undefined && i >= cutAfter) {
        // Let what was sent reach the client first: the drop must land mid-turn.
        setTimeout(() => ws.terminate(), 50);
        return;
      }
      send(message);
    }
    context.text += out.text;
    context.audio += out.audio;
  }

  ws.on('message', (data) => {
    let message: {
      setup?: { model?: string; generationConfig?: { responseModalities?: string[] }; systemInstruction?: { parts?: Part[] } };
      clientContent?: { turns?: { parts?: Part[] }[]; turnComplete?: boolean };
      realtimeInput?: { audio?: { data?: string }; video?: { data?: string }; text?: string; audioStreamEnd?: boolean; activityEnd?: object };
    };
    try {
      // The socket's binaryType is nodebuffer: a message arrives as one Buffer.
      message = JSON.parse((data as Buffer).toString()) as typeof message;
    } catch {
      ws.close(1007, 'mock-llm-server: the message is not JSON');
      return;
    }
    if (message.setup) {
      model = (message.setup.model ?? 'unknown').replace(/^.*models\//, '');
      spoken = !(message.setup.generationConfig?.responseModalities ?? ['AUDIO']).every((m) => m.toUpperCase() === 'TEXT');
      context.text += Math.floor(textOf(message.setup.systemInstruction?.parts).length / 4);
      send({ setupComplete: {} });
      return;
    }
    const content = message.clientContent;
    if (content) {
      let scenario: string | undefined;
      for (const t of content.turns ?? []) {
        const text = textOf(t.parts);
        if (text.startsWith('scenario:')) scenario = text.slice('scenario:'.length);
        context.text += 10 + Math.floor(text.length / 4);
      }
      if (content.turnComplete) turn(scenario);
      return;
    }
    const input = message.realtimeInput;
    if (input) {
      if (input.audio?.data) audioBytes += Buffer.from(input.audio.data, 'base64').length;
      if (input.video?.data) context.video += VIDEO_FRAME_TOKENS;
      if (typeof input.text === 'string') context.text += Math.floor(input.text.length / 4);
      if (input.audioStreamEnd || input.activityEnd) turn(undefined);
    }
  });
}
