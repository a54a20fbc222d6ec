import * as sc from '@tokenledger/semconv';
import type { Attributes } from '@opentelemetry/api';
import type { Surface } from './surface';

interface TranscriptionResponse {
  duration?: number;
  usage?: {
    type?: string;
    seconds?: number;
    input_tokens?: number;
    output_tokens?: number;
    input_token_details?: { text_tokens?: number; audio_tokens?: number };
  };
}

/**
 * audio.transcriptions.create and audio.translations.create. Whisper bills seconds of audio: the
 * billed figure (`usage.seconds`) when the response has it, else `duration` (`verbose_json`); GPT
 * transcribe models bill tokens (`usage.type: 'tokens'`), audio input tokens at their own rate. A
 * `text`/`srt`/`vtt` response says neither.
 */
export const transcriptionSurface: Surface = {
  operation: sc.GenAiOperation.AUDIO_TRANSCRIPTION,
  onResult(value, call) {
    const r = (typeof value === 'object' && value !== null ? value : {}) as TranscriptionResponse;
    const seconds = r.usage?.type === 'duration' && typeof r.usage.seconds === 'number' ? r.usage.seconds : r.duration;
    const attributes: Attributes = typeof seconds === 'number' ? { [sc.ATTR_TOKENLEDGER_AUDIO_SECONDS]: seconds } : {};
    const u = r.usage;
    const tokens = u?.type === 'tokens' ? { input: u.input_tokens, output: u.output_tokens, audioInput: u.input_token_details?.audio_tokens } : null;
    call.end(tokens, undefined, attributes);
  },
};

/** audio.speech.create: billed per character of `input` (code points, so an emoji counts once). */
export const speechSurface: Surface = {
  operation: sc.GenAiOperation.SPEECH,
  requestAttributes(body) {
    const attributes: Attributes = { [sc.ATTR_GEN_AI_OUTPUT_TYPE]: sc.GenAiOutputType.SPEECH };
    if (typeof body?.input === 'string') attributes[sc.ATTR_TOKENLEDGER_SPEECH_CHARACTERS] = Array.from(body.input).length;
    return attributes;
  },
  onResult(_value, call) {
    call.end(null);
  },
};
