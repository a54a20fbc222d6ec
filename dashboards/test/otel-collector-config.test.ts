import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { opsTool, REPO_ROOT, run } from './ops-tools';

const CONFIG = join(REPO_ROOT, 'otel-collector.yaml');
const MANIFEST = join(REPO_ROOT, 'test', 'stack', 'otelcol-builder.yaml');
/** Built for a Collector that spreads traces over several collector-service replicas. */
const BUILT_FOR_REPLICAS = ['loadbalancing'];

describe('otel-collector.yaml', () => {
  it('is accepted by a Collector built from the manifest in the repository', () => {
    run(opsTool('TOKENLEDGER_OTELCOL'), ['validate', `--config=${CONFIG}`], { env: { TOKENLEDGER_INGEST_KEY: 'test-key' } });
  });

  it('uses exactly the components the builder manifest holds, besides those for replicas', () => {
    const manifest = readFileSync(MANIFEST, 'utf8');
    const built = new Set([...manifest.matchAll(/\/(\w+)(?:receiver|processor|exporter) v/g)].map((m) => m[1]));
    const config = readFileSync(CONFIG, 'utf8');
    const section = (name: string) => config.split(/^(?=\w)/m).find((s) => s.startsWith(`${name}:`)) ?? '';
    const used = new Set(
      ['receivers', 'processors', 'exporters'].flatMap((name) =>
        [...section(name).matchAll(/^ {2}(\w+)(?:\/[\w-]+)?:/gm)].map((m) => m[1].replace(/_/g, '')),
      ),
    );
    expect([...used, ...BUILT_FOR_REPLICAS].sort()).toEqual([...built].sort());
  });

  it('sends traces to the collector service with the ingest key as a Bearer token', () => {
    const config = readFileSync(CONFIG, 'utf8');
    expect(config).toMatch(/traces_endpoint: \$\{env:TOKENLEDGER_TRACES_ENDPOINT:-http:\/\/collector-service:8080\/v1\/traces\}/);
    expect(config).toContain('authorization: "Bearer ${env:TOKENLEDGER_INGEST_KEY}"');
  });
});
