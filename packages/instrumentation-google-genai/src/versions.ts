import { diag } from '@opentelemetry/api';

/** A supported version range as `[lowest, below]`: lowest included, `below` excluded. */
export type Range = readonly [lowest: string, below: string];

/** `@google/genai`: the current major (3) and the one before. */
export const GENAI_RANGE: Range = ['2.0.0', '4.0.0'];
/**
 * `@google/generative-ai` (legacy, deprecated by Google in favour of `@google/genai`): still 0.x,
 * so "a major" is its minor line; 0.21 is the first with the request options and usage fields read here.
 */
export const LEGACY_RANGE: Range = ['0.21.0', '1.0.0'];

function parts(version: string): number[] {
  return version.split(/[.+-]/, 3).map((n) => Number.parseInt(n, 10) || 0);
}

function compare(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

export function inRange(version: string, [lowest, below]: Range): boolean {
  return compare(version, lowest) >= 0 && compare(version, below) < 0;
}

const warned = new Set<string>();

/**
 * Says once per module, loudly, that a version is not instrumented: silently emitting nothing would
 * look like "no AI spend". Logged to the OTel diag logger and to the console (diag is often unset).
 */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  diag.warn(message);
  console.warn(message);
}
