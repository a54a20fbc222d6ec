// An app instrumented by another project's GenAI instrumentation, run as its own process so the
// instrumentation's require hook patches the real SDK as it would in production. It calls the
// loopback mock LLM server and exports its spans over OTLP/HTTP protobuf to the collector.
// Usage: node instrumented-app.cjs <official|openllmetry|openinference|vercel-ai|vercel-ai-legacy> <collector /v1/traces url> <mock server url>
'use strict';
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { SimpleSpanProcessor, TracerProvider } = require('@opentelemetry/sdk-trace');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');

const [which, tracesUrl, mockUrl] = process.argv.slice(2);
const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': `app-${which}` }),
  spanProcessors: [
    new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: tracesUrl }) }),
    // DUMP_SPANS=1 prints each span's name, scope and attributes, to see what an instrumentation emits.
    ...(process.env.DUMP_SPANS
      ? [
          {
            onStart() {},
            onEnd: (s) =>
              console.error(JSON.stringify({ name: s.name, scope: s.instrumentationScope.name, parent: !!s.parentSpanContext, attributes: s.attributes })),
            forceFlush: async () => {},
            shutdown: async () => {},
          },
        ]
      : []),
  ],
});
provider.register?.();
const { trace } = require('@opentelemetry/api');
trace.setGlobalTracerProvider(provider);

const instrumentations = {
  official: () => new (require('@opentelemetry/instrumentation-openai').OpenAIInstrumentation)(),
  openllmetry: () => new (require('@traceloop/instrumentation-openai').OpenAIInstrumentation)(),
  openinference: () => new (require('@arizeai/openinference-instrumentation-openai').OpenAIInstrumentation)(),
};

async function openaiCalls() {
  const OpenAI = require('openai');
  const client = new OpenAI({ apiKey: 'test-key', baseURL: `${mockUrl}/v1`, maxRetries: 0 });
  const messages = [{ role: 'user', content: 'What does this cost?' }];
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
  const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } });
  for await (const _ of stream) void _;
  await client.embeddings.create({ model: 'text-embedding-3-small', input: 'four score and seven years ago' });
}

async function vercelAiCalls() {
  const { generateText, embed, registerTelemetry } = require('ai');
  const { createOpenAI } = require('@ai-sdk/openai');
  const otel = require('@ai-sdk/otel');
  // AI SDK 7 reports through telemetry integrations: `OpenTelemetry` emits GenAI semantic-convention
  // spans, `LegacyOpenTelemetry` the `ai.*` spans of earlier releases. Both are in use in the field.
  registerTelemetry(
    which === 'vercel-ai-legacy' ? new otel.LegacyOpenTelemetry({ tracer: trace.getTracer('ai') }) : new otel.OpenTelemetry({ tracer: trace.getTracer('ai') }),
  );
  const openai = createOpenAI({ apiKey: 'test-key', baseURL: `${mockUrl}/v1` });
  const telemetry = { isEnabled: true };
  await generateText({ model: openai.chat('gpt-4o-mini'), prompt: 'What does this cost?', experimental_telemetry: telemetry });
  await embed({ model: openai.embedding('text-embedding-3-small'), value: 'four score and seven years ago', experimental_telemetry: telemetry });
}

async function main() {
  if (which.startsWith('vercel-ai')) await vercelAiCalls();
  else {
    registerInstrumentations({ instrumentations: [instrumentations[which]()], tracerProvider: provider });
    await openaiCalls();
  }
  await provider.forceFlush();
  await provider.shutdown();
  console.log('exported');
}

main().catch((err) => {
  console.error(err && err.stack);
  process.exitCode = 1;
});
