/** Why an export did not get through, as the person running the app would act on it. */
export type SendFailure =
  | { kind: 'unreachable'; detail: string }
  | { kind: 'timeout'; timeoutMs: number }
  /** `status` as the transport names it: "HTTP 401", "gRPC UNAUTHENTICATED". */
  | { kind: 'unauthorized'; status: string }
  | { kind: 'server-error'; status: string; attempts: number }
  | { kind: 'rejected'; status: string; detail: string }
  | { kind: 'error'; detail: string };

export type SendOutcome = { ok: true } | { ok: false; failure: SendFailure };

/**
 * One attempt's result: through, or failed and whether to try again: after the exponential backoff,
 * after the delay the collector asked for (ms), or not at all.
 */
export type AttemptResult = { ok: true } | { ok: false; failure: SendFailure; retry: 'backoff' | number | false };

const MAX_ATTEMPTS = 5;
const FIRST_BACKOFF_MS = 1000;

/** A pause that does not keep the process alive. */
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Runs `attempt` until it succeeds or says not to retry, with exponential backoff (or the collector's
 * requested delay) between attempts, all within `timeoutMs`: the retry policy of the OTLP
 * specification, shared by the HTTP and gRPC transports. `attempt` gets the time left and its number.
 */
export async function sendWithRetries(
  timeoutMs: number,
  attempt: (remainingMs: number, attempts: number) => Promise<AttemptResult>,
  onFailedAttempt: (failure: SendFailure) => void = () => {},
): Promise<SendOutcome> {
  const deadline = Date.now() + timeoutMs;
  let backoff = FIRST_BACKOFF_MS;
  // The last failure the collector answered with: a retry that runs out of time after it (given only
  // what was left of timeoutMs) is reported as that answer, which says what to fix, not as no answer.
  let answered: SendFailure | null = null;
  for (let attempts = 1; ; attempts++) {
    const result = await attempt(deadline - Date.now(), attempts);
    if (result.ok) return result;
    const failure: SendFailure = result.failure.kind === 'timeout' ? (answered ?? result.failure) : result.failure;
    if (failure.kind !== 'timeout') answered = failure;
    onFailedAttempt(failure);
    // Jitter of ±20 % spreads the retries of many processes that lost the collector at once.
    const wait = result.retry === false ? null : (result.retry === 'backoff' ? backoff : result.retry) * (0.8 + Math.random() * 0.4);
    if (wait === null || attempts >= MAX_ATTEMPTS || Date.now() + wait >= deadline) return { ok: false, failure };
    await pause(wait);
    backoff *= 1.5;
  }
}
