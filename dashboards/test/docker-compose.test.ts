import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { opsTool, REPO_ROOT, run } from './ops-tools';

const COMPOSE = join(REPO_ROOT, 'docker-compose.yml');
const KEYS = {
  TOKENLEDGER_ADMIN_KEY: 'admin-key',
  TOKENLEDGER_INGEST_KEY: 'ingest-key',
  TOKENLEDGER_METRICS_KEY: 'metrics-key',
  TOKENLEDGER_OTLP_TOKEN: 'otlp-token',
  GRAFANA_ADMIN_PASSWORD: 'grafana-password',
};
const compose = readFileSync(COMPOSE, 'utf8');

/** One service's block of docker-compose.yml, as written. */
function service(name: string): string {
  const block = new RegExp(`^  ${name}:\\n((?: {4}.*\\n|\\s*\\n)*)`, 'm').exec(compose);
  if (!block) throw new Error(`no service ${name} in docker-compose.yml`);
  return block[1];
}

/** `docker-compose config` with the variables set, and any of them unset (empty). */
function composeConfig(unset: string[] = []): string {
  return run(opsTool('TOKENLEDGER_DOCKER_COMPOSE'), ['-f', COMPOSE, 'config'], { env: { ...KEYS, ...Object.fromEntries(unset.map((name) => [name, ''])) } });
}

describe('docker-compose.yml', () => {
  it('is a valid compose file (docker-compose config -q, no engine needed)', () => {
    run(opsTool('TOKENLEDGER_DOCKER_COMPOSE'), ['-f', COMPOSE, 'config', '-q'], { env: KEYS });
  });

  it('refuses to start without the keys the collector service and the Collector need', () => {
    expect(() =>
      run(opsTool('TOKENLEDGER_DOCKER_COMPOSE'), ['-f', COMPOSE, 'config', '-q'], {
        env: { TOKENLEDGER_ADMIN_KEY: '', TOKENLEDGER_INGEST_KEY: '' },
      }),
    ).toThrow(/TOKENLEDGER_(ADMIN|INGEST)_KEY/);
  });

  it("gives Prometheus the metrics key it scrapes the collector service's /metrics with", () => {
    expect(() => run(opsTool('TOKENLEDGER_DOCKER_COMPOSE'), ['-f', COMPOSE, 'config', '-q'], { env: { ...KEYS, TOKENLEDGER_METRICS_KEY: '' } })).toThrow(
      /TOKENLEDGER_METRICS_KEY/,
    );
    const prometheus = readFileSync(join(REPO_ROOT, 'dashboards', 'prometheus', 'prometheus.yml'), 'utf8');
    const keyFile = /job_name: tokenledger-collector[\s\S]*?credentials_file: (\S+)/.exec(prometheus)?.[1];
    expect(keyFile).toBeDefined();
    expect(readFileSync(COMPOSE, 'utf8')).toContain(`"$$TOKENLEDGER_METRICS_KEY\\" > ${keyFile}`);
  });

  it('requires a Grafana admin password and gives no anonymous access', () => {
    expect(() => composeConfig(['GRAFANA_ADMIN_PASSWORD'])).toThrow(/set GRAFANA_ADMIN_PASSWORD/);
    const grafana = service('grafana');
    expect(grafana).toMatch(/GF_SECURITY_ADMIN_PASSWORD: \$\{GRAFANA_ADMIN_PASSWORD:\?/);
    expect(grafana).toMatch(/GF_AUTH_ANONYMOUS_ENABLED: "false"/);
    expect(grafana).not.toMatch(/GF_AUTH_ANONYMOUS_ORG_ROLE/);
    expect(composeConfig()).toMatch(/GF_SECURITY_ADMIN_PASSWORD: grafana-password/);
  });

  it('publishes neither Prometheus nor Alertmanager on the host, and leaves Prometheus’ lifecycle API off', () => {
    for (const name of ['prometheus', 'alertmanager']) expect(service(name)).not.toMatch(/^ {4}ports:/m);
    expect(service('prometheus')).not.toContain('--web.enable-lifecycle');
    expect(service('grafana')).toMatch(/^ {4}ports:/m);
  });

  it('has the Collector’s published OTLP receivers take only requests with TOKENLEDGER_OTLP_TOKEN', () => {
    expect(() => composeConfig(['TOKENLEDGER_OTLP_TOKEN'])).toThrow(/set TOKENLEDGER_OTLP_TOKEN/);
    const collector = service('otel-collector');
    expect(collector).toContain('command: ["--config=/etc/otelcol/config.yaml", "--config=/etc/otelcol/otlp-auth.yaml"]');
    expect(collector).toContain('- ./dashboards/otel-collector/otlp-auth.yaml:/etc/otelcol/otlp-auth.yaml:ro');
    // The demo app sends it.
    expect(service('demo')).toMatch(/OTEL_EXPORTER_OTLP_HEADERS: authorization=Bearer%20\$\{TOKENLEDGER_OTLP_TOKEN/);
  });

  it('pins every image to a version', () => {
    const images = [...compose.matchAll(/^\s+image: (\S+)$/gm)].map((m) => m[1]);
    expect(images.length).toBeGreaterThanOrEqual(7);
    for (const image of images) expect(image).toMatch(/:[vV]?\d+\.\d+(\.\d+)?$/);
  });

  it('mounts only files and folders that exist in the repository', () => {
    const mounts = [...compose.matchAll(/^\s+- \.\/([^:]+):/gm)].map((m) => m[1]);
    expect(mounts.length).toBeGreaterThan(0);
    expect(mounts.filter((m) => !existsSync(join(REPO_ROOT, m)))).toEqual([]);
  });
});

describe('collector-service/Dockerfile', () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'collector-service', 'Dockerfile'), 'utf8');

  it('builds in one stage and runs a slim second stage as a non-root user', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('checks health on /readyz', () => {
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/readyz/);
  });
});
