'use strict';
// A steady app for the scale-out test: CALLS gpt-4o chats through the real openai SDK, PAUSE_MS apart,
// started with `node --require @tokenledger/node/register`, so each call is a span (its own trace)
// exported to OTEL_EXPORTER_OTLP_ENDPOINT. Prints "done <calls made>" once its calls are made, and on
// stderr "flushed at <epoch ms>" as it exits: the hook's flush at exit has ended by then.
const OpenAI = require('openai').default;

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

process.on('exit', () => process.stderr.write(`flushed at ${Date.now()}\n`));

async function main() {
  const client = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: 'sk-stack-test', maxRetries: 0 });
  const calls = Number(process.env.CALLS || 1);
  for (let i = 0; i < calls; i++) {
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'What does this stack cost?' }] });
    await pause(Number(process.env.PAUSE_MS || 0));
  }
  console.log(`done ${calls}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
