import { type GenAiCall, observeSdkStream } from '@tokenledger/instrumentation-common';
import { ATTR_GEN_AI_OUTPUT_MESSAGES } from '@tokenledger/semconv';
import { type MessageUsage, usageOfMessage } from './usage';

/** The stream events this observer reads; the others (ping, content_block_start/stop, message_stop) pass by. */
type MessageStreamEvent =
  | { type: 'message_start'; message?: { id?: string; model?: string; usage?: MessageUsage } }
  | { type: 'message_delta'; delta?: { stop_reason?: string | null }; usage?: MessageUsage }
  | { type: 'content_block_delta'; index?: number; delta?: { type?: string; text?: string } }
  | { type: string };

/**
 * Observes a streamed Message on the SDK's own Stream object (the one `messages.create({ stream: true })`
 * returns, and the one the `messages.stream()` helper reads). Usage arrives in two parts: the
 * prompt (uncached, cache reads, cache writes) in message_start, the final output_tokens in
 * message_delta. The call ends once, when the stream is exhausted, fails, is aborted, or the app
 * stops early, with what was seen by then.
 */
export function observeMessageStream(stream: unknown, call: GenAiCall, captureContent: boolean): void {
  observeSdkStream<MessageStreamEvent>(stream, () => {
    let usage: MessageUsage = {};
    let seenUsage = false;
    const finishReasons: string[] = [];
    const text: string[] = [];
    return {
      item(event) {
        call.firstChunk();
        if (event.type === 'message_start' && 'message' in event) {
          call.response({ id: event.message?.id, model: event.message?.model });
          if (event.message?.usage) {
            usage = { ...event.message.usage };
            seenUsage = true;
          }
        } else if (event.type === 'message_delta' && 'delta' in event) {
          if (event.delta?.stop_reason) finishReasons.push(event.delta.stop_reason);
          // message_delta's counts are cumulative: each one it carries replaces the earlier value.
          for (const [key, value] of Object.entries(event.usage ?? {})) if (typeof value === 'number') (usage as Record<string, number>)[key] = value;
          seenUsage ||= event.usage !== undefined;
        } else if (captureContent && event.type === 'content_block_delta' && 'delta' in event && event.delta?.type === 'text_delta') {
          text[event.index ?? 0] = (text[event.index ?? 0] ?? '') + (event.delta.text ?? '');
        }
      },
      end(error) {
        if (finishReasons.length) call.response({ finishReasons });
        const output =
          captureContent && text.length
            ? {
                [ATTR_GEN_AI_OUTPUT_MESSAGES]: JSON.stringify([
                  { role: 'assistant', content: text.filter((t) => t !== undefined).map((t) => ({ type: 'text', text: t })) },
                ]),
              }
            : undefined;
        call.end(seenUsage ? usageOfMessage(usage) : null, error, output);
      },
    };
  });
}
