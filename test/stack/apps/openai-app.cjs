'use strict';
// A sample app as a user writes one: it knows nothing of OpenTelemetry. Started with
// `node --require @tokenledger/node/register`, its openai calls become spans and metrics exported to
// OTEL_EXPORTER_OTLP_ENDPOINT. It calls the base URL the test gives (the loopback mock LLM server).
const OpenAI = require('openai').default;
const { withAttribution } = require('@tokenledger/node');

async function calls() {
  const client = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: 'sk-stack-test', maxRetries: 0 });
  const messages = [{ role: 'user', content: 'What does this stack cost?' }];
  await client.chat.completions.create({ model: 'gpt-4o', messages });
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
  for await (const _chunk of stream);
  await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a cost report', 'a budget'] });
  // A model no price book knows: stored as unpriced, counted, never $0.
  await client.chat.completions.create({ model: process.env.UNPRICED_MODEL, messages });
  // A rate-limited call: the error.type the performance dashboard breaks errors down by.
  await client.chat.completions.create({ model: 'gpt-4o', messages }, { headers: { 'x-mock-scenario': 'status=429' } }).catch(() => undefined);
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  // Two rounds with a pause longer than the metric export interval between and after them, so
  // Prometheus holds several points of each counter and rates over them are not zero.
  for (let round = 0; round < 2; round++) {
    // Who and what spent it: the user must be on the collector's metrics allowlist to be a label.
    await withAttribution({ userId: process.env.E2E_USER, agentId: 'e2e-agent', feature: 'e2e-report' }, calls);
    await pause(Number(process.env.E2E_PAUSE_MS || 0));
  }
  console.log('done');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
