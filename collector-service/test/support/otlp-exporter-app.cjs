// A tiny app that sends spans with the real OTLP/HTTP protobuf exporter, run as its own process
// (the exporter loads its transport with a dynamic import, which jest's module sandbox refuses).
// Usage: node otlp-exporter-app.cjs <url> '<json: [{ name, attributes }]>'
'use strict';
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { SimpleSpanProcessor, TracerProvider } = require('@opentelemetry/sdk-trace');

const [url, specs] = process.argv.slice(2);
const exporter = new OTLPTraceExporter({ url });
const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'exporter-app' }),
  spanProcessors: [new SimpleSpanProcessor({ exporter })],
});
const tracer = provider.getTracer('@tokenledger/instrumentation-openai', '0.1.0');
for (const spec of JSON.parse(specs)) tracer.startSpan(spec.name, { kind: 2, attributes: spec.attributes }).end();
provider
  .forceFlush()
  .then(() => provider.shutdown())
  .then(
    () => console.log('exported'),
    (err) => {
      console.error(`export failed: ${err && err.message}`);
      process.exitCode = 1;
    },
  );
