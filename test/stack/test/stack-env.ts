import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The addresses of the running native stack, from the variables scripts/test-servers/stack.start.sh exports. */
export interface Stack {
  otlpHttpUrl: string;
  /** The token the Collector's OTLP receivers require (TOKENLEDGER_OTLP_TOKEN), or null when they take any request. */
  otlpToken: string | null;
  collectorUrl: string;
  /** The second collector service replica, on the same store. */
  collector2Url: string;
  /** The stack's state directory: pids/<program>.pid, logs/<program>.log. */
  dir: string;
  jaegerUrl: string;
  prometheusUrl: string;
  alertmanagerUrl: string;
  adminKey: string;
}

export function stackFromEnv(env: NodeJS.ProcessEnv = process.env): Stack {
  const read = (name: string): string => {
    const value = env[name];
    if (!value) {
      throw new Error(
        `${name} is not set: run the end-to-end test with ./run test (scripts/test-servers/stack.start.sh starts the stack and exports it), or start it with npm run stack and source its stack.env`,
      );
    }
    return value;
  };
  return {
    otlpHttpUrl: read('TOKENLEDGER_STACK_OTLP_HTTP_URL'),
    otlpToken: env.TOKENLEDGER_STACK_OTLP_TOKEN || null,
    collectorUrl: read('TOKENLEDGER_STACK_COLLECTOR_URL'),
    collector2Url: read('TOKENLEDGER_STACK_COLLECTOR_2_URL'),
    dir: read('TOKENLEDGER_STACK_DIR'),
    jaegerUrl: read('TOKENLEDGER_STACK_JAEGER_URL'),
    prometheusUrl: read('TOKENLEDGER_STACK_PROMETHEUS_URL'),
    alertmanagerUrl: read('TOKENLEDGER_STACK_ALERTMANAGER_URL'),
    adminKey: read('TOKENLEDGER_STACK_ADMIN_KEY'),
  };
}

/**
 * Asks `probe` until it returns a value (not undefined), or fails after `attempts` with the last
 * answer: data crosses several processes with their own export and scrape intervals.
 */
export async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, attempts = 120, pauseMs = 500): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  throw new Error(`${what} never happened${last ? `; last error: ${(last as Error).message}` : ''}`);
}

export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query against Prometheus' HTTP API (at `time`, in seconds, or now); a query error throws with Prometheus' message. */
export async function promQuery(prometheusUrl: string, query: string, time?: number): Promise<PromSample[]> {
  const url = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}${time === undefined ? '' : `&time=${time}`}`;
  const res = await fetch(url);
  const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: PromSample[] | [number, string] } };
  if (body.status !== 'success') throw new Error(`Prometheus refused ${query}: ${body.error}`);
  const { resultType, result } = body.data!;
  if (resultType === 'scalar') return [{ metric: {}, value: result as [number, string] }];
  return result as PromSample[];
}

/** The last `lines` lines of each program's log in the stack's state directory (logs/<program>.log), to explain a failure. */
export function logTails(stack: Stack, programs: string[], lines = 40): string {
  return programs
    .map((program) => {
      const file = join(stack.dir, 'logs', `${program}.log`);
      let text: string;
      try {
        text = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch (err) {
        text = `(unreadable: ${(err as Error).message})`;
      }
      return `--- ${file} (last ${lines} lines)\n${text}`;
    })
    .join('\n');
}
