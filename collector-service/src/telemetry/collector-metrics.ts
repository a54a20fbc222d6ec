import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Counter, Histogram } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  METRIC_TOKENLEDGER_CALLS,
  METRIC_TOKENLEDGER_COST_USD,
  METRIC_TOKENLEDGER_INGEST_BATCH_DURATION,
  METRIC_TOKENLEDGER_INGEST_IGNORED_VALUES,
  METRIC_TOKENLEDGER_INGEST_REJECTED_REQUESTS,
  METRIC_TOKENLEDGER_INGEST_SPANS,
  METRIC_TOKENLEDGER_PROVIDER_BILL_SYNCS,
  METRIC_TOKENLEDGER_STORE_ERRORS,
  METRIC_TOKENLEDGER_TOKENS,
  METRIC_TOKENLEDGER_UNPRICED_CALLS,
  ATTR_TOKENLEDGER_COST_PROVIDED_USD,
} from '@tokenledger/semconv';
import { BILLED_PROVIDERS, type BilledProvider } from '../billing/billed-day';
import { REJECTION_REASONS, type RejectionReason } from '../ingest/ingest-rejections';
import type { SpanWarning } from '../ingest/span-input';
import { addSums, type Sums, zeroSums } from '../storage/rollup-measures';
import type { SummaryLine } from '../ingest/stored-summary';
import { TOKEN_KINDS, type TokenKind } from '../usage/usage-record';
import { callLabels, costLabels, LABEL, type Labels } from './metric-labels';
import type { TelemetryConfig } from './telemetry-config';
import { ZeroFirstSeries } from './zero-first';

const NANOS_PER_USD = 1e9;
/** Batch latency buckets (seconds): a stored batch takes milliseconds; seconds mean the store is struggling. */
const BATCH_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The `kind` label of tokenledger_tokens_total. `input` includes the cache kinds and `output` includes reasoning, as in the GenAI conventions. */
const KIND_LABEL: Record<TokenKind, string> = {
  input: 'input',
  output: 'output',
  cacheRead: 'cache_read',
  cacheWrite: 'cache_write',
  reasoning: 'reasoning',
};

export const SPAN_OUTCOMES = ['accepted', 'duplicate', 'rejected', 'ignored'] as const;
export type SpanOutcome = (typeof SPAN_OUTCOMES)[number];

/**
 * The collector's own OpenTelemetry metrics, read by Prometheus from GET /metrics. Each app instance
 * has its own MeterProvider (not the global one), so two services in one process never mix figures.
 *
 * Cost is a float here: right for graphs and alert thresholds, wrong for invoices. The exact amount
 * (integer nano-USD) is what the report API serves.
 *
 * Every counter series is exposed at 0 before it counts anything (ZeroFirstSeries): those with fixed
 * labels from the first scrape on, the others (per model, service, ...) from the first event, whose
 * amount shows from the scrape after. So `increase()` and the alert rules see every first event.
 */
export class CollectorMetrics {
  private readonly exporter = new PrometheusExporter({ preventServerStart: true });
  // Named, so target_info says which service these series come from (not `unknown_service:node`).
  private readonly provider = new MeterProvider({ readers: [this.exporter], resource: resourceFromAttributes({ 'service.name': 'tokenledger-collector' }) });
  /** The service's meter; other observers (budget gauges) add their instruments to it. */
  readonly meter = this.provider.getMeter('@tokenledger/collector-service');

  private readonly cost: Counter = this.meter.createCounter(METRIC_TOKENLEDGER_COST_USD, {
    unit: 'USD',
    description: 'Cost of priced AI calls stored (float for graphs; exact nano-USD amounts come from the report API)',
  });
  private readonly tokens: Counter = this.meter.createCounter(METRIC_TOKENLEDGER_TOKENS, {
    unit: '{token}',
    description: 'Tokens of stored AI calls, by kind',
  });
  private readonly calls: Counter = this.meter.createCounter(METRIC_TOKENLEDGER_CALLS, { unit: '{call}', description: 'Stored AI calls, by status' });
  private readonly unpriced: Counter = this.meter.createCounter(METRIC_TOKENLEDGER_UNPRICED_CALLS, {
    unit: '{call}',
    description: 'Stored AI calls with no price (cost unknown, never counted as $0), by model',
  });
  private readonly spans: Counter = this.meter.createCounter(METRIC_TOKENLEDGER_INGEST_SPANS, {
    unit: '{span}',
    description: 'Spans received on /v1/traces, by outcome: accepted (stored now), duplicate (already stored), rejected (invalid), ignored (not a GenAI call)',
  });
  private readonly ignoredValues: Counter = this.meter.createCounter(METRIC_TOKENLEDGER_INGEST_IGNORED_VALUES, {
    unit: '{value}',
    description: 'Attribute values of stored spans left unused because they could not be read (the sender was told in partialSuccess), by attribute',
  });
  private readonly batchDuration: Histogram = this.meter.createHistogram(METRIC_TOKENLEDGER_INGEST_BATCH_DURATION, {
    unit: 's',
    description: 'Time to decode, price and durably store one OTLP request',
    advice: { explicitBucketBoundaries: BATCH_DURATION_BUCKETS },
  });
  private readonly storeErrors: Counter = this.meter.createCounter(METRIC_TOKENLEDGER_STORE_ERRORS, {
    unit: '{error}',
    description: 'Failed writes to the store',
  });
  private readonly rejectedRequests: Counter = this.meter.createCounter(METRIC_TOKENLEDGER_INGEST_REJECTED_REQUESTS, {
    unit: '{request}',
    description:
      'OTLP requests refused as a whole, by reason: unauthenticated, forbidden, too_large, undecodable (their spans are lost), store_unavailable, pricing_stopped, busy (the sender retries)',
  });
  private readonly billSyncs: Counter = this.meter.createCounter(METRIC_TOKENLEDGER_PROVIDER_BILL_SYNCS, {
    unit: '{pull}',
    description: "Imports of a provider's bill from its admin API, by provider and outcome (success, failure: retried with backoff)",
  });
  private readonly zeroFirst = new ZeroFirstSeries();

