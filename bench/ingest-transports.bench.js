// Spans per second priced and durably stored through OTLP/HTTP and through OTLP/gRPC (plain, and gzip
// as the OpenTelemetry Collector's exporters send by default), the same 512-span protobuf batches on
// the same store, each run on a fresh SQLite file; the transports take turns, ROUNDS times.
// Run: ./run node bench/ingest-transports.bench.js   (BENCH_SENDERS=8 concurrent senders,
//      BENCH_BATCHES=200 batches per run, BENCH_ROUNDS=3)
'use strict';
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Client, credentials } = require(require.resolve('@grpc/grpc-js', { paths: [join(__dirname, '..', 'collector-service')] }));
const { BATCH, makeBatches } = require('./otlp-batches');
const { startService } = require('./service');

const BATCHES = Number(process.env.BENCH_BATCHES || 200);
const SENDERS = Number(process.env.BENCH_SENDERS || 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const TRACE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** Sends every batch with `senders` concurrent workers through `exportOne`; returns the seconds taken. */
async function send(batches, senders, exportOne) {
  let next = 0;
  const worker = async () => {
    while (next < batches.length) await exportOne(batches[next++]);
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: senders }, worker));
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const transports = {
  'OTLP/HTTP protobuf': (service) => async (body) => {
    const res = await fetch(`${service.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
    await res.arrayBuffer();
  },
  'OTLP/gRPC': (service) => grpcExporter(service, false),
  'OTLP/gRPC gzip': (service) => grpcExporter(service, true),
};

/** One grpc-js channel, as an exporter keeps one, sending the batch bytes as they are. */
function grpcExporter(service, gzip) {
  const client = new Client(service.grpcAddress, credentials.createInsecure(), gzip ? { 'grpc.default_compression_algorithm': 2 } : {});
  const exportOne = (body) =>
    new Promise((resolve, reject) =>
      client.makeUnaryRequest(
        TRACE_EXPORT,
        (b) => b,
        (b) => b,
        body,
        (err) => (err ? reject(new Error(`ingest answered ${err.code}: ${err.details}`)) : resolve()),
      ),
    );
  exportOne.close = () => client.close();
  return exportOne;
}

async function measure(dir, name, round) {
  const service = await startService({ TOKENLEDGER_SQLITE_PATH: join(dir, `${round}-${name.replace(/\W+/g, '-')}.sqlite`) });
  const exportOne = transports[name](service);
  try {
    await send(makeBatches(4), SENDERS, exportOne); // warm-up
    return (BATCHES * BATCH) / (await send(makeBatches(BATCHES), SENDERS, exportOne));
  } finally {
    exportOne.close?.();
    service.child.kill('SIGTERM');
  }
}

(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-bench-'));
  const rates = Object.fromEntries(Object.keys(transports).map((name) => [name, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of Object.keys(transports)) rates[name].push(await measure(dir, name, round));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  for (const [name, runs] of Object.entries(rates)) {
    console.log(
      `ingest over ${name} (sqlite, ${SENDERS} senders): ${runs.map(fmt).join(', ')} spans/s priced and stored (${BATCHES} × ${BATCH}-span batches per run)`,
    );
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
