// The least an instrumentation can cost that records what @tokenledger/instrumentation-openai records
// for a chat call, a stream and an embeddings call of the stubbed benchmark: the same span (name, kind,
// start and end attributes, the span active while the SDK runs) and the same metric records with the
// same attribute sets, and nothing else: no request reading beyond the model, no attribution, no call
// gate, no fault guard, no APIPromise kept as the SDK's own (the patched method is an async function).
// Measured beside the instrumentations (BENCH_FLOOR=1 in instrumentation.openai.bench.js), it says how
// much of an instrumentation's overhead is the OpenTelemetry SDK's work for that telemetry, which any
// instrumentation emitting it pays. Its parts (BENCH_FLOOR=parts) say what each of those records costs: the
// same with fewer metric records, or without the span made active while the SDK runs, which is what an
// instrumentation would have to drop to cost less than the floor.
'use strict';

const { context, trace, SpanKind } = require('@opentelemetry/api');
// The names read once, as the instrumentation reads them: the package's exports are getters.
const {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ...sc
} = require('@tokenledger/semconv');

const SCOPE = 'span-and-metrics-floor';

/**
 * What a floor makes: `records` 'all' (duration and token usage, as the instrumentation), 'duration'
 * (no token usage records) or 'none' (the span alone); `active` false: the SDK runs in the caller's
 * context (its own spans would not be children of the call's).
 */
const FULL = { records: 'all', active: true };

/** Patches `create` of a (stubbed) openai SDK's chat completions and embeddings. */
function patchFloor(sdk, telemetry, { records, active } = FULL) {
  const tracer = telemetry.tracerProvider.getTracer(SCOPE);
  const meter = telemetry.meterProvider.getMeter(SCOPE);
  const histogram = (name, unit, buckets) => meter.createHistogram(name, { unit, advice: { explicitBucketBoundaries: [...buckets] } });
  const tokens = histogram(sc.METRIC_GEN_AI_CLIENT_TOKEN_USAGE, '{token}', sc.TOKEN_USAGE_BUCKETS);
  const duration = histogram(sc.METRIC_GEN_AI_CLIENT_OPERATION_DURATION, 's', sc.OPERATION_DURATION_BUCKETS);
  const firstChunk = histogram(sc.METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK, 's', sc.TIME_TO_FIRST_CHUNK_BUCKETS);
  // One model per operation in the benchmark: the metric attribute sets are made once, sorted, as ours are.
  const sets = new Map();
  const setsOf = (operation, model) => {
    if (!sets.has(operation)) {
      const call = {
        [ATTR_GEN_AI_OPERATION_NAME]: operation,
        [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
        [ATTR_GEN_AI_REQUEST_MODEL]: model,
        [ATTR_GEN_AI_RESPONSE_MODEL]: model,
        [ATTR_SERVER_ADDRESS]: 'api.openai.com',
      };
      const sorted = (a) =>
        Object.fromEntries(
          Object.keys(a)
            .sort()
            .map((k) => [k, a[k]]),
        );
      sets.set(operation, {
        call: sorted(call),
        input: sorted({ ...call, [ATTR_GEN_AI_TOKEN_TYPE]: 'input' }),
        output: sorted({ ...call, [ATTR_GEN_AI_TOKEN_TYPE]: 'output' }),
      });
    }
    return sets.get(operation);
  };

  function end(span, operation, model, startMs, firstChunkMs, r) {
    if (r.id) span.setAttribute(ATTR_GEN_AI_RESPONSE_ID, r.id);
    span.setAttribute(ATTR_GEN_AI_RESPONSE_MODEL, r.model);
    if (r.finishReasons.length) span.setAttribute(ATTR_GEN_AI_RESPONSE_FINISH_REASONS, r.finishReasons);
    span.setAttribute(ATTR_GEN_AI_USAGE_INPUT_TOKENS, r.input);
    if (r.output !== undefined) span.setAttribute(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, r.output);
    span.end();
    if (records === 'none') return;
    const s = setsOf(operation, model);
    duration.record((performance.now() - startMs) / 1000, s.call);
    if (firstChunkMs >= 0) firstChunk.record((firstChunkMs - startMs) / 1000, s.call);
    if (records === 'duration') return;
    tokens.record(r.input, s.input);
    if (r.output !== undefined) tokens.record(r.output, s.output);
  }

  /** A stream's chunks seen with one promise reaction each; the span ends with the last one. */
  function observeStream(stream, span, model, startMs) {
    const iterator = stream.iterator;
    stream.iterator = function () {
      const inner = iterator.call(this);
      const seen = { id: undefined, model, finishReasons: [], input: undefined, output: undefined };
      let firstChunkMs = -1;
      const see = (result) => {
        if (result.done) return end(span, 'chat', model, startMs, firstChunkMs, seen);
        const chunk = result.value;
        if (firstChunkMs < 0) {
          firstChunkMs = performance.now();
          span.setAttribute(ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, (firstChunkMs - startMs) / 1000);
          seen.id = chunk.id;
          seen.model = chunk.model;
        }
        const reason = chunk.choices?.[0]?.finish_reason;
        if (reason) seen.finishReasons.push(reason);
        if (chunk.usage) {
          seen.input = chunk.usage.prompt_tokens;
          seen.output = chunk.usage.completion_tokens;
        }
      };
      return {
        next() {
          const next = inner.next();
          next.then(see, () => span.end());
          return next;
        },
        return: (value) => inner.return(value),
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    };
  }

  function wrap(proto, operation) {
    const original = proto.create;
    proto.create = async function (body, options) {
      const startMs = performance.now();
      const parent = context.active();
      const span = tracer.startSpan(
        `${operation} ${body.model}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            [ATTR_GEN_AI_OPERATION_NAME]: operation,
            [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
            [ATTR_GEN_AI_REQUEST_MODEL]: body.model,
            [ATTR_SERVER_ADDRESS]: 'api.openai.com',
            [ATTR_SERVER_PORT]: 443,
          },
        },
        parent,
      );
      const result = await (active ? context.with(trace.setSpan(parent, span), () => original.call(this, body, options)) : original.call(this, body, options));
      if (body.stream) {
        observeStream(result, span, body.model, startMs);
        return result;
      }
      const usage = result.usage;
      const finishReasons = operation === 'chat' ? result.choices.map((c) => c.finish_reason) : [];
      end(span, operation, body.model, startMs, -1, {
        id: result.id,
        model: result.model,
        finishReasons,
        input: usage.prompt_tokens,
        output: operation === 'chat' ? usage.completion_tokens : undefined,
      });
      return result;
    };
  }
  wrap(sdk.OpenAI.Chat.Completions.prototype, 'chat');
  wrap(sdk.OpenAI.Embeddings.prototype, 'embeddings');
  return sdk;
}

/** The floor's parts, by mode name, each the floor with one thing less. */
const PARTS = {
  'span and duration alone': { records: 'duration', active: true },
  'span alone': { records: 'none', active: true },
  'span and metrics, inactive': { records: 'all', active: false },
};

module.exports = { patchFloor, SCOPE, PARTS };
