import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { opsTool, REPO_ROOT, run } from './ops-tools';

jest.setTimeout(60_000);

const PROMETHEUS_DIR = join(REPO_ROOT, 'dashboards', 'prometheus');
const ADMIN_KEY = 'scraped-series-admin-key-0123456789';
/** What Prometheus adds to every series it scrapes from the collector service (dashboards/prometheus/prometheus.yml). */
const TARGET = { job: 'tokenledger-collector', instance: 'collector-service:8080' };

interface Sample {
  series: string;
  name: string;
  labels: Record<string, string>;
  value: string;
}

/** Parses a Prometheus text exposition into samples, each with the series name promtool reads. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = { ...TARGET };
    for (const [, key, value] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value;
    const series = `${m[1]}{${Object.entries(labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}="${v}"`)
      .join(',')}}`;
    samples.push({ series, name: m[1], labels, value: m[3] });
  }
  return samples;
}

/**
 * promtool input series replaying the scrapes one minute apart, exactly as Prometheus would have
 * stored them: a series absent from a scrape is `_` there.
 */
function inputSeries(scrapes: Sample[][]): { series: string; values: string }[] {
  const all = [...new Set(scrapes.flat().map((s) => s.series))];
  return all.map((series) => ({
    series,
    values: scrapes.map((scrape) => scrape.find((s) => s.series === series)?.value ?? '_').join(' '),
  }));
}

/** OTLP/JSON with one GenAI span per attribute set. */
function otlpJson(spans: Record<string, string | number>[]): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
        scopeSpans: [
          {
            scope: { name: 'scraped-series' },
            spans: spans.map((attributes) => ({
              traceId: randomBytes(16).toString('hex'),
              spanId: randomBytes(8).toString('hex'),
              name: 'chat',
              kind: 3,
              startTimeUnixNano: String(now),
              endTimeUnixNano: String(now + 200_000_000n),
              attributes: Object.entries(attributes).map(([key, value]) => ({
                key,
                value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value },
              })),
            })),
          },
        ],
      },
    ],
  });
}

const CHAT = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.usage.input_tokens': 1500, 'gen_ai.usage.output_tokens': 2000 };
const CALLS = [
  { ...CHAT, 'gen_ai.request.model': 'gpt-4o', 'gen_ai.agent.id': 'support-bot', 'tokenledger.feature': 'refunds', 'user.id': 'alice' },
  { ...CHAT, 'gen_ai.request.model': 'gpt-4o-mini', 'user.id': 'alice' },
  { ...CHAT, 'gen_ai.request.model': 'gpt-4.1' },
  { ...CHAT, 'gen_ai.request.model': 'acme-large' }, // no price anywhere: unpriced
];

describe('Prometheus rules on the series the built collector service really exposes', () => {
  let dir: string;
  let service: ChildProcess;
  let url: string;
  const scrapes: Sample[][] = [];

  const scrape = async () => {
    const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(res.status).toBe(200);
    scrapes.push(parseExposition(await res.text()));
  };
  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenledger-scraped-'));
    service = spawn(process.execPath, [join(REPO_ROOT, 'collector-service', 'dist', 'main.js')], {
      env: {
        ...process.env,
        TOKENLEDGER_SQLITE_PATH: join(dir, 'store.sqlite'),
        TOKENLEDGER_PORT: '0',
        TOKENLEDGER_GRPC_PORT: 'off',
        TOKENLEDGER_ADMIN_KEY: ADMIN_KEY,
        TOKENLEDGER_METRICS_USER_ALLOWLIST: 'alice',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const look = (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]);
      };
      service.stdout!.on('data', look);
      service.stderr!.on('data', look);
      service.once('exit', (code) => reject(new Error(`the collector service exited with ${code}:\n${out}`)));
    });

    // Minute 0: the service as it starts. Then its first calls (one to a model nobody prices) and a
    // sender without a key, and the scrapes a Prometheus would make after them.
    await scrape();
    expect((await post(otlpJson(CALLS), { authorization: `Bearer ${ADMIN_KEY}` })).status).toBe(200);
    expect((await post(otlpJson(CALLS), {})).status).toBe(401);
    await scrape();
    await scrape();
  });
  afterAll(() => {
    service?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('fire TokenledgerUnpricedModel on the first unpriced call, and TokenledgerIngestRequestsRefused on the first 401 (promtool, replaying the scrapes)', () => {
    const last = `${scrapes.length - 1}m`;
    const test = {
      rule_files: [join(PROMETHEUS_DIR, 'rules', 'ops.rules.yml')],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: inputSeries(scrapes),
          alert_rule_test: [
            {
              eval_time: last,
              alertname: 'TokenledgerUnpricedModel',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', team: 'finance', category: 'cost', model: 'acme-large' },
                  exp_annotations: {
                    summary: 'Model acme-large is used but has no price',
                    description: 'Add it to the operator price file (TOKENLEDGER_PRICES_FILE) and re-price.',
                  },
                },
              ],
            },
            {
              eval_time: last,
              alertname: 'TokenledgerIngestRequestsRefused',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', team: 'sre', category: 'operations', reason: 'unauthenticated' },
                  exp_annotations: {
                    summary: 'The collector service refuses OTLP requests: unauthenticated',
                    description: "Those spans are lost; the collector service's log names the key (its id, never its secret) and what to do.",
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    // JSON is YAML: promtool reads it as a test file.
    const file = join(dir, 'scraped.test.yml');
    writeFileSync(file, JSON.stringify(test, null, 2));
    const out = run(opsTool('TOKENLEDGER_PROMTOOL'), ['test', 'rules', file]);
    expect(out).toContain('SUCCESS');
  });

  it('see in the shipped promtool tests only label sets the service exposes', () => {
    const exposed = new Map<string, Set<string>>();
    for (const sample of scrapes.flat()) {
      const sets = exposed.get(sample.name) ?? new Set<string>();
      sets.add(Object.keys(sample.labels).sort().join(','));
      exposed.set(sample.name, sets);
    }
    const wrong: string[] = [];
    for (const file of readdirSync(join(PROMETHEUS_DIR, 'tests'))) {
      for (const [, name, labels] of readFileSync(join(PROMETHEUS_DIR, 'tests', file), 'utf8').matchAll(/series: '(tokenledger_[a-z_]+)\{([^}]*)\}'/g)) {
        const names = [...labels.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)]
          .map((m) => m[1])
          .sort()
          .join(',');
        if (!exposed.get(name)?.has(names))
          wrong.push(
            `${file}: ${name}{${names}} (the service exposes ${[...(exposed.get(name) ?? [])].map((s) => `{${s}}`).join(' or ') || 'no such metric'})`,
          );
      }
    }
    expect(wrong).toEqual([]);
  });
});
