import type { GenAiCall, Usage } from '@tokenledger/instrumentation-common';
import { StreamedText } from './content';
import { ESTIMATED } from './estimate';
import { finishReasonsOf, type GeminiResponse, usageOfGemini } from './gemini-response';
import { observeGeneratorInPlace } from './stream';

/**
 * Observes a generateContent stream on the SDK's own generator. Every Gemini chunk carries the
 * usage so far and the last one the totals, so the latest usage seen wins (never a sum). The call
 * ends once: when the stream is exhausted, fails, or the app stops early (with what was seen). A
 * stream whose chunks carried no usage at all gets an estimate from the text that streamed.
 */
export function observeGeminiStream(generator: unknown, call: GenAiCall, captureContent: boolean, estimate: (outputText: string) => Usage): boolean {
  let usage: Usage | null = null;
  let chunks = 0;
  const finishReasons: string[] = [];
  const text = new StreamedText();
  return observeGeneratorInPlace<GeminiResponse>(generator, {
    item(chunk) {
      chunks++;
      call.firstChunk();
      call.response({ id: chunk?.responseId, model: chunk?.modelVersion });
      finishReasons.push(...finishReasonsOf(chunk));
      usage = usageOfGemini(chunk?.usageMetadata) ?? usage;
      text.add(chunk);
    },
    end(error) {
      if (finishReasons.length) call.response({ finishReasons });
      const content = captureContent ? text.attributes() : undefined;
      if (usage || chunks === 0) return call.end(usage, error, content);
      call.end(estimate(text.text), error, { ...content, ...ESTIMATED });
    },
  });
}
