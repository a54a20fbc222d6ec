// What a Prometheus scrape of the collector's GET /metrics costs once the service has seen many label
// combinations: 2,000 cost series (10 models × 10 features × 20 allowlisted users) plus their token,
// call and ingest series. Reports the series count, the body size and the scrape time (median, p95).
// Run: ./run node bench/metrics-scrape.bench.js
'use strict';
const { startService } = require('./service');
const { randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { ExportTraceServiceRequest } = require('../collector-service/dist/ingest/otlp-schema');

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o3', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano'];
const FEATURES = Array.from({ length: 10 }, (_, i) => `feature-${i}`);
const USERS = Array.from({ length: 20 }, (_, i) => `user-${i}`);
const SCRAPES = 30;

const attr = (key, value) => ({ key, value: typeof value === 'number' ? { intValue: value } : { stringValue: value } });

function batchFor(model) {
  const spans = [];
  for (const feature of FEATURES) {
    for (const user of USERS) {
      const start = BigInt(Date.now() - 60_000) * 1_000_000n;
      spans.push({
        traceId: randomBytes(16),
        spanId: randomBytes(8),
        name: `chat ${model}`,
        kind: 3,
        startTimeUnixNano: start.toString(),
        endTimeUnixNano: (start + 500_000_000n).toString(),
        attributes: [
          attr('gen_ai.operation.name', 'chat'),
          attr('gen_ai.provider.name', 'openai'),
          attr('gen_ai.request.model', model),
          attr('gen_ai.usage.input_tokens', 1200),
          attr('gen_ai.usage.output_tokens', 300),
          attr('user.id', user),
          attr('tokenledger.feature', feature),
        ],
      });
    }
  }
  const request = { resourceSpans: [{ resource: { attributes: [attr('service.name', 'bench')] }, scopeSpans: [{ scope: { name: 'bench' }, spans }] }] };
  return Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish());
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-metrics-bench-'));
  const { child, url } = await startService({ TOKENLEDGER_SQLITE_PATH: join(dir, 'bench.sqlite'), TOKENLEDGER_METRICS_USER_ALLOWLIST: USERS.join(',') });
  try {
    for (const model of MODELS) {
      const res = await fetch(`${url}/v1/traces`, { method: 'POST', body: batchFor(model), headers: { 'content-type': 'application/x-protobuf' } });
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
    }
    const times = [];
    let body = '';
    for (let i = 0; i < SCRAPES; i++) {
      const started = process.hrtime.bigint();
      body = await (await fetch(`${url}/metrics`)).text();
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    times.sort((a, b) => a - b);
    const series = body.split('\n').filter((line) => line && !line.startsWith('#')).length;
    const cost = body.split('\n').filter((line) => line.startsWith('tokenledger_cost_usd_total{')).length;
    console.log(`series ${series} (cost ${cost}), body ${(body.length / 1024).toFixed(0)} KiB`);
    console.log(`scrape median ${times[Math.floor(SCRAPES / 2)].toFixed(1)} ms, p95 ${times[Math.floor(SCRAPES * 0.95)].toFixed(1)} ms (${SCRAPES} scrapes)`);
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
