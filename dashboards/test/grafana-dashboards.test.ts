import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARDS, renderDashboard } from '../src/dashboards';

const JSON_DIR = join(__dirname, '..', 'grafana', 'json');

interface Panel {
  type: string;
  title: string;
  options?: { legend?: { showLegend?: boolean } };
  targets?: { expr: string; datasource: { uid: string } }[];
  fieldConfig?: { defaults?: { links?: { url: string }[] } };
}

const panelsOf = (file: string): Panel[] =>
  (JSON.parse(readFileSync(join(JSON_DIR, file), 'utf8')) as { panels: Panel[] }).panels.filter((p) => p.type !== 'row');

describe('Grafana dashboards', () => {
  it.each(Object.keys(DASHBOARDS))('%s is committed exactly as the code generates it (run `npm run generate -w dashboards`)', (file) => {
    expect(readFileSync(join(JSON_DIR, file), 'utf8')).toBe(renderDashboard(DASHBOARDS[file]));
  });

  it.each(Object.keys(DASHBOARDS))('every panel of %s queries the selected data source', (file) => {
    const panels = panelsOf(file);
    expect(panels.length).toBeGreaterThan(0);
    for (const panel of panels) {
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.datasource.uid).toBe('${datasource}');
        expect(target.expr).toMatch(/\S/);
      }
    }
  });

  it.each(Object.keys(DASHBOARDS))('every time-series panel of %s shows its legend, so each line is named', (file) => {
    const graphs = panelsOf(file).filter((p) => p.type === 'timeseries');
    expect(graphs.length).toBeGreaterThan(0);
    expect(graphs.filter((p) => p.options?.legend?.showLegend !== true).map((p) => p.title)).toEqual([]);
  });

  it('links every cost-by-dimension panel to the traces in Jaeger', () => {
    const costPanels = panelsOf('ai-cost.json').filter((p) => p.title.startsWith('Cost by'));
    expect(costPanels.map((p) => p.title)).toEqual(['Cost by provider', 'Cost by model', 'Cost by type', 'Cost by agent', 'Cost by feature']);
    for (const panel of costPanels) {
      expect(panel.fieldConfig?.defaults?.links?.[0]?.url).toContain('${jaeger_url}/search?service=${__field.labels.service}');
    }
  });

  it('filters the cost and performance panels by the service, provider and model variables', () => {
    for (const file of ['ai-cost.json', 'llm-performance.json']) {
      const filtered = panelsOf(file).filter((p) => p.targets?.some((t) => t.expr.includes('$model')));
      expect(filtered.length).toBeGreaterThan(3);
    }
  });
});
