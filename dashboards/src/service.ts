import { DashboardBuilder, type Dashboard, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { datasourceVariable, instant, series } from './common';

/** The collector service itself: is it up, how much it ingests, what it rejects, how fast it stores. */
export function serviceDashboard(): Dashboard {
  return new DashboardBuilder('tokenledger service')
    .uid('tokenledger-service')
    .tags(['tokenledger', 'operations'])
    .refresh('30s')
    .time({ from: 'now-3h', to: 'now' })
    .timezone('browser')
    .variables([datasourceVariable()])
    .withRow(new RowBuilder('Health'))
    .withPanel(new StatPanelBuilder().title('Collector service up').withTarget(instant('min(up{job="tokenledger-collector"})')).height(4).span(6))
    .withPanel(
      new StatPanelBuilder()
        .title('Rejected spans')
        .unit('percentunit')
        .withTarget(
          // Counters appear at their first increment: no rejected series yet means none rejected (0, not "No data").
          instant(
            '(sum(increase(tokenledger_ingest_spans_total{outcome="rejected"}[$__range])) or vector(0)) / sum(increase(tokenledger_ingest_spans_total[$__range]))',
          ),
        )
        .height(4)
        .span(6),
    )
    .withPanel(new StatPanelBuilder().title('Store errors').withTarget(instant('sum(increase(tokenledger_store_errors_total[$__range])) or vector(0)')).height(4).span(6))
    .withPanel(
      new StatPanelBuilder()
        .title('Exporter failures (Collector)')
        .withTarget(instant('sum(increase(otelcol_exporter_send_failed_spans_total[$__range])) or vector(0)'))
        .height(4)
        .span(6),
    )
    .withRow(new RowBuilder('Ingest'))
    .withPanel(
      new TimeseriesPanelBuilder()
        .title('Spans received by outcome')
        .unit('short')
        .withTarget(series('sum by (outcome) (rate(tokenledger_ingest_spans_total[$__rate_interval]))', '{{outcome}}'))
        .height(8)
        .span(12),
    )
    .withPanel(
      new TimeseriesPanelBuilder()
        .title('Batch latency p50 / p95')
        .unit('s')
        .targets([
          series('histogram_quantile(0.5, sum by (le) (rate(tokenledger_ingest_batch_duration_bucket[$__rate_interval])))', 'p50', 'A'),
          series('histogram_quantile(0.95, sum by (le) (rate(tokenledger_ingest_batch_duration_bucket[$__rate_interval])))', 'p95', 'B'),
        ])
        .height(8)
        .span(12),
    )
    .build();
}
