import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { opsTool, REPO_ROOT, run } from './ops-tools';

const PROMETHEUS_DIR = join(REPO_ROOT, 'dashboards', 'prometheus');
const ruleFiles = readdirSync(join(PROMETHEUS_DIR, 'rules')).map((f) => join('rules', f));
const testFiles = readdirSync(join(PROMETHEUS_DIR, 'tests')).map((f) => join('tests', f));

describe('Prometheus rules', () => {
  it('load in Prometheus 3 (promtool check rules)', () => {
    const out = run(opsTool('TOKENLEDGER_PROMTOOL'), ['check', 'rules', ...ruleFiles], { cwd: PROMETHEUS_DIR });
    expect(out).toContain('SUCCESS');
  });

  it.each(testFiles)('fire on the series that should fire them and stay silent on the near miss (%s)', (file) => {
    const out = run(opsTool('TOKENLEDGER_PROMTOOL'), ['test', 'rules', file], { cwd: PROMETHEUS_DIR });
    expect(out).toContain('SUCCESS');
    expect(out).not.toContain('FAILED');
  });

  it('have a unit test for every alert they define', () => {
    const alerts = ruleFiles.flatMap((f) => [...run('cat', [join(PROMETHEUS_DIR, f)]).matchAll(/^\s*- alert: (\S+)/gm)].map((m) => m[1]));
    const tested = new Set(testFiles.flatMap((f) => [...run('cat', [join(PROMETHEUS_DIR, f)]).matchAll(/alertname: (\S+)/g)].map((m) => m[1])));
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.filter((a) => !tested.has(a))).toEqual([]);
  });
});
