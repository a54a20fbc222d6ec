/** A failed attempt. `permanent` failures (a 4xx other than 408/429, a rejected recipient) are not retried. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface RetryPolicy {
  attempts: number;
  /** Delay before the second attempt; doubles each time, capped at a minute. */
  baseDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface AttemptOutcome {
  ok: boolean;
  attempts: number;
  error: string | null;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Runs `send` until it succeeds, fails permanently, or the attempts run out, with exponential backoff. */
export async function withRetries(policy: RetryPolicy, send: (attempt: number) => Promise<void>): Promise<AttemptOutcome> {
  const sleep = policy.sleep ?? defaultSleep;
  let error = '';
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    try {
      await send(attempt);
      return { ok: true, attempts: attempt, error: null };
    } catch (err) {
      error = (err as Error).message;
      if (err instanceof DeliveryError && err.permanent) return { ok: false, attempts: attempt, error };
      if (attempt < policy.attempts) await sleep(Math.min(policy.baseDelayMs * 2 ** (attempt - 1), 60_000));
    }
  }
  return { ok: false, attempts: policy.attempts, error };
}

/** Turns an HTTP answer into success or a DeliveryError (retried unless the receiver refused for good). */
export async function checkHttpResponse(response: Response, what: string): Promise<void> {
  if (response.ok) return;
  const text = (await response.text().catch(() => '')).slice(0, 200);
  const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
  throw new DeliveryError(`${what} answered ${response.status}${text ? `: ${text}` : ''}`, permanent);
}

export const REQUEST_TIMEOUT_MS = 10_000;
