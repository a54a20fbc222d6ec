// What the OpenTelemetry SDK charges for the parts of a chat call's telemetry, each measured alone in
// one process, the variants taking turns round after round (CPU µs per call, median and range):
// - the span as a chat call makes it (its five start attributes, five more at its end, ended into a
//   batch span processor whose exporter drops the batch: no OTLP/JSON), with the start attributes
//   given to `startSpan` (where samplers see them, as the GenAI conventions ask), set right after it,
//   or not at all;
// - one record of `gen_ai.client.token.usage` with this instrumentation's attribute set (6 keys) and
//   with the official instrumentation's (7: it adds `server.port`), and the metrics SDK's hash of each;
// - a stubbed openai 6 chat call with OpenTelemetry's no-op tracer and meter (AsyncLocalStorage context
//   on): bare, with this instrumentation, and with the span and metric records alone (genai-floor.js),
//   which leaves each one's own code.
// Run: ./run node bench/genai-otel-parts.bench.js   (build first: ./run build); BENCH_ROUNDS (default 9),
//      BENCH_PARTS=own,span,record (a subset), BENCH_BASELINE=<dir> (another built checkout, whose
//      instrumentation's own code is measured beside this one's).
'use strict';
const api = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { BatchSpanProcessor, TracerProvider } = require('@opentelemetry/sdk-trace');
const { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
const sc = require('@tokenledger/semconv');
const { patchFloor } = require('./genai-floor');
const { loadAverage } = require('./instrumentation-harness');
const { cpuMs, median } = require('./stats');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const PARTS = process.env.BENCH_PARTS?.split(',') ?? ['own', 'span', 'record'];
const BASELINE = process.env.BENCH_BASELINE && require('node:path').resolve(process.env.BENCH_BASELINE);

/** Runs each variant (`calls` calls a timing) once a round, in turn; prints CPU µs per call. */
async function compare(title, calls, variants) {
  const figures = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(variants)) {
      const before = process.cpuUsage();
      await run(calls);
      figures[name].push((cpuMs(before) * 1000) / calls);
    }
  }
  console.log(title);
  for (const [name, xs] of Object.entries(figures))
    console.log(`  ${name.padEnd(44)}${median(xs).toFixed(2)} [${Math.min(...xs).toFixed(2)}, ${Math.max(...xs).toFixed(2)}]`);
}

