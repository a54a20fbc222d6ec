import { context, DiagConsoleLogger, diag, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, diagLogLevelFromString, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  type Resource,
  type ResourceDetector,
  serviceInstanceIdDetector,
} from '@opentelemetry/resources';
import { ConsoleMetricExporter, type MetricReader, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  type ReadableSpan,
  type Sampler,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { OtlpMetricExporter } from './export/metric-exporter';
import { OtlpExporter } from './export/otlp-exporter';
import { notice } from './notice';
import { exportersFor, positiveNumber, propagatorNames } from './sdk-settings';

export interface RunningSdk {
  /** Exports what the providers hold and waits until it is sent. */
  flush: () => Promise<void>;
  /** Flushes, then stops the providers and their exporters. */
  shutdown: () => Promise<void>;
  /** Called when the app stopped waiting for the exports still in flight: says why each is not through. */
  abandon: (waitedMs: number) => void;
}

/**
 * OpenTelemetry for the hook, built from the SDK's parts for what the environment configures: an OTLP
 * exporter (gRPC, or HTTP with protobuf or JSON) or the console one for spans and metrics, W3C
 * propagation, the resource, the sampler. Only those parts are loaded, and the exporters' own code
 * only at their first export: `@opentelemetry/sdk-node` loads every exporter it could configure
 * (gRPC, Zipkin, Prometheus, logs) at every start.
 */
export function startSdk(instrumentations: Instrumentation[], env: NodeJS.ProcessEnv = process.env): RunningSdk {
  const logLevel = env.OTEL_LOG_LEVEL?.trim();
  if (logLevel) diag.setLogger(new DiagConsoleLogger(), { logLevel: diagLogLevelFromString(logLevel) });

  const contextManager = new AsyncLocalStorageContextManager();
  contextManager.enable();
  context.setGlobalContextManager(contextManager);
  const propagators = propagatorNames(env).map((name) => (name === 'tracecontext' ? new W3CTraceContextPropagator() : new W3CBaggagePropagator()));
  if (propagators.length) propagation.setGlobalPropagator(new CompositePropagator({ propagators }));

  const resource = resourceFromEnv(env);
  const spanExporters: SpanExporter[] = [];
  const metricExporters: PushMetricExporter[] = [];
  const otlpExporters: OtlpExporter<unknown>[] = [];

  const readers: MetricReader[] = exportersFor(env, 'METRICS').map((choice) => {
    const exporter = choice.kind === 'otlp' ? new OtlpMetricExporter(choice.protocol, env) : new ConsoleMetricExporter();
    metricExporters.push(exporter);
    if (exporter instanceof OtlpMetricExporter) otlpExporters.push(exporter);
    const exportIntervalMillis = positiveNumber(env, 'OTEL_METRIC_EXPORT_INTERVAL') ?? 60_000;
    const exportTimeoutMillis = Math.min(positiveNumber(env, 'OTEL_METRIC_EXPORT_TIMEOUT') ?? 30_000, exportIntervalMillis);
    return new PeriodicExportingMetricReader({ exporter, exportIntervalMillis, exportTimeoutMillis });
  });
  const meterProvider = readers.length ? new MeterProvider({ resource, readers }) : undefined;
  if (meterProvider) metrics.setGlobalMeterProvider(meterProvider);

  const spanProcessors: SpanProcessor[] = exportersFor(env, 'TRACES').map((choice) => {
    if (choice.kind === 'console') return new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() });
    const exporter = new OtlpExporter<ReadableSpan[]>('spans', choice.protocol);
    spanExporters.push(exporter);
    otlpExporters.push(exporter);
    return new BatchSpanProcessor({
      exporter,
      maxQueueSize: positiveNumber(env, 'OTEL_BSP_MAX_QUEUE_SIZE'),
      scheduledDelayMillis: positiveNumber(env, 'OTEL_BSP_SCHEDULE_DELAY'),
      exportTimeoutMillis: positiveNumber(env, 'OTEL_BSP_EXPORT_TIMEOUT'),
      maxExportBatchSize: positiveNumber(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
    });
  });
  // With traces on, the gRPC transport opens once the first span has ended, ahead of the first export.
  if (spanProcessors.length && otlpExporters.some((e) => e.protocol === 'grpc'))
    spanProcessors.push(afterFirstSpan(() => otlpExporters.forEach((e) => e.warmUp())));
  const tracerProvider = spanProcessors.length
    ? new TracerProvider({ resource, spanProcessors, sampler: samplerFromEnv(env), spanLimits: spanLimitsFromEnv(env) })
    : undefined;
  if (tracerProvider) trace.setGlobalTracerProvider(tracerProvider);

  registerInstrumentations({ instrumentations, tracerProvider, meterProvider });

  const flush = async () => {
    await Promise.all([tracerProvider?.forceFlush(), meterProvider?.forceFlush()]);
    // The batch processor does not wait for its exporter: the exporters hold what is still in flight.
    await Promise.all([...spanExporters, ...metricExporters].map(async (e) => e.forceFlush?.()));
  };
  return {
    flush,
    shutdown: async () => {
      await Promise.all([tracerProvider?.shutdown(), meterProvider?.shutdown()]);
    },
    abandon: (waitedMs) => otlpExporters.forEach((e) => e.reportUnsent(waitedMs)),
  };
}

