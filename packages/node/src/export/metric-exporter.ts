import { AggregationTemporality, type AggregationOption, AggregationType, InstrumentType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { OtlpExporter } from './otlp-exporter';
import type { OtlpProtocol } from './transport';

/** Instruments reported as deltas under each OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE (the OTLP exporter specification's table). */
const DELTA: Record<string, ReadonlySet<InstrumentType>> = {
  cumulative: new Set(),
  delta: new Set([InstrumentType.COUNTER, InstrumentType.OBSERVABLE_COUNTER, InstrumentType.HISTOGRAM]),
  lowmemory: new Set([InstrumentType.COUNTER, InstrumentType.HISTOGRAM]),
};

/**
 * The OTLP metric exporter: the background sending of OtlpExporter, plus the temporality and
 * histogram aggregation the OTEL_EXPORTER_OTLP_METRICS_* variables ask for. The metric reader asks
 * for these when the instrumentations create their instruments, at start: answered here from the
 * environment, so no exporter code is loaded for it.
 */
export class OtlpMetricExporter extends OtlpExporter<ResourceMetrics> {
  private readonly delta: ReadonlySet<InstrumentType>;
  private readonly exponentialHistograms: boolean;

  constructor(protocol: OtlpProtocol, env: NodeJS.ProcessEnv = process.env) {
    super('metrics', protocol);
    const preference = (env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE ?? 'cumulative').trim().toLowerCase();
    this.delta = DELTA[preference] ?? DELTA.cumulative;
    this.exponentialHistograms =
      (env.OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION ?? '').trim().toLowerCase() === 'base2_exponential_bucket_histogram';
  }

  selectAggregationTemporality(instrument: InstrumentType): AggregationTemporality {
    return this.delta.has(instrument) ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
  }

  selectAggregation(instrument: InstrumentType): AggregationOption {
    return this.exponentialHistograms && instrument === InstrumentType.HISTOGRAM
      ? { type: AggregationType.EXPONENTIAL_HISTOGRAM }
      : { type: AggregationType.DEFAULT };
  }
}
