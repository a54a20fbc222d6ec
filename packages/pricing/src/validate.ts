import type { UsageInput } from './types';

const COUNTS = [
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'reasoningTokens',
  'inputAudioTokens',
  'cacheAudioReadTokens',
  'inputImageTokens',
  'cacheImageReadTokens',
  'inputVideoTokens',
  'cacheWrite1hTokens',
  'outputAudioTokens',
  'outputImageTokens',
  'characters',
] as const;

/** Each detail count is a part of another: [part, whole, how the whole is named]. */
const PARTS = [
  ['cacheAudioReadTokens', 'inputAudioTokens', 'audio input tokens'],
  ['cacheImageReadTokens', 'inputImageTokens', 'image input tokens'],
  ['cacheWrite1hTokens', 'cacheWriteTokens', 'cache write tokens'],
] as const;

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
  for (const [part, whole, named] of PARTS) {
    if ((usage[part] ?? 0) > (usage[whole] ?? 0)) return `${part} (${usage[part]}) exceed ${named} (${usage[whole] ?? 0}), which include them`;
  }
  const cachedMedia = (usage.cacheAudioReadTokens ?? 0) + (usage.cacheImageReadTokens ?? 0);
  if (cachedMedia > (usage.cacheReadTokens ?? 0)) return `cached audio + image tokens (${cachedMedia}) exceed cache read tokens (${usage.cacheReadTokens ?? 0}), which include them`;
  const uncachedMedia = (usage.inputAudioTokens ?? 0) + (usage.inputImageTokens ?? 0) - cachedMedia + (usage.inputVideoTokens ?? 0);
  if (cached + uncachedMedia > input) {
    return `cached, audio, image and video input tokens (${cached + uncachedMedia}) exceed input tokens (${input}); input tokens must include every modality`;
  }
  const mediaOut = (usage.outputAudioTokens ?? 0) + (usage.outputImageTokens ?? 0);
  if (mediaOut > (usage.outputTokens ?? 0)) return `audio + image output tokens (${mediaOut}) exceed output tokens (${usage.outputTokens ?? 0}), which include them`;
  if ((usage.reasoningTokens ?? 0) > (usage.outputTokens ?? 0)) {
    return `reasoning tokens (${usage.reasoningTokens}) exceed output tokens (${usage.outputTokens ?? 0}); output tokens must include reasoning tokens`;
  }
  return null;
}
