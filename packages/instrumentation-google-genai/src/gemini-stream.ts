import type { GenAiCall, Usage } from '@tokenledger/instrumentation-common';
import { StreamedText } from './content';
import { finishReasonsOf, type GeminiResponse, usageOfGemini } from './gemini-response';
import { observeGeneratorInPlace } from './stream';

/**
 * Observes a generateContent stream on the SDK's own generator. Every Gemini chunk carries the
 * usage so far and the last one the totals, so the latest usage seen wins (never a sum). The call
 * ends once: when the stream is exhausted, fails, or the app stops early (with what was seen).
 */
export function observeGeminiStream(generator: unknown, call: GenAiCall, captureContent: boolean): boolean {
  let usage: Usage | null = null;
  const finishReasons: string[] = [];
  const text = captureContent ? new StreamedText() : null;
  return observeGeneratorInPlace<GeminiResponse>(generator, {
    item(chunk) {
      call.firstChunk();
      call.response({ id: chunk?.responseId, model: chunk?.modelVersion });
      finishReasons.push(...finishReasonsOf(chunk));
      usage = usageOfGemini(chunk?.usageMetadata) ?? usage;
      text?.add(chunk);
    },
    end(error) {
      if (finishReasons.length) call.response({ finishReasons });
      call.end(usage, error, text?.attributes());
    },
  });
}