function spanVariants() {
  const exporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
  const tracerProvider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter, maxQueueSize: 1_000_000, scheduledDelayMillis: 1e9 })] });
  const tracer = tracerProvider.getTracer('parts');
  const startAttributes = () => ({
    [sc.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
    [sc.ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
    [sc.ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o',
    [sc.ATTR_SERVER_ADDRESS]: 'api.openai.com',
    [sc.ATTR_SERVER_PORT]: 443,
  });
  const finish = (span, i) => {
    span.setAttribute(sc.ATTR_GEN_AI_RESPONSE_ID, 'chatcmpl-1');
    span.setAttribute(sc.ATTR_GEN_AI_RESPONSE_MODEL, 'gpt-4o-2024-08-06');
    span.setAttribute(sc.ATTR_GEN_AI_RESPONSE_FINISH_REASONS, ['stop']);
    span.setAttribute(sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS, 20);
    span.setAttribute(sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, 5);
    span.end();
    if (i % 512 === 511) tracerProvider.forceFlush(); // one batch, as the batch processor exports them
  };
  const root = api.ROOT_CONTEXT;
  const options = { kind: api.SpanKind.CLIENT };
  return {
    'start attributes given to startSpan': (calls) => {
      for (let i = 0; i < calls; i++) finish(tracer.startSpan('chat gpt-4o', { kind: api.SpanKind.CLIENT, attributes: startAttributes() }, root), i);
    },
    'start attributes set after startSpan': (calls) => {
      for (let i = 0; i < calls; i++) finish(tracer.startSpan('chat gpt-4o', options, root).setAttributes(startAttributes()), i);
    },
    'no start attributes': (calls) => {
      for (let i = 0; i < calls; i++) {
        startAttributes();
        finish(tracer.startSpan('chat gpt-4o', options, root), i);
      }
    },
  };
}

function recordVariants() {
  // Not exported by the package: read from its file, beside its index.
  const { hashAttributes } = require(require('node:path').join(require('node:path').dirname(require.resolve('@opentelemetry/sdk-metrics')), 'utils.cjs'));
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  });
  const meter = new MeterProvider({ readers: [reader] }).getMeter('parts');
  const tokens = meter.createHistogram(sc.METRIC_GEN_AI_CLIENT_TOKEN_USAGE, {
    unit: '{token}',
    advice: { explicitBucketBoundaries: [...sc.TOKEN_USAGE_BUCKETS] },
  });
  // Keys in sorted order, as this instrumentation keeps them.
  const ours = {
    [sc.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
    [sc.ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
    [sc.ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o',
    [sc.ATTR_GEN_AI_RESPONSE_MODEL]: 'gpt-4o-2024-08-06',
    [sc.ATTR_GEN_AI_TOKEN_TYPE]: 'input',
    [sc.ATTR_SERVER_ADDRESS]: 'api.openai.com',
  };
  const withPort = { ...ours, [sc.ATTR_SERVER_PORT]: 443 };
  return {
    'record, 6 attributes (this instrumentation)': (calls) => {
      for (let i = 0; i < calls; i++) tokens.record(20, ours);
    },
    'record, 7 attributes (with server.port)': (calls) => {
      for (let i = 0; i < calls; i++) tokens.record(20, withPort);
    },
    'hashAttributes alone, 6 attributes': (calls) => {
      for (let i = 0; i < calls; i++) hashAttributes(ours);
    },
    'hashAttributes alone, 7 attributes': (calls) => {
      for (let i = 0; i < calls; i++) hashAttributes(withPort);
    },
  };
}

/** A stubbed openai 6 (a fresh copy of the module each time): `create` answers a few turns later with a completion. */
function stubbedOpenAI() {
  for (const key of Object.keys(require.cache)) if (key.includes('/node_modules/openai-v6/')) delete require.cache[key];
  const sdk = require('openai-v6');
  const { APIPromise } = require('openai-v6/core/api-promise');
  const completion = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: 'gpt-4o-2024-08-06',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from gpt-4o!' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 },
  };
  const arrived = () =>
    Promise.resolve()
      .then()
      .then()
      .then(() => ({}));
  sdk.OpenAI.Chat.Completions.prototype.create = function () {
    return new APIPromise(this._client, arrived(), async () => completion);
  };
  return sdk;
}

function ownCodeVariants() {
  const noop = { tracerProvider: api.trace.getTracerProvider(), meterProvider: api.metrics.getMeterProvider() };
  const instrumented = (dir) => {
    const sdk = stubbedOpenAI();
    new (require(`${dir}/packages/instrumentation-openai/dist`).OpenAIInstrumentation)({ enabled: false }).patch(sdk);
    return sdk;
  };
  const clients = {
    'bare SDK': stubbedOpenAI(),
    'this instrumentation': instrumented(require('node:path').join(__dirname, '..')),
    ...(BASELINE && { 'the baseline checkout': instrumented(BASELINE) }),
    'span and metrics alone (genai-floor.js)': patchFloor(stubbedOpenAI(), noop),
  };
  const messages = [{ role: 'user', content: 'Say hello in one short sentence, please.' }];
  return Object.fromEntries(
    Object.entries(clients).map(([name, sdk]) => {
      const client = new sdk.OpenAI({ apiKey: 'k', baseURL: 'https://api.openai.com/v1', maxRetries: 0 });
      return [
        name,
        async (calls) => {
          for (let i = 0; i < calls; i++) await client.chat.completions.create({ model: 'gpt-4o', messages });
        },
      ];
    }),
  );
}

async function main() {
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const load = loadAverage();
  // The no-op part first: the global providers are still OpenTelemetry's no-op ones.
  const ownCode = PARTS.includes('own') && ownCodeVariants();
  console.log(`CPU µs per call, median [min, max] of ${ROUNDS} rounds, the variants taking turns; Node ${process.version}`);
  if (ownCode) await compare('A stubbed openai 6 chat call, OpenTelemetry no-op (20,000 calls a timing)', 20_000, ownCode);
  if (PARTS.includes('span')) await compare('A chat span, exported to nothing (100,000 spans a timing)', 100_000, spanVariants());
  if (PARTS.includes('record')) await compare('One token usage record (200,000 a timing)', 200_000, recordVariants());
  console.log(`load average ${load} → ${loadAverage()}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
