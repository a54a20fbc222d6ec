import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { aiCostDashboard } from './ai-cost';
import { llmPerformanceDashboard } from './llm-performance';
import { serviceDashboard } from './service';

/** Every dashboard, by the file name of its generated JSON under dashboards/grafana/json. */
export const DASHBOARDS: Record<string, () => Dashboard> = {
  'ai-cost.json': aiCostDashboard,
  'llm-performance.json': llmPerformanceDashboard,
  'tokenledger-service.json': serviceDashboard,
};

/** The JSON Grafana provisions: stable key order, two-space indent, trailing newline. */
export function renderDashboard(build: () => Dashboard): string {
  return `${JSON.stringify(build(), null, 2)}\n`;
}
