import { type GenAiCall, observeSdkStream, type Usage } from '@tokenledger/instrumentation-common';

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
 * Observes a chat completion stream on the SDK's own Stream object. The call ends once, when the
 * stream is exhausted, fails, or the app stops early (`break` calls `return()`), with the usage seen.
 */
export function observeChatStream(stream: unknown, call: GenAiCall): void {
  observeSdkStream<ChatChunk>(stream, () => {
    let usage: Usage | null = null;
    const finishReasons: string[] = [];
    return {
      item(chunk) {
        call.firstChunk();
        call.response({ id: chunk.id, model: chunk.model });
        for (const choice of chunk.choices ?? []) if (choice.finish_reason) finishReasons.push(choice.finish_reason);
        usage = usageOfChat(chunk.usage) ?? usage;
      },
      end(error) {
        if (finishReasons.length) call.response({ finishReasons });
        call.end(usage, error);
      },
    };
  });
}
