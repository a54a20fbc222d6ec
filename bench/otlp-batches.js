// The OTLP batches the ingest benchmarks send: protobuf ExportTraceServiceRequests of 512 GenAI spans
// with fresh ids, as an SDK or the OpenTelemetry Collector sends them.
'use strict';
const { randomBytes, randomFillSync } = require('node:crypto');
const { ExportTraceServiceRequest } = require('../collector-service/dist/ingest/otlp-schema');

const BATCH = 512;

/** Where each batch's trace ids sit in its bytes, so a long run can send it again as new spans. */
const traceIdOffsets = new WeakMap();

function attr(key, value) {
  return { key, value: typeof value === 'number' ? { intValue: value } : { stringValue: value } };
}

/** `count` OTLP ExportTraceServiceRequests in protobuf, BATCH GenAI spans each (four models, 200 users, 5 agents). */
function makeBatches(count) {
  const models = [
    ['openai', 'gpt-4o-2024-08-06'],
    ['anthropic', 'claude-3-5-sonnet-20241022'],
    ['gcp.gemini', 'gemini-2.5-flash'],
    ['openai', 'text-embedding-3-small'],
  ];
  const batches = [];
  for (let b = 0; b < count; b++) {
    const spans = [];
    for (let s = 0; s < BATCH; s++) {
      const [provider, model] = models[(b + s) % models.length];
      const start = BigInt(Date.now() - ((b * BATCH + s) % 86_400_000)) * 1_000_000n;
      spans.push({
        traceId: randomBytes(16),
        spanId: randomBytes(8),
        name: `chat ${model}`,
        kind: 3,
        startTimeUnixNano: start.toString(),
        endTimeUnixNano: (start + 800_000_000n).toString(),
        attributes: [
          attr('gen_ai.operation.name', model.startsWith('text-embedding') ? 'embeddings' : 'chat'),
          attr('gen_ai.provider.name', provider),
          attr('gen_ai.request.model', model),
          attr('gen_ai.usage.input_tokens', 500 + ((b * 31 + s) % 3000)),
          attr('gen_ai.usage.output_tokens', model.startsWith('text-embedding') ? 0 : 100 + (s % 900)),
          attr('user.id', `user-${s % 200}`),
          attr('gen_ai.agent.id', `agent-${s % 5}`),
        ],
      });
    }
    const message = ExportTraceServiceRequest.fromObject({
      resourceSpans: [
        { resource: { attributes: [attr('service.name', 'bench')] }, scopeSpans: [{ scope: { name: '@tokenledger/instrumentation-openai' }, spans }] },
      ],
    });
    const body = Buffer.from(ExportTraceServiceRequest.encode(message).finish());
    traceIdOffsets.set(
      body,
      spans.map((span) => body.indexOf(span.traceId)),
    );
    batches.push(body);
  }
  return batches;
}

/** Gives every span of a batch from makeBatches a new random trace id, in place: the same batch is new spans again. */
function renewTraceIds(batch) {
  for (const offset of traceIdOffsets.get(batch)) randomFillSync(batch, offset, 16);
  return batch;
}

module.exports = { BATCH, makeBatches, renewTraceIds };
