import { join } from 'node:path';
import { opsTool, REPO_ROOT, run } from './ops-tools';

const CONFIG = join(REPO_ROOT, 'dashboards', 'alertmanager', 'alertmanager.yml');

function routeOf(...labels: string[]): string {
  return run(opsTool('TOKENLEDGER_AMTOOL'), ['config', 'routes', 'test', `--config.file=${CONFIG}`, ...labels]).trim();
}

describe('Alertmanager routing', () => {
  it('is a valid Alertmanager config (amtool check-config)', () => {
    expect(run(opsTool('TOKENLEDGER_AMTOOL'), ['check-config', CONFIG])).toContain('SUCCESS');
  });

  it('sends cost alerts to finance', () => {
    expect(routeOf('alertname=TokenledgerDailyCostHigh', 'category=cost')).toBe('finance');
  });

  it('sends operational alerts, and anything unlabelled, to SRE', () => {
    expect(routeOf('alertname=TokenledgerCollectorDown', 'category=operations')).toBe('sre');
    expect(routeOf('alertname=SomethingElse')).toBe('sre');
  });
});
