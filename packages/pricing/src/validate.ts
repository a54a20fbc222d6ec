import type { TokenDetails, UsageInput } from './types';

const COUNTS = [
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'reasoningTokens',
  'inputAudioTokens',
  'outputAudioTokens',
  'characters',
] as const;
const DETAIL_COUNTS = [
  'cacheAudioReadTokens',
  'inputImageTokens',
  'cacheImageReadTokens',
  'inputVideoTokens',
  'cacheWrite1hTokens',
  'outputImageTokens',
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
  if (usage.details !== undefined || usage.inputAudioTokens !== undefined || usage.outputAudioTokens !== undefined) {
    const problem = detailsProblem(usage, usage.details ?? {}, input, cached);
    if (problem) return problem;
  }
  if ((usage.reasoningTokens ?? 0) > (usage.outputTokens ?? 0)) {
    return `reasoning tokens (${usage.reasoningTokens}) exceed output tokens (${usage.outputTokens ?? 0}); output tokens must include reasoning tokens`;
  }
  return null;
}

/** Why the audio and finer details cannot be parts of their totals, or null. */
function detailsProblem(usage: UsageInput, d: TokenDetails, input: number, cached: number): string | null {
  for (let i = 0; i < DETAIL_COUNTS.length; i++) {
    const value = d[DETAIL_COUNTS[i]];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0))
      return `details.${DETAIL_COUNTS[i]} must be a non-negative integer, got ${String(value)}`;
  }
  const parts: [part: string, value: number, whole: string, total: number][] = [
    ['details.cacheAudioReadTokens', d.cacheAudioReadTokens ?? 0, 'audio input tokens', usage.inputAudioTokens ?? 0],
    ['details.cacheImageReadTokens', d.cacheImageReadTokens ?? 0, 'image input tokens', d.inputImageTokens ?? 0],
    ['details.cacheWrite1hTokens', d.cacheWrite1hTokens ?? 0, 'cache write tokens', usage.cacheWriteTokens ?? 0],
  ];
  for (const [part, value, whole, total] of parts) if (value > total) return `${part} (${value}) exceed ${whole} (${total}), which include them`;
  const cachedMedia = (d.cacheAudioReadTokens ?? 0) + (d.cacheImageReadTokens ?? 0);
  if (cachedMedia > (usage.cacheReadTokens ?? 0))
    return `cached audio + image tokens (${cachedMedia}) exceed cache read tokens (${usage.cacheReadTokens ?? 0}), which include them`;
  const uncachedMedia = (usage.inputAudioTokens ?? 0) + (d.inputImageTokens ?? 0) - cachedMedia + (d.inputVideoTokens ?? 0);
  if (cached + uncachedMedia > input) {
    return `cached, audio, image and video input tokens (${cached + uncachedMedia}) exceed input tokens (${input}); input tokens must include every modality`;
  }
  const mediaOut = (usage.outputAudioTokens ?? 0) + (d.outputImageTokens ?? 0);
  if (mediaOut > (usage.outputTokens ?? 0))
    return `audio + image output tokens (${mediaOut}) exceed output tokens (${usage.outputTokens ?? 0}), which include them`;
  return null;
}
