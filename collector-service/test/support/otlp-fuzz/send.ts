// Sends fuzz cases to a running collector service over OTLP/HTTP (keep-alive, a few at a time) and
// keeps what the suite asserts: every answer below 500 or a 503 with Retry-After, every control
// request acknowledged (retried while the answer is 503, as a sender does) and its spans and cost
// added up. Only Node's built-ins: the bench loads this from source.
import { Agent, request } from 'node:http';
import type { FuzzCase } from './cases.ts';

export interface FuzzRun {
  cases: number;
  /** How many answers of each status (0: no answer). */
  statuses: Record<number, number>;
  /** The control requests' spans and cost: what the service must count for their service. */
  controlSpans: number;
  controlNanos: bigint;
  /** Each case answered 5xx (other than 503 with Retry-After), or not at all: its index, answer and mutations. */
  failures: string[];
  ms: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One POST on a kept-alive connection (node:http: a fraction of fetch's cost per request, which a fuzzer feels). */
function post(
  agent: Agent,
  url: URL,
  body: Uint8Array,
  headers: Record<string, string>,
): Promise<{ status: number; retryAfter: string | null; answer: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      let answer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (answer += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] ?? null, answer }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A case sent and judged; a control case is sent until acknowledged. Returns whether the answer was
 * 503 with Retry-After (the caller sends it again later: a request that can never succeed must not
 * be told to retry).
 */
async function sendCase(agent: Agent, url: URL, fuzzCase: FuzzCase, run: FuzzRun, headers: Record<string, string>): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    let status = 0;
    let answer = '';
    let retryAfter: string | null = null;
    try {
      ({ status, retryAfter, answer } = await post(agent, url, fuzzCase.body, { ...headers, 'content-type': fuzzCase.contentType }));
    } catch (err) {
      answer = `no answer: ${(err as Error).message}`;
    }
    run.statuses[status] = (run.statuses[status] ?? 0) + 1;
    const retryLater = status === 503 && retryAfter !== null && /^\d+$/.test(retryAfter);
    if ((status >= 500 || status === 0) && !retryLater) {
      run.failures.push(`case ${fuzzCase.index}: ${status} ${answer.slice(0, 300)} [${fuzzCase.mutations.join('; ')}]`);
      return false;
    }
    if (!fuzzCase.control) return retryLater;
    if (status === 200) {
      run.controlSpans += fuzzCase.control.spans;
      run.controlNanos += fuzzCase.control.nanos;
      return false;
    }
    if (!retryLater || attempt >= 100) {
      run.failures.push(`case ${fuzzCase.index}: a valid control request answered ${status} ${answer.slice(0, 300)}`);
      return false;
    }
    await sleep(50);
  }
}

/**
 * Sends cases `first` .. `first + count - 1` made by `make`, `concurrency` at a time, and says how
 * the service answered.
 */
export async function sendFuzzCases(
  url: string,
  make: (index: number) => FuzzCase,
  options: { first?: number; count: number; concurrency?: number; headers?: Record<string, string> },
): Promise<FuzzRun> {
  const run: FuzzRun = { cases: 0, statuses: {}, controlSpans: 0, controlNanos: 0n, failures: [], ms: 0 };
  const concurrency = options.concurrency ?? 8;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const traces = new URL('/v1/traces', url);
  const started = performance.now();
  const end = (options.first ?? 0) + options.count;
  let next = options.first ?? 0;
  const toldToRetry: FuzzCase[] = [];
  const worker = async () => {
    while (next < end) {
      const fuzzCase = make(next++);
      run.cases++;
      if (await sendCase(agent, traces, fuzzCase, run, options.headers ?? {})) toldToRetry.push(fuzzCase);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // The store is healthy throughout a fuzz run, so a case told to retry must succeed or be refused now.
  for (const fuzzCase of toldToRetry.slice(0, 100)) {
    if (await sendCase(agent, traces, fuzzCase, run, options.headers ?? {})) {
      run.failures.push(`case ${fuzzCase.index}: answered 503 again: a sender would retry it forever [${fuzzCase.mutations.join('; ')}]`);
    }
  }
  run.ms = performance.now() - started;
  agent.destroy();
  return run;
}
