// An app with its own OpenTelemetry NodeSDK and its own span exporter, which adds only
// @tokenledger/instrumentation-openai to it. Prints one JSON line per exported span, then a summary.
'use strict';
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { ExportResultCode } = require('@opentelemetry/core');
const { OpenAIInstrumentation } = require('@tokenledger/instrumentation-openai');

// The app's own exporter: it writes each span to stdout.
const printing = {
  export(spans, done) {
    for (const span of spans) console.log(JSON.stringify({ span: span.name, scope: span.instrumentationScope.name, attributes: span.attributes }));
    done({ code: ExportResultCode.SUCCESS });
  },
  shutdown: async () => {},
};
const sdk = new NodeSDK({ traceExporter: printing, metricReaders: [], instrumentations: [new OpenAIInstrumentation()] });
sdk.start();

const OpenAI = require('openai');
const client = new OpenAI({ apiKey: 'k', baseURL: `${process.env.MOCK_LLM_URL}/v1`, maxRetries: 0 });
client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).then(async () => {
  await sdk.shutdown();
  // One API instance: the app's and the one the instrumentation resolves are the same file.
  const { dirname } = require('node:path');
  const fromInstrumentation = require.resolve('@opentelemetry/api', { paths: [dirname(require.resolve('@tokenledger/instrumentation-openai'))] });
  console.log(JSON.stringify({ oneApi: fromInstrumentation === require.resolve('@opentelemetry/api') }));
});
