import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { opsTool, REPO_ROOT, run } from './ops-tools';

const COMPOSE = join(REPO_ROOT, 'docker-compose.yml');
const KEYS = { TOKENLEDGER_ADMIN_KEY: 'admin-key', TOKENLEDGER_INGEST_KEY: 'ingest-key', TOKENLEDGER_METRICS_KEY: 'metrics-key' };

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
    expect(() => run(opsTool('TOKENLEDGER_DOCKER_COMPOSE'), ['-f', COMPOSE, 'config', '-q'], { env: { ...KEYS, TOKENLEDGER_METRICS_KEY: '' } })).toThrow(/TOKENLEDGER_METRICS_KEY/);
    const prometheus = readFileSync(join(REPO_ROOT, 'dashboards', 'prometheus', 'prometheus.yml'), 'utf8');
    const keyFile = /job_name: tokenledger-collector[\s\S]*?credentials_file: (\S+)/.exec(prometheus)?.[1];
    expect(keyFile).toBeDefined();
    expect(readFileSync(COMPOSE, 'utf8')).toContain(`"$$TOKENLEDGER_METRICS_KEY\\" > ${keyFile}`);
  });

  it('pins every image to a version', () => {
    const images = [...readFileSync(COMPOSE, 'utf8').matchAll(/^\s+image: (\S+)$/gm)].map((m) => m[1]);
    expect(images.length).toBeGreaterThanOrEqual(7);
    for (const image of images) expect(image).toMatch(/:[vV]?\d+\.\d+(\.\d+)?$/);
  });

  it('mounts only files and folders that exist in the repository', () => {
    const mounts = [...readFileSync(COMPOSE, 'utf8').matchAll(/^\s+- \.\/([^:]+):/gm)].map((m) => m[1]);
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
