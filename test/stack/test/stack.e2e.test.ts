import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { fillVariables, panelQueries } from './dashboards';
import { describeReplicas } from './replicas';
import { eventually, getJson, logTails, promQuery, type Stack, stackFromEnv } from './stack-env';

const execFileAsync = promisify(execFile);
jest.setTimeout(240_000);

// A fresh service name per run, so every assertion below is about this run's calls only.
const SERVICE = `stack-e2e-${randomBytes(4).toString('hex')}`;
const UNPRICED_MODEL = 'tokenledger-e2e-unpriced';
// On the collector's metrics allowlist (scripts/test-servers/stack.start.sh), so the top-users panel has a series.
const E2E_USER = 'e2e-alice';

interface JaegerSpan {
  operationName: string;
  tags: { key: string; value: unknown }[];
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
}

describe('the native operations stack, end to end', () => {
  let stack: Stack;
  let mock: MockLlmServer;
  let tightBudgetId: string;
  const admin = () => ({ authorization: `Bearer ${stack.adminKey}` });
  const post = async (path: string, body: unknown): Promise<{ id: string }> => {
    const res = await fetch(`${stack.collectorUrl}${path}`, {
      method: 'POST',
      headers: { ...admin(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { id: string };
  };

  beforeAll(async () => {
    stack = stackFromEnv();
    mock = await startMockLlmServer();
    // A budget, so the budget gauges and the budget panel have a series.
    const budget = await fetch(`${stack.collectorUrl}/v1/budgets`, {
      method: 'POST',
      headers: { ...admin(), 'content-type': 'application/json' },
      body: JSON.stringify({ name: SERVICE, period: 'month', limitUsd: '1.00', scope: { service: SERVICE } }),
    });
    expect(budget.status).toBe(201);
    // A budget this run crosses, alerting through the collector's alertmanager channel.
    const channel = await post('/v1/channels', { type: 'alertmanager', name: `${SERVICE}-alertmanager`, url: stack.alertmanagerUrl });
    const alerting = await post('/v1/budgets', {
      name: `${SERVICE}-tight`,
      period: 'month',
      limitUsd: '0.0001',
      thresholds: [0.5],
      scope: { service: SERVICE },
      channels: [channel.id],
    });
    tightBudgetId = alerting.id;
    // The app as a user runs it: only the register hook, OTLP to the Collector.
    const { stdout } = await execFileAsync(process.execPath, ['--require', '@tokenledger/node/register', join(__dirname, '..', 'apps', 'openai-app.cjs')], {
      cwd: join(__dirname, '..'),
      env: {
        ...process.env,
        OPENAI_BASE_URL: `${mock.url}/v1`,
        UNPRICED_MODEL,
        E2E_USER,
        OTEL_SERVICE_NAME: SERVICE,
        OTEL_EXPORTER_OTLP_ENDPOINT: stack.otlpHttpUrl,
        ...(stack.otlpToken ? { OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${stack.otlpToken}` } : {}),
        OTEL_METRIC_EXPORT_INTERVAL: '1000',
        E2E_PAUSE_MS: '3000',
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
    });
    expect(stdout.trim()).toBe('done');
  });
  afterAll(() => mock?.close());

  it('shows the app’s calls as traces in Jaeger, with their GenAI attributes', async () => {
    const spans = await eventually('the app’s spans in Jaeger', async () => {
      const { data } = await getJson<{ data: JaegerTrace[] }>(`${stack.jaegerUrl}/api/traces?service=${SERVICE}&limit=50&lookback=1h`);
      const all = data.flatMap((t) => t.spans);
      return all.length >= 10 ? all : undefined;
    });
    const tags = (span: JaegerSpan) => Object.fromEntries(span.tags.map((t) => [t.key, t.value]));
    // The gpt-4o chat that succeeded (the rate-limited one has no response model or usage).
    const chat = spans.map(tags).find((t) => t['gen_ai.operation.name'] === 'chat' && t['gen_ai.request.model'] === 'gpt-4o' && t['gen_ai.response.model']);
    expect(chat).toMatchObject({ 'gen_ai.provider.name': 'openai', 'gen_ai.response.model': 'gpt-4o-2024-08-06' });
    expect(chat!['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(chat!['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(spans.map(tags).some((t) => t['gen_ai.operation.name'] === 'embeddings')).toBe(true);
  });

  it('prices the calls in the collector’s report API, and Prometheus’ cost agrees with it', async () => {
    const summary = await eventually('the priced records in the report API', async () => {
      const s = await getJson<{ totalCostNanos: string; calls: number; unpricedCalls: number; failedCalls: number }>(
        `${stack.collectorUrl}/v1/reports/summary?period=all&service=${SERVICE}`,
        admin(),
      );
      return s.calls >= 10 ? s : undefined;
    });
    expect(summary).toMatchObject({ calls: 10, failedCalls: 2 });
    expect(BigInt(summary.totalCostNanos)).toBeGreaterThan(0n);
    const { records } = await getJson<{ records: { model: string; costNanos: string | null; priceBookVersion: string | null; traceUrl: string | null }[] }>(
      `${stack.collectorUrl}/v1/reports/usage?period=all&service=${SERVICE}`,
      admin(),
    );
    expect(records.find((r) => r.model === UNPRICED_MODEL)).toMatchObject({ costNanos: null });
    const chat = records.find((r) => r.model === 'gpt-4o-2024-08-06' && r.costNanos !== null);
    expect(chat?.priceBookVersion).toBeTruthy();
    expect(chat?.traceUrl).toMatch(new RegExp(`^${stack.jaegerUrl}/trace/[0-9a-f]{32}$`));

    // A float for graphs: equal to the exact amount to well below a nano-dollar at this size.
    // The spans reach the collector in more than one batch, and Prometheus may scrape between them:
    // wait for the scrape that has them all (a wrong total never matches and times out).
    const exact = Number(summary.totalCostNanos) / 1e9;
    let last: number | undefined;
    const cost = await eventually(`tokenledger_cost_usd_total in Prometheus equal to ${exact}`, async () => {
      const [sample] = await promQuery(stack.prometheusUrl, `sum(tokenledger_cost_usd_total{service="${SERVICE}"})`);
      last = sample ? Number(sample.value[1]) : undefined;
      return last !== undefined && Math.abs(last - exact) < 5e-10 ? last : undefined;
    }).catch((err: Error) => {
      throw new Error(`${err.message}; last value ${last}`);
    });
    expect(cost).toBeCloseTo(exact, 9);
  });

  it('has Prometheus’ increase() over the run equal the report’s total for the same calls', async () => {
    const summary = await getJson<{ totalCostNanos: string; calls: number }>(`${stack.collectorUrl}/v1/reports/summary?period=all&service=${SERVICE}`, admin());
    expect(summary.calls).toBe(10);
    const exact = Number(summary.totalCostNanos) / 1e9;
    const selector = `tokenledger_cost_usd_total{service="${SERVICE}"}`;
    // Once the last scrape holds every call, evaluate at that scrape's time over a range that starts
    // before the run: no extrapolation past the samples, so increase() is what the counters added.
    await eventually(`${selector} summing to ${exact}`, async () => {
      const [sample] = await promQuery(stack.prometheusUrl, `sum(${selector})`);
      return sample && Math.abs(Number(sample.value[1]) - exact) < 5e-10 ? true : undefined;
    });
    // Each collector replica is scraped on its own schedule: each one's counters at its own last scrape.
    let increase = 0;
    for (const last of await promQuery(stack.prometheusUrl, `max by (instance) (timestamp(${selector}))`)) {
      const own = `tokenledger_cost_usd_total{service="${SERVICE}",instance="${last.metric.instance}"}`;
      const [sample] = await promQuery(stack.prometheusUrl, `sum(increase(${own}[1h]))`, Number(last.value[1]));
      increase += Number(sample.value[1]);
    }
    expect(increase).toBeCloseTo(exact, 9);
    expect(Math.abs(increase - exact)).toBeLessThan(5e-10);
  });

  it('refuses OTLP without the token at the Collector’s receivers', async () => {
    expect(stack.otlpToken).not.toBeNull();
    const send = (headers: Record<string, string>) =>
      fetch(`${stack.otlpHttpUrl}/v1/traces`, {
        method: 'POST',
        body: JSON.stringify({ resourceSpans: [] }),
        headers: { 'content-type': 'application/json', ...headers },
      });
    expect((await send({})).status).toBe(401);
    expect((await send({ authorization: `Bearer ${stack.otlpToken}` })).status).toBe(200);
  });

  it('has the app’s gen_ai.client.token.usage in Prometheus through the Collector’s OTLP export', async () => {
    const samples = await eventually('gen_ai_client_token_usage in Prometheus', async () => {
      const found = await promQuery(stack.prometheusUrl, `sum by (gen_ai_token_type) (gen_ai_client_token_usage_sum{service_name="${SERVICE}"})`);
      return found.length >= 2 ? found : undefined;
    });
    const byType = Object.fromEntries(samples.map((s) => [s.metric.gen_ai_token_type, Number(s.value[1])]));
    expect(byType.input).toBeGreaterThan(0);
    expect(byType.output).toBeGreaterThan(0);
  });

  it('answers every panel query of every dashboard with data, its variables filled', async () => {
    // The variables' own queries list this run's values.
    await eventually('this run’s service among the service variable’s values', async () => {
      const services = await getJson<{ data: string[] }>(`${stack.prometheusUrl}/api/v1/label/service/values?match[]=tokenledger_cost_usd_total`);
      return services.data.includes(SERVICE) ? true : undefined;
    });
    const values = { datasource: 'prometheus', service: SERVICE, provider: 'openai', model: '.*' };
    const queries = panelQueries();
    expect(queries.length).toBeGreaterThan(20);
    const emptyPanels = async () => {
      const empty: string[] = [];
      for (const q of queries) {
        const expr = fillVariables(q.expr, values);
        if ((await promQuery(stack.prometheusUrl, expr)).length === 0) empty.push(`${q.dashboard} / ${q.panel}: ${expr}`);
      }
      return empty;
    };
    // Rates need two samples of a change: ask again while some panel is still empty, then name the empty ones.
    let empty = await emptyPanels();
    for (let attempt = 0; attempt < 60 && empty.length > 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      empty = await emptyPanels();
    }
    expect(empty).toEqual([]);
  });

  it('fires a Prometheus rule whose alert reaches Alertmanager on the finance route', async () => {
    const alert = await eventually(
      'the rule’s alert in Alertmanager',
      async () => {
        const alerts = await getJson<{ labels: Record<string, string>; receivers: { name: string }[]; status: { state: string } }[]>(
          `${stack.alertmanagerUrl}/api/v2/alerts?filter=alertname%3D%22TokenledgerE2ESpendSeen%22`,
        );
        return alerts[0];
      },
      240,
    );
    expect(alert.labels).toMatchObject({ alertname: 'TokenledgerE2ESpendSeen', category: 'cost' });
    expect(alert.receivers.map((r) => r.name)).toEqual(['finance']);
    expect(alert.status.state).toBe('active');
  });

  it('delivers the collector’s budget alert to Alertmanager through its alertmanager channel', async () => {
    const alert = await eventually(
      'the budget alert in Alertmanager',
      async () => {
        const alerts = await getJson<{ labels: Record<string, string>; receivers: { name: string }[] }[]>(
          `${stack.alertmanagerUrl}/api/v2/alerts?filter=source%3D%22tokenledger-collector%22`,
        );
        return alerts.find((a) => a.labels.subject?.startsWith(`budget:${tightBudgetId}`));
      },
      240,
    ).catch(async (err: Error) => {
      // What the collector made of it (fired, resolved, delivered?), and what each program logged.
      const collectorAlerts = await getJson<{ alerts: unknown[] }>(`${stack.collectorUrl}/v1/alerts?limit=20`, admin()).catch((e: Error) => e.message);
      throw new Error(
        `${err.message}\nthe collector's alerts: ${JSON.stringify(collectorAlerts)}\n${logTails(stack, ['collector-service', 'collector-service-2', 'alertmanager'])}`,
      );
    });
    expect(alert.labels).toMatchObject({ alertname: 'TokenledgerBudgetThreshold', category: 'cost', tenant: 'default' });
    expect(alert.receivers.map((r) => r.name)).toEqual(['finance']);
  });

  it('keeps the shipped rules loaded and healthy next to the test rule', async () => {
    const { data } = await getJson<{ data: { groups: { name: string; rules: { name: string; health: string }[] }[] } }>(`${stack.prometheusUrl}/api/v1/rules`);
    const rules = data.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.name)).toEqual(expect.arrayContaining(['TokenledgerDailyCostHigh', 'TokenledgerCollectorDown', 'OtelCollectorExporterFailures']));
    expect(rules.filter((r) => r.health === 'err')).toEqual([]);
  });
});

// Last, in this file: it kills a replica, which must not happen while the tests above read its metrics.
describeReplicas();
