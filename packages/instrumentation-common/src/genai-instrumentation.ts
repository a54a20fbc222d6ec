import type { Tracer } from '@opentelemetry/api';
import { InstrumentationBase, type InstrumentationConfig } from '@opentelemetry/instrumentation';
import { GenAiMetrics } from './genai-metrics';

/** The settings the shared wiring reads; each instrumentation's config documents them for its SDK. */
export interface GenAiInstrumentationConfig extends InstrumentationConfig {
  captureMessageContent?: boolean;
  providerName?: string;
}

/** What every surface reads from the instrumentation, late (the tracer and meter can be replaced). */
export interface GenAiSurfaceContext {
  tracer: () => Tracer;
  metrics: () => GenAiMetrics;
  captureContent: () => boolean;
  providerName: () => string | undefined;
}

/**
 * The wiring every tokenledger instrumentation shares: the GenAI client metrics, remade whenever the
 * meter provider changes, and the context its surfaces read the tracer, metrics and settings from.
 */
export abstract class GenAiInstrumentation<Config extends GenAiInstrumentationConfig> extends InstrumentationBase<Config> {
  // `declare`: the base constructor already calls _updateMetricInstruments(); a class field would
  // reset the instruments it created to undefined right after.
  declare private genAiMetrics: GenAiMetrics | undefined;

  protected override _updateMetricInstruments(): void {
    this.genAiMetrics = new GenAiMetrics(this.meter);
  }

  /** Whether to capture content when the config does not say: read at each call, so a change applies at once. */
  protected captureContentByDefault(): boolean {
    return process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT === 'true';
  }

  protected surfaceContext(): GenAiSurfaceContext {
    return {
      tracer: () => this.tracer,
      metrics: () => (this.genAiMetrics ??= new GenAiMetrics(this.meter)),
      captureContent: () => this.getConfig().captureMessageContent ?? this.captureContentByDefault(),
      providerName: () => this.getConfig().providerName,
    };
  }
}
