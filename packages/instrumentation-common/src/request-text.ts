/**
 * A request's text parameter (a model name, a prompt) as the span records it: the value when the app
 * passed text, else `fallback`. Anything else the app passed would read as "[object Object]".
 */
export function textOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