/** A span processor that runs `then` once, after the first span ends, outside the call that ended it. */
function afterFirstSpan(then: () => void): SpanProcessor {
  let waiting = true;
  return {
    onStart: () => {},
    onEnd: () => {
      if (waiting) setImmediate(then).unref();
      waiting = false;
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}

const DETECTORS: Record<string, ResourceDetector> = {
  env: envDetector,
  host: hostDetector,
  os: osDetector,
  process: processDetector,
  serviceinstance: serviceInstanceIdDetector,
};

/** The SDK's default resource, with the detectors OTEL_NODE_RESOURCE_DETECTORS names (default all). */
function resourceFromEnv(env: NodeJS.ProcessEnv): Resource {
  const names = (env.OTEL_NODE_RESOURCE_DETECTORS ?? 'all')
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean);
  const detectors = names.includes('none')
    ? []
    : names.includes('all')
      ? Object.values(DETECTORS)
      : names.flatMap(
          (name) =>
            DETECTORS[name] ??
            (notice(`OTEL_NODE_RESOURCE_DETECTORS=${name} is not a resource detector (env, host, os, process, serviceinstance, all, none); it is ignored.`),
            []),
        );
  return detectors.length ? defaultResource().merge(detectResources({ detectors })) : defaultResource();
}

/** OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG, as the specification names them; unset: parent-based always-on. */
function samplerFromEnv(env: NodeJS.ProcessEnv): Sampler | undefined {
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  if (!name) return undefined;
  const ratio = () => {
    const value = Number(env.OTEL_TRACES_SAMPLER_ARG ?? 1);
    return Number.isFinite(value) && value >= 0 && value <= 1
      ? value
      : (notice(`OTEL_TRACES_SAMPLER_ARG=${env.OTEL_TRACES_SAMPLER_ARG} is not a ratio between 0 and 1; 1 is used.`), 1);
  };
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    default:
      notice(
        `OTEL_TRACES_SAMPLER=${name} is not a sampler the hook knows (always_on, always_off, traceidratio and their parentbased_ forms); parentbased_always_on is used.`,
      );
      return undefined;
  }
}

function spanLimitsFromEnv(env: NodeJS.ProcessEnv) {
  return {
    attributeCountLimit: positiveNumber(env, 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT') ?? positiveNumber(env, 'OTEL_ATTRIBUTE_COUNT_LIMIT'),
    attributeValueLengthLimit: positiveNumber(env, 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? positiveNumber(env, 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'),
    eventCountLimit: positiveNumber(env, 'OTEL_SPAN_EVENT_COUNT_LIMIT'),
    linkCountLimit: positiveNumber(env, 'OTEL_SPAN_LINK_COUNT_LIMIT'),
  };
}
