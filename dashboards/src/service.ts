import { DashboardBuilder, type Dashboard, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { datasourceVariable, instant, series, timeseries } from './common';

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
          // Before the first scrape there is no series yet: that reads as 0, not "No data".
          instant(
            '(sum(increase(tokenledger_ingest_spans_total{outcome="rejected"}[$__range])) or vector(0)) / sum(increase(tokenledger_ingest_spans_total[$__range]))',
          ),
        )
        .height(4)
        .span(6),
    )
    .withPanel(
      new StatPanelBuilder()
        .title('Store errors')
        .withTarget(instant('sum(increase(tokenledger_store_errors_total[$__range])) or vector(0)'))
        .height(4)
        .span(6),
    )
    .withPanel(
      new StatPanelBuilder()
        .title('Exporter failures (Collector)')
        .withTarget(instant('sum(increase(otelcol_exporter_send_failed_spans_total[$__range])) or vector(0)'))
        .height(4)
        .span(6),
    )
    .withRow(new RowBuilder('Ingest'))
    .withPanel(
      timeseries()
        .title('Spans received by outcome')
        .unit('short')
        .withTarget(series('sum by (outcome) (rate(tokenledger_ingest_spans_total[$__rate_interval]))', '{{outcome}}'))
        .height(8)
        .span(12),
    )
    .withPanel(
      timeseries()
        .title('Batch latency p50 / p95')
        .unit('s')
        .targets([
          series('histogram_quantile(0.5, sum by (le) (rate(tokenledger_ingest_batch_duration_bucket[$__rate_interval])))', 'p50', 'A'),
          series('histogram_quantile(0.95, sum by (le) (rate(tokenledger_ingest_batch_duration_bucket[$__rate_interval])))', 'p95', 'B'),
        ])
        .height(8)
        .span(12),
    )
    .withPanel(
      timeseries()
        .title('OTLP requests refused, by reason')
        .description(
          "Whole requests refused: their spans are lost (unauthenticated, forbidden, too_large, undecodable) or retried by the sender (store_unavailable). The collector service's log names the key and what to do.",
        )
        .unit('reqps')
        .withTarget(series('sum by (reason) (rate(tokenledger_ingest_rejected_requests_total[$__rate_interval]))', '{{reason}}'))
        .height(8)
        .span(24),
    )
    .build();
}
