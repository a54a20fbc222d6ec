import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DASHBOARDS_DIR = join(__dirname, '..', '..', '..', 'dashboards', 'grafana', 'json');

interface Panel {
  title?: string;
  panels?: Panel[];
  targets?: { expr?: string }[];
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

/** Every PromQL expression of every panel of every generated dashboard, rows included. */
export function panelQueries(): PanelQuery[] {
  const queries: PanelQuery[] = [];
  for (const file of readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json'))) {
    const dashboard = JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8')) as { title: string; panels: Panel[] };
    const walk = (panels: Panel[]) => {
      for (const panel of panels) {
        if (panel.panels) walk(panel.panels);
        for (const target of panel.targets ?? []) if (target.expr) queries.push({ dashboard: dashboard.title, panel: panel.title ?? '', expr: target.expr });
      }
    };
    walk(dashboard.panels);
  }
  return queries;
}

/**
 * What Grafana sends for a query: template variables and its range/interval macros replaced. The rate
 * window is 5 minutes so the app's pushed points, which stop when it exits, stay inside it.
 */
export function fillVariables(expr: string, values: Record<string, string>): string {
  return expr
    .replace(/\$__rate_interval/g, '5m')
    .replace(/\$__range/g, '1h')
    .replace(/\$\{?(\w+)\}?/g, (whole, name: string) => values[name] ?? whole);
}
