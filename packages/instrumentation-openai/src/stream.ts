import type { GenAiCall, Usage } from './genai-telemetry';
import { guard } from './genai-telemetry';

interface ChatChunk {
  id?: string;
  model?: string;
  choices?: { finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number }; completion_tokens_details?: { reasoning_tokens?: number } } | null;
}

export function usageOfChat(u: ChatChunk['usage']): Usage | null {
  if (!u) return null;
  return {
    input: u.prompt_tokens,
    output: u.completion_tokens,
    cacheRead: u.prompt_tokens_details?.cached_tokens,
    reasoning: u.completion_tokens_details?.reasoning_tokens,
  };
}

/**
 * Wraps the SDK Stream's `iterator` in place: `for await`, `tee()` (which reads the same iterator)
 * and `controller.abort()` keep working on the SDK's own object. The call ends once, when the stream
 * is exhausted, fails, or the app stops early (`break` calls `return()`), with the usage seen.
 */
export function observeChatStream(stream: unknown, call: GenAiCall): void {
  const s = stream as { iterator?: () => AsyncIterator<ChatChunk> };
  if (typeof s.iterator !== 'function') return;
  const original = s.iterator;
  s.iterator = function (this: unknown) {
    const inner = original.call(this);
    let usage: Usage | null = null;
    const finishReasons: string[] = [];
    const seen = (chunk: ChatChunk) =>
      guard('reading a stream chunk', () => {
        call.firstChunk();
        call.response({ id: chunk.id, model: chunk.model });
        for (const choice of chunk.choices ?? []) if (choice.finish_reason) finishReasons.push(choice.finish_reason);
        usage = usageOfChat(chunk.usage) ?? usage;
      });
    const finish = (error?: unknown) => {
      if (finishReasons.length) call.response({ finishReasons });
      call.end(usage, error);
    };
    const wrapped: AsyncIterableIterator<ChatChunk> = {
      async next() {
        let result: IteratorResult<ChatChunk>;
        try {
          result = await inner.next();
        } catch (err) {
          finish(err);
          throw err;
        }
        if (result.done) finish();
        else seen(result.value);
        return result;
      },
      async return(value?: unknown) {
        finish();
        return inner.return ? inner.return(value) : { done: true, value: undefined };
      },
      async throw(err?: unknown) {
        finish(err);
        if (inner.throw) return inner.throw(err);
        throw err;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return wrapped;
  };
}
