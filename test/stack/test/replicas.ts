import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { runLoadApp, runLoadAppFlushed } from './apps';
import { eventually, getJson, type Stack, stackFromEnv } from './stack-env';

const execFileAsync = promisify(execFile);
const STACK_SH = join(__dirname, '..', '..', '..', 'scripts', 'stack', 'stack.sh');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A loopback webhook receiver: every alert notification the collector delivers to it, as JSON. */
async function startWebhookReceiver(): Promise<{ url: string; bodies: Record<string, unknown>[]; close(): Promise<void> }> {
  const bodies: Record<string, unknown>[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      res.writeHead(200).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const processGone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

/**
 * Two collector service replicas on one store behind the Collector's load_balancing exporter. Run
 * after the other stack tests, never beside them: it kills a replica, which takes its in-memory
 * metric counters with it.
 */
export function describeReplicas(): void {
  describe('two collector service replicas behind the Collector', () => {
    const SERVICE = `stack-replicas-${randomBytes(4).toString('hex')}`;
    const CALLS = 300;
    let stack: Stack;
    let mock: MockLlmServer;
    let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
    let alertingBudgetId: string;
    const admin = () => ({ authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' });
    const post = async <T>(url: string, path: string, body: unknown, headers: Record<string, string> = admin()): Promise<T> => {
      const res = await fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as T;
    };
    const summary = (url: string, service: string) =>
      getJson<{ totalCostNanos: string; calls: number }>(`${url}/v1/reports/summary?period=all&service=${service}`, admin());

    beforeAll(async () => {
      stack = stackFromEnv();
      mock = await startMockLlmServer();
      webhook = await startWebhookReceiver();
      const channel = await post<{ id: string }>(stack.collectorUrl, '/v1/channels', {
        type: 'webhook',
        name: `${SERVICE}-hook`,
        url: webhook.url,
        secret: randomBytes(16).toString('hex'),
      });
      // A gpt-4o call of the load app costs $0.00007 (16 input and 3 output tokens from the mock): the
      // load crosses half of $0.01 about a quarter of the way in, while both replicas take its spans.
      const budget = await post<{ id: string }>(stack.collectorUrl, '/v1/budgets', {
        name: `${SERVICE}-half`,
        period: 'month',
        limitUsd: '0.01',
        thresholds: [0.5],
        scope: { service: SERVICE },
        channels: [channel.id],
      });
      alertingBudgetId = budget.id;
    });
    afterAll(async () => {
      await mock?.close();
      await webhook?.close();
    });

    it('counts every call once, to the nano, while one replica is SIGKILLed mid-load and restarted', async () => {
      const collectorLog = join(stack.dir, 'logs', 'otel-collector.log');
      const logBeforeKill = readFileSync(collectorLog, 'utf8').length;
      const load = runLoadApp({
        OPENAI_BASE_URL: `${mock.url}/v1`,
        OTEL_SERVICE_NAME: SERVICE,
        OTEL_EXPORTER_OTLP_ENDPOINT: stack.otlpHttpUrl,
        ...(stack.otlpToken ? { OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${stack.otlpToken}` } : {}),
        CALLS: String(CALLS),
        PAUSE_MS: '30',
      });
      await eventually('the first calls stored', async () => ((await summary(stack.collectorUrl, SERVICE)).calls >= 40 ? true : undefined), 240, 100);

      const pid = Number(readFileSync(join(stack.dir, 'pids', 'collector-service-2.pid'), 'utf8'));
      process.kill(pid, 'SIGKILL');
      await eventually('the replica gone', () => (processGone(pid) ? true : undefined), 50, 100);
      // While it is away the Collector keeps that replica's share queued and retries it.
      await sleep(3000);
      await execFileAsync('bash', [STACK_SH, 'restart', 'collector-service-2']);
      expect(await load).toBe(`done ${CALLS}`);

      const total = await eventually(
        `${CALLS} calls in the report`,
        async () => {
          const s = await summary(stack.collectorUrl, SERVICE);
          return s.calls >= CALLS ? s : undefined;
        },
        240,
      );
      // Let late retries land: a batch stored before the kill and delivered again must add nothing.
      await sleep(5000);
      expect(await summary(stack.collectorUrl, SERVICE)).toMatchObject({ calls: CALLS, totalCostNanos: total.totalCostNanos });
      expect(await summary(stack.collector2Url, SERVICE)).toMatchObject({ calls: CALLS, totalCostNanos: total.totalCostNanos });
      const { records } = await getJson<{ records: { id: string; costNanos: string }[] }>(
        `${stack.collectorUrl}/v1/reports/usage?period=all&service=${SERVICE}&limit=1000`,
        admin(),
      );
      expect(new Set(records.map((r) => r.id)).size).toBe(CALLS);
      expect(records.reduce((sum, r) => sum + BigInt(r.costNanos), 0n).toString()).toBe(total.totalCostNanos);

      // The Collector did meet the dead replica and retried its share, or this proved nothing.
      const [, grpcPort] = /OTLP\/gRPC \S+:(\d+)/.exec(readFileSync(join(stack.dir, 'logs', 'collector-service-2.log'), 'utf8'))!;
      const logSinceKill = readFileSync(collectorLog, 'utf8').slice(logBeforeKill);
      expect(logSinceKill).toMatch(new RegExp(`Exporting failed\\. Will retry the request after interval.*"endpoint": "127\\.0\\.0\\.1:${grpcPort}"`));
      expect((await getJson<{ status: string }>(`${stack.collector2Url}/readyz`)).status).toBe('ready');
    });

    it('fires the budget alert the load crossed exactly once, though both replicas stored its spend', async () => {
      const fired = await eventually('the budget alert delivered', () => {
        const mine = webhook.bodies.filter((b) => JSON.stringify(b).includes(alertingBudgetId));
        return mine.length > 0 ? mine : undefined;
      });
      // Both replicas evaluate budgets after every ingest; give a second firing time to show.
      await sleep(5000);
      expect(webhook.bodies.filter((b) => JSON.stringify(b).includes(alertingBudgetId))).toHaveLength(fired.length);
      expect(fired).toHaveLength(1);
      for (const url of [stack.collectorUrl, stack.collector2Url]) {
        const { alerts } = await getJson<{ alerts: { subject: string; state: string }[] }>(`${url}/v1/alerts?limit=100`, admin());
        expect(alerts.filter((a) => a.subject.startsWith(`budget:${alertingBudgetId}`))).toHaveLength(1);
      }
    });

    it("answers a block made by spend on one replica from the other replica's check within 2 s", async () => {
      const blocked = `${SERVICE}-block`;
      const budget = await post<{ id: string }>(stack.collectorUrl, '/v1/budgets', {
        name: blocked,
        period: 'month',
        limitUsd: '0.00005',
        action: 'block',
        scope: { service: blocked },
      });
      const { key } = await post<{ key: string }>(stack.collectorUrl, '/v1/keys', { role: 'ingest', name: blocked });
      const app = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const check = (url: string) => post<{ decision: string; budgets: { id: string }[] }>(url, '/v1/budgets/check', { service: blocked }, app);
      const known = await eventually('the budget known to the second replica', async () => {
        const answer = await check(stack.collector2Url);
        return answer.budgets.some((b) => b.id === budget.id) ? answer : undefined;
      });
      expect(known.decision).toBe('allow');

      // The second replica's checks, one after another from now on, each kept with the moment it was sent.
      const checks: { sentAtMs: number; decision: string }[] = [];
      let checking = true;
      const checker = (async () => {
        while (checking) {
          const sentAtMs = Date.now();
          checks.push({ sentAtMs, decision: (await check(stack.collector2Url)).decision });
          await sleep(50);
        }
      })();
      let acknowledgedAtMs: number;
      try {
        // One $0.00007 call, sent by the app straight to the first replica: stored once acknowledged.
        const sent = await runLoadAppFlushed({
          OPENAI_BASE_URL: `${mock.url}/v1`,
          OTEL_SERVICE_NAME: blocked,
          OTEL_EXPORTER_OTLP_ENDPOINT: stack.collectorUrl,
          OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${key}`,
          CALLS: '1',
        });
        expect(sent.output).toBe('done 1');
        acknowledgedAtMs = sent.flushedAtMs;
        expect((await check(stack.collectorUrl)).decision).toBe('block');
        await eventually('a check of the second replica sent 2 s after the spend was acknowledged, answered', () =>
          checks.some((c) => c.sentAtMs > acknowledgedAtMs + 2000) ? true : undefined,
        );
      } finally {
        checking = false;
        await checker;
      }
      // The 2 s are the service's: a check the second replica takes 2 s after the acknowledgement
      // blocks. A check sent later reaches it later, so every check sent after that moment is held to
      // it, however late this process got to send it. Listed: how long after the acknowledgement each
      // check that did not block was sent.
      const late = checks.filter((c) => c.sentAtMs > acknowledgedAtMs + 2000);
      expect(late.filter((c) => c.decision !== 'block').map((c) => c.sentAtMs - acknowledgedAtMs)).toEqual([]);
      expect(late.length).toBeGreaterThan(0);
    });
  });
}
