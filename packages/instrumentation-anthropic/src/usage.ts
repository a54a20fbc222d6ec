import type { Usage } from '@tokenledger/instrumentation-common';

/** `usage` of an Anthropic Message (and of the message_start / message_delta stream events). */
export interface MessageUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  /** The cache writes by TTL: 5-minute and 1-hour writes are priced apart. */
  cache_creation?: { ephemeral_5m_input_tokens?: number | null; ephemeral_1h_input_tokens?: number | null } | null;
}

const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/**
 * Anthropic's `input_tokens` counts only the uncached part of the prompt; the GenAI convention's
 * `gen_ai.usage.input_tokens` is the whole prompt, so cache reads and cache writes are folded in
 * (and also kept apart, because they are priced differently). Writes with the 1-hour TTL are also
 * kept apart from the cache writes they are part of.
 */
export function usageOfMessage(u: MessageUsage | null | undefined): Usage | null {
  if (!u || typeof u !== 'object') return null;
  const uncached = count(u.input_tokens);
  const cacheRead = count(u.cache_read_input_tokens) ?? 0;
  const cacheWrite = count(u.cache_creation_input_tokens) ?? 0;
  return {
    input: uncached === undefined ? undefined : uncached + cacheRead + cacheWrite,
    output: count(u.output_tokens),
    cacheRead,
    cacheWrite,
    ...(u.cache_creation?.ephemeral_1h_input_tokens ? { details: { cacheWrite1h: count(u.cache_creation.ephemeral_1h_input_tokens) } } : {}),
  };
}
