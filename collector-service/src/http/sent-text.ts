/**
 * A value a client sent, as an error message quotes it: text as it is, anything else (a repeated query
 * parameter's list, a JSON object) as JSON, so the message shows what came rather than "[object Object]".
 */
export function sentText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? typeof value;
}
