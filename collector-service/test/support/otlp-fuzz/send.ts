// Sends fuzz cases to a running collector service over OTLP/HTTP (keep-alive, a few at a time) and
// keeps what the suite asserts: every answer below 500 or a 503 with Retry-After, every control
// request acknowledged (retried while the answer is 503, as a sender does) and its spans and cost
// added up. Cases may travel in packs (packs.ts). Only Node's built-ins: the bench loads this from source.
import { Agent, request } from 'node:http';
import type { FuzzCase } from './cases.ts';
import type { Packer } from './packs.ts';

export interface FuzzRun {
  cases: number;
  /** How many answers of each status (0: no answer); a pack's answer counts once for each case it carried. */
  statuses: Record<number, number>;
  /** Requests that carried several cases and were acknowledged, and how many cases they carried. */
  packs: { requests: number; cases: number };
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
 * A pack of cases sent as one request. Acknowledged (200): every case in it is answered, the control
 * cases' spans counted. Any other answer says nothing about any one case: the caller sends each alone
 * (a 5xx that is no 503 with Retry-After is a failure of the pack as well).
 */
async function sendPack(agent: Agent, url: URL, pack: FuzzCase[], body: Uint8Array, run: FuzzRun, headers: Record<string, string>): Promise<boolean> {
  let status = 0;
  let answer = '';
  let retryAfter: string | null = null;
  try {
    ({ status, retryAfter, answer } = await post(agent, url, body, { ...headers, 'content-type': pack[0].contentType }));
  } catch (err) {
    answer = `no answer: ${(err as Error).message}`;
  }
  if (status === 200) {
    run.statuses[200] = (run.statuses[200] ?? 0) + pack.length;
    run.packs.requests++;
    run.packs.cases += pack.length;
    for (const { control } of pack) {
      run.controlSpans += control?.spans ?? 0;
      run.controlNanos += control?.nanos ?? 0n;
    }
    return true;
  }
  const retryLater = status === 503 && retryAfter !== null && /^\d+$/.test(retryAfter);
  if ((status >= 500 || status === 0) && !retryLater) {
    run.failures.push(`cases ${pack.map((c) => c.index).join(', ')} in one request: ${status} ${answer.slice(0, 300)}`);
  }
  return false;
}

/**
 * Sends cases `first` .. `first + count - 1` made by `make`, `concurrency` at a time, and says how
 * the service answered. With a `packer`, the cases it can join travel up to its limits a request.
 */
export async function sendFuzzCases(
  url: string,
  make: (index: number) => FuzzCase,
  options: { first?: number; count: number; concurrency?: number; headers?: Record<string, string>; packer?: Packer },
): Promise<FuzzRun> {
  const run: FuzzRun = { cases: 0, statuses: {}, packs: { requests: 0, cases: 0 }, controlSpans: 0, controlNanos: 0n, failures: [], ms: 0 };
  const concurrency = options.concurrency ?? 8;
  const headers = options.headers ?? {};
  const packer = options.packer;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const traces = new URL('/v1/traces', url);
  const started = performance.now();
  const end = (options.first ?? 0) + options.count;
  let next = options.first ?? 0;
  const toldToRetry: FuzzCase[] = [];
  const alone = async (fuzzCase: FuzzCase) => {
    if (await sendCase(agent, traces, fuzzCase, run, headers)) toldToRetry.push(fuzzCase);
  };
  const worker = async () => {
    while (next < end) {
      const pack: FuzzCase[] = [];
      const members: Uint8Array[] = [];
      let bytes = 0;
      do {
        const fuzzCase = make(next++);
        run.cases++;
        const member = packer?.member(fuzzCase) ?? null;
        if (!packer || member === null || member.length > packer.maxBytes) {
          await alone(fuzzCase);
          continue;
        }
        pack.push(fuzzCase);
        members.push(member);
        bytes += member.length;
      } while (packer && next < end && pack.length < packer.maxCases && bytes < packer.maxBytes);
      if (pack.length === 1) await alone(pack[0]);
      else if (pack.length > 1 && !(await sendPack(agent, traces, pack, packer!.join(members), run, headers))) {
        for (const fuzzCase of pack) await alone(fuzzCase);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // The store is healthy throughout a fuzz run, so a case told to retry must succeed or be refused now.
  for (const fuzzCase of toldToRetry.slice(0, 100)) {
    if (await sendCase(agent, traces, fuzzCase, run, headers)) {
      run.failures.push(`case ${fuzzCase.index}: answered 503 again: a sender would retry it forever [${fuzzCase.mutations.join('; ')}]`);
    }
  }
  run.ms = performance.now() - started;
  agent.destroy();
  return run;
}
