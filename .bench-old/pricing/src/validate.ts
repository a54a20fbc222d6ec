import type { UsageInput } from './types';

const COUNTS = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens', 'inputAudioTokens', 'outputAudioTokens', 'characters'] as const;

/** Why a usage cannot be priced as given (a sentence), or null when it is well formed. */
export function validateUsage(usage: UsageInput): string | null {
  if (typeof usage.provider !== 'string' || usage.provider.trim() === '') return 'provider is required';
  if (typeof usage.model !== 'string' || usage.model.trim() === '') return 'model is required';
  for (let i = 0; i < COUNTS.length; i++) {
    const value = usage[COUNTS[i]];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) return `${COUNTS[i]} must be a non-negative integer, got ${String(value)}`;
  }
  if (usage.audioSeconds !== undefined && (typeof usage.audioSeconds !== 'number' || !Number.isFinite(usage.audioSeconds) || usage.audioSeconds < 0)) {
    return `audioSeconds must be a non-negative number, got ${String(usage.audioSeconds)}`;
  }
  if (usage.images !== undefined && (!Number.isSafeInteger(usage.images.count) || usage.images.count < 0)) {
    return `images.count must be a non-negative integer, got ${String(usage.images.count)}`;
  }
  if (usage.timestamp !== undefined && Number.isNaN(new Date(usage.timestamp).getTime())) return 'timestamp is not a valid date';
  const input = usage.inputTokens ?? 0;
  const cached = (usage.cacheReadTokens ?? 0) + (usage.cacheWriteTokens ?? 0);
  if (cached > input) {
    return `cache read + cache write tokens (${cached}) exceed input tokens (${input}); input tokens must include cached tokens (GenAI convention)`;
  }
  if ((usage.reasoningTokens ?? 0) > (usage.outputTokens ?? 0)) {
    return `reasoning tokens (${usage.reasoningTokens}) exceed output tokens (${usage.outputTokens ?? 0}); output tokens must include reasoning tokens`;
  }
  return null;
}
