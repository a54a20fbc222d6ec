import * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  ConstantVariableBuilder,
  type DashboardLink,
  DashboardLinkBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { LegendDisplayMode, LegendPlacement, VizLegendOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/** Every panel queries the datasource the `datasource` variable selects. */
export const PROMETHEUS = { type: 'prometheus', uid: '${datasource}' };

/**
 * Label filters for the template variables. The collector service's own metrics carry plain labels
 * (`service`, `provider`, `model`); the apps' gen_ai.* metrics arrive through Prometheus' OTLP
 * receiver, which turns attribute dots into underscores and promotes `service.name`.
 */
export const COST_FILTER = 'service=~"$service", provider=~"$provider", model=~"$model"';
export const GEN_AI_FILTER = 'service_name=~"$service", gen_ai_provider_name=~"$provider", gen_ai_request_model=~"$model"';

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');
}

function labelVariable(name: string, label: string, query: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(PROMETHEUS)
    .query({ query, refId: name, qryType: 1 })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*');
}

/** service, provider and model, each from the metric the dashboard is about. */
export function filterVariables(metric: string, labels: { service: string; provider: string; model: string }) {
  return [
    labelVariable('service', 'Service', `label_values(${metric}, ${labels.service})`),
    labelVariable('provider', 'Provider', `label_values(${metric}, ${labels.provider})`),
    labelVariable('model', 'Model', `label_values(${metric}, ${labels.model})`),
  ];
}

/** Where cost panels link to: the Jaeger UI (set the constant to your Jaeger's public URL). */
export function jaegerUrlVariable(): ConstantVariableBuilder {
  return new ConstantVariableBuilder('jaeger_url').label('Jaeger URL').value('http://localhost:16686');
}

/** A data link from a series to its service's GenAI traces in Jaeger, over the panel's time range (Jaeger takes microseconds). */
export function tracesInJaeger(): cog.Builder<DashboardLink>[] {
  return [
    new DashboardLinkBuilder('Traces in Jaeger')
      .url('${jaeger_url}/search?service=${__field.labels.service}&start=${__from}000&end=${__to}000&limit=100')
      .targetBlank(true),
  ];
}

/** A range query over time. */
export function series(expr: string, legend: string, refId = 'A'): DataqueryBuilder {
  return new DataqueryBuilder().datasource(PROMETHEUS).expr(expr).legendFormat(legend).range().refId(refId);
}

/** An instant query: one value per series, for stats, gauges and tables. */
export function instant(expr: string, legend = '__auto', refId = 'A'): DataqueryBuilder {
  return new DataqueryBuilder().datasource(PROMETHEUS).expr(expr).legendFormat(legend).instant().refId(refId);
}

/**
 * A time-series panel with its legend shown (the SDK hides it by default): a graph of several series
 * is unreadable without the names of its lines.
 */
export function timeseries(): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder().legend(
    new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom),
  );
}
