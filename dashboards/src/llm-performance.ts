import { DashboardBuilder, type Dashboard, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceVariable, filterVariables, GEN_AI_FILTER, series, timeseries } from './common';

const DURATION = 'gen_ai_client_operation_duration_seconds';
const TIME_TO_FIRST_CHUNK = 'gen_ai_client_operation_time_to_first_chunk_seconds';
const TOKEN_USAGE = 'gen_ai_client_token_usage';

const quantiles = (metric: string) =>
  [0.5, 0.95, 0.99].map((q, i) =>
    series(
      `histogram_quantile(${q}, sum by (le, gen_ai_request_model) (rate(${metric}_bucket{${GEN_AI_FILTER}}[$__rate_interval])))`,
      `p${q * 100} {{gen_ai_request_model}}`,
      String.fromCharCode(65 + i),
    ),
  );

/** Latency, time to first chunk, errors and throughput from the apps' own gen_ai.client.* metrics. */
export function llmPerformanceDashboard(): Dashboard {
  return new DashboardBuilder('LLM performance')
    .uid('tokenledger-llm-performance')
    .tags(['tokenledger', 'genai'])
    .refresh('1m')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .variables([
      datasourceVariable(),
      ...filterVariables(`${DURATION}_count`, { service: 'service_name', provider: 'gen_ai_provider_name', model: 'gen_ai_request_model' }),
    ])
    .withRow(new RowBuilder('Latency'))
    .withPanel(timeseries().title('Operation duration p50 / p95 / p99 by model').unit('s').targets(quantiles(DURATION)).height(9).span(12))
    .withPanel(timeseries().title('Time to first chunk p50 / p95 / p99 (streams)').unit('s').targets(quantiles(TIME_TO_FIRST_CHUNK)).height(9).span(12))
    .withRow(new RowBuilder('Errors and throughput'))
    .withPanel(
      timeseries()
        .title('Errors by error.type')
        .unit('reqps')
        .withTarget(series(`sum by (error_type) (rate(${DURATION}_count{${GEN_AI_FILTER}, error_type!=""}[$__rate_interval]))`, '{{error_type}}'))
        .height(8)
        .span(12),
    )
    .withPanel(
      timeseries()
        .title('Output tokens per second of generation')
        .description('Output tokens divided by the time spent in calls, per model.')
        .unit('short')
        .withTarget(
          series(
            `sum by (gen_ai_request_model) (rate(${TOKEN_USAGE}_sum{${GEN_AI_FILTER}, gen_ai_token_type="output"}[$__rate_interval]))` +
              ` / sum by (gen_ai_request_model) (rate(${DURATION}_sum{${GEN_AI_FILTER}}[$__rate_interval]))`,
            '{{gen_ai_request_model}}',
          ),
        )
        .height(8)
        .span(12),
    )
    .withPanel(
      timeseries()
        .title('Tokens per second by type')
        .unit('short')
        .withTarget(series(`sum by (gen_ai_token_type) (rate(${TOKEN_USAGE}_sum{${GEN_AI_FILTER}}[$__rate_interval]))`, '{{gen_ai_token_type}}'))
        .height(8)
        .span(24),
    )
    .build();
}
