import { type AttemptResult, sendWithRetries, type SendFailure } from '../src/export/retries';

/** Attempts that answer as listed, one after another, each right away (the last answer again after the list). */
function attempts(...results: AttemptResult[]) {
  const seen: number[] = [];
  const attempt = (_remainingMs: number, n: number): Promise<AttemptResult> => {
    seen.push(n);
    return Promise.resolve(results[Math.min(n, results.length) - 1]);
  };
  return { attempt, seen };
}

const unavailable = (n: number): AttemptResult => ({ ok: false, failure: { kind: 'server-error', status: 'gRPC UNAVAILABLE', attempts: n }, retry: 10 });
const timedOut: AttemptResult = { ok: false, failure: { kind: 'timeout', timeoutMs: 600_000 }, retry: 'backoff' };

describe('sendWithRetries', () => {
  it('reports the collector’s last answer, not "no answer", when a retry runs out of the time left after it', async () => {
    const { attempt, seen } = attempts(unavailable(1), unavailable(2), timedOut);
    const failed: SendFailure[] = [];
    // 1.5 s in all: after the third attempt's timeout the backoff (2.25 s ± 20 %) passes the deadline.
    const outcome = await sendWithRetries(1500, attempt, (f) => failed.push(f));
    expect(seen).toEqual([1, 2, 3]);
    expect(outcome).toEqual({ ok: false, failure: { kind: 'server-error', status: 'gRPC UNAVAILABLE', attempts: 2 } });
    expect(failed.map((f) => f.kind)).toEqual(['server-error', 'server-error', 'server-error']);
  });

  it('reports a timeout when the collector never answered', async () => {
    const { attempt } = attempts(timedOut);
    expect(await sendWithRetries(1500, attempt)).toEqual({ ok: false, failure: { kind: 'timeout', timeoutMs: 600_000 } });
  });

  it('reports the last answer when it is not a timeout', async () => {
    const rejected: AttemptResult = { ok: false, failure: { kind: 'rejected', status: 'gRPC UNIMPLEMENTED', detail: '' }, retry: false };
    const { attempt } = attempts(unavailable(1), rejected);
    expect(await sendWithRetries(1500, attempt)).toEqual({ ok: false, failure: rejected.failure });
  });
});
