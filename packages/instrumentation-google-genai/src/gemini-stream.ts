import type { GenAiCall, Usage } from '@tokenledger/instrumentation-common';
import { StreamedText } from './content';
import { ESTIMATED } from './estimate';
import { type GeminiResponse, type UsageMetadata, usageOfGemini } from './gemini-response';
import { observeGeneratorInPlace } from './stream';

/**
 * Observes a generateContent stream on the SDK's own generator. Every Gemini chunk carries the
 * usage so far and the last one the totals, so the latest usage seen wins (never a sum). The call
 * ends once: when the stream is exhausted, fails, or the app stops early (with what was seen). A
 * stream whose chunks carried no usage at all gets an estimate from the text that streamed.
 *
 * Per chunk only references are kept (the latest id, model and usage, the finish reasons and the
 * text parts); the span's attributes are written once, at the end.
 */
export function observeGeminiStream(generator: unknown, call: GenAiCall, captureContent: boolean, estimate: (outputText: string) => Usage): boolean {
  let chunks = 0;
  let id: string | undefined;
  let model: string | undefined;
  let usageMetadata: UsageMetadata | undefined;
  const finishReasons: string[] = [];
  const text = new StreamedText();
  return observeGeneratorInPlace<GeminiResponse>(generator, {
    item(chunk) {
      if (chunks++ === 0) call.firstChunk();
      if (chunk?.responseId) id = chunk.responseId;
      if (chunk?.modelVersion) model = chunk.modelVersion;
      if (chunk?.usageMetadata && typeof chunk.usageMetadata === 'object') usageMetadata = chunk.usageMetadata;
      const candidates = chunk?.candidates;
      if (candidates) {
        for (let i = 0; i < candidates.length; i++) {
          const reason = candidates[i]?.finishReason;
          if (typeof reason === 'string' && reason) finishReasons.push(reason.toLowerCase());
        }
      }
      text.add(chunk);
    },
    end(error) {
      call.response({ id, model, finishReasons });
      const usage = usageOfGemini(usageMetadata);
      const content = captureContent ? text.attributes() : undefined;
      if (usage || chunks === 0) return call.end(usage, error, content);
      call.end(estimate(text.text), error, { ...content, ...ESTIMATED });
    },
  });
}