  constructor(readonly config: TelemetryConfig) {
    for (const outcome of SPAN_OUTCOMES) this.zeroFirst.declare(this.spans, METRIC_TOKENLEDGER_INGEST_SPANS, { [LABEL.OUTCOME]: outcome });
    for (const reason of REJECTION_REASONS)
      this.zeroFirst.declare(this.rejectedRequests, METRIC_TOKENLEDGER_INGEST_REJECTED_REQUESTS, { [LABEL.REASON]: reason });
    this.zeroFirst.declare(this.storeErrors, METRIC_TOKENLEDGER_STORE_ERRORS);
    this.zeroFirst.declare(this.ignoredValues, METRIC_TOKENLEDGER_INGEST_IGNORED_VALUES, { [LABEL.ATTRIBUTE]: ATTR_TOKENLEDGER_COST_PROVIDED_USD });
    for (const provider of BILLED_PROVIDERS)
      for (const outcome of ['success', 'failure'])
        this.zeroFirst.declare(this.billSyncs, METRIC_TOKENLEDGER_PROVIDER_BILL_SYNCS, { [LABEL.PROVIDER]: provider, [LABEL.OUTCOME]: outcome });
  }

  /**
   * Counts records the store took for the first time; a retried batch's duplicates never reach here.
   * A batch's records are summed per label set first, so each series is added to once per batch, not
   * once per record (hashing the labels is most of a counter add's cost).
   */
  recordStored(lines: readonly SummaryLine[]): void {
    const add = this.zeroFirst.add.bind(this.zeroFirst);
    for (const group of groupByLabels(lines, this.config.userAllowlist).values()) {
      const { sums } = group;
      add(this.calls, METRIC_TOKENLEDGER_CALLS, sums.calls, { ...group.labels, [LABEL.STATUS]: group.status });
      for (const kind of TOKEN_KINDS) {
        if (sums[kind] > 0) add(this.tokens, METRIC_TOKENLEDGER_TOKENS, sums[kind], { ...group.labels, [LABEL.KIND]: KIND_LABEL[kind] });
      }
      if (sums.unpricedCalls > 0) add(this.unpriced, METRIC_TOKENLEDGER_UNPRICED_CALLS, sums.unpricedCalls, group.labels);
      // Nano-USD to a float only here, at the edge: the stored amount stays an exact integer.
      if (sums.calls > sums.unpricedCalls) add(this.cost, METRIC_TOKENLEDGER_COST_USD, Number(sums.costNanos) / NANOS_PER_USD, group.costLabels);
    }
  }

  recordSpans(outcome: SpanOutcome, count: number): void {
    if (count > 0) this.zeroFirst.add(this.spans, METRIC_TOKENLEDGER_INGEST_SPANS, count, { [LABEL.OUTCOME]: outcome });
  }

  recordIgnoredValues(warnings: readonly SpanWarning[]): void {
    for (const { attribute } of warnings) this.zeroFirst.add(this.ignoredValues, METRIC_TOKENLEDGER_INGEST_IGNORED_VALUES, 1, { [LABEL.ATTRIBUTE]: attribute });
  }

  recordRejectedRequest(reason: RejectionReason): void {
    this.zeroFirst.add(this.rejectedRequests, METRIC_TOKENLEDGER_INGEST_REJECTED_REQUESTS, 1, { [LABEL.REASON]: reason });
  }

  recordBatchDuration(seconds: number): void {
    this.batchDuration.record(seconds);
  }

  recordBillSync(provider: BilledProvider, ok: boolean): void {
    this.zeroFirst.add(this.billSyncs, METRIC_TOKENLEDGER_PROVIDER_BILL_SYNCS, 1, { [LABEL.PROVIDER]: provider, [LABEL.OUTCOME]: ok ? 'success' : 'failure' });
  }

  recordStoreError(): void {
    this.zeroFirst.add(this.storeErrors, METRIC_TOKENLEDGER_STORE_ERRORS, 1, {});
  }

  /** Writes the Prometheus text exposition of every metric to the response. */
  serve(request: IncomingMessage, response: ServerResponse): void {
    // Series at 0 in this scrape count from the next one, once this one has been sent whole.
    response.once('finish', this.zeroFirst.scrapeStarted());
    this.exporter.getMetricsRequestHandler(request, response);
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}

/** Stored records that share every label of every per-call series, and their rollup measures. */
interface LabelGroup {
  labels: Labels;
  costLabels: Labels;
  status: string;
  sums: Sums;
}

function groupByLabels(lines: readonly SummaryLine[], userAllowlist: ReadonlySet<string>): Map<string, LabelGroup> {
  const groups = new Map<string, LabelGroup>();
  for (const line of lines) {
    // The key from the line's fields; its labels are built once per group, not per line.
    const user = line.user && userAllowlist.has(line.user) ? line.user : '';
    const key = `${line.status}\u0000${line.costType}\u0000${line.provider}\u0000${line.model}\u0000${line.service}\u0000${line.agent ?? ''}\u0000${line.feature ?? ''}\u0000${user}`;
    let group = groups.get(key);
    if (!group) {
      group = { labels: callLabels(line), costLabels: costLabels(line, userAllowlist), status: line.status, sums: zeroSums() };
      groups.set(key, group);
    }
    addSums(group.sums, line.sums);
  }
  return groups;
}
