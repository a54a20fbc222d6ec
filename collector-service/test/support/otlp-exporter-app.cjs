// A tiny app that sends spans with a real OTLP exporter, OTLP/HTTP protobuf or OTLP/gRPC, run as its
// own process (the exporters load their transport with a dynamic import, which jest's module sandbox
// refuses). Headers (an API key) come from OTEL_EXPORTER_OTLP_HEADERS, as for any app.
// Usage: node otlp-exporter-app.cjs <url> '<json: [{ name, attributes }]>' [http|grpc]
'use strict';
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { SimpleSpanProcessor, TracerProvider } = require('@opentelemetry/sdk-trace');

const [url, specs, protocol = 'http'] = process.argv.slice(2);
const { OTLPTraceExporter } = require(protocol === 'grpc' ? '@opentelemetry/exporter-trace-otlp-grpc' : '@opentelemetry/exporter-trace-otlp-proto');
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
