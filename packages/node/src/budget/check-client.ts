import { type BudgetCheckRequest, type BudgetDecision, parseDecision } from './decision';

/** Asks the collector for a decision: `POST {url}/v1/budgets/check`. Rejects on any failure. */
export async function fetchDecision(url: string, apiKey: string | null, request: BudgetCheckRequest, timeoutMs: number): Promise<BudgetDecision> {
  const res = await fetch(`${url}/v1/budgets/check`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`the collector answered ${res.status}: ${text.slice(0, 200)}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`the collector answered with something that is not JSON: ${text.slice(0, 200)}`);
  }
  return parseDecision(body);
}
