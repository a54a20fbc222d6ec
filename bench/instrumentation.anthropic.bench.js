// Per-call overhead of instrumenting the Anthropic SDK: bare @anthropic-ai/sdk vs
// @tokenledger/instrumentation-anthropic, on the same harness as the openai and Google benchmarks —
// the real SDK against the loopback mock LLM server in the same process, spans to a discarding
// exporter, metrics to an in-memory reader. Each instrumentation mode runs in its own process; calls
// are sequential. There is no official OpenTelemetry instrumentation of this SDK for Node to compare with.
// Run: ./run node bench/instrumentation.anthropic.bench.js   (build first: ./run build)
//      BENCH_CALLS (default 1000 per round, 5 rounds per figure), BENCH_HEAP_CALLS (default 100000) to change the sizes.
'use strict';
const { answer, attach, cellOverBare, discardingTelemetry, measureHeap, runChild, timeCalls, timer } = require('./instrumentation-harness');

// The SDK (1.x) emits its own `anthropic.messages.create` span on every call unless this is `false`
// (read when a client is constructed). Off for the bare and the instrumented runs alike, so the
// difference between them is our instrumentation alone, not the SDK's tracing as well. Set here, so
// the child processes inherit it.
process.env.ANTHROPIC_OPEN_TELEMETRY = 'false';

const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const HEAP_CALLS = Number(process.env.BENCH_HEAP_CALLS ?? 100_000);
// Not one the SDK lists as deprecated: for those it writes a warning to the console on every call.
const MODEL = 'claude-sonnet-4-6';
// 33 × "Hello from claude-sonnet-4-6!" = 99 words, one content_block_delta each; with message_start,
// content_block_start, ping, content_block_stop, message_delta and message_stop the server sends 105
// SSE events, of which the SDK drops the ping: 104 reach the app.
const STREAM_REPEAT = '33';
const STREAM_EVENTS = 104;

async function child(mode, what) {
  const { startMockLlmServer } = require('../test/mock-llm-server/dist');
  const telemetry = discardingTelemetry();
  const sdk = require('@anthropic-ai/sdk');
  if (mode === 'ours') {
    const { AnthropicInstrumentation } = require('../packages/instrumentation-anthropic/dist');
    attach(new AnthropicInstrumentation({ enabled: false }), telemetry).patch(sdk);
  }
  const server = await startMockLlmServer();
  const client = new sdk.Anthropic({ apiKey: 'k', baseURL: server.url, maxRetries: 0 });
  if (client.openTelemetry?.traces?.enabled !== false) throw new Error("the SDK's own tracing is on: ANTHROPIC_OPEN_TELEMETRY=false did not reach the client");
  const body = { model: MODEL, max_tokens: 1024, messages: [{ role: 'user', content: 'Say hello in one short sentence, please.' }] };
  const long = { headers: { 'x-mock-repeat': STREAM_REPEAT } };
  let events = 0;
  const calls = {
    create: () => client.messages.create(body),
    stream: async () => {
      const s = await client.messages.create({ ...body, stream: true }, long);
      events = 0;
      for await (const _ of s) events++;
      if (events !== STREAM_EVENTS) throw new Error(`the stream had ${events} events, not ${STREAM_EVENTS}`);
    },
    helper: () => client.messages.stream(body, long).finalMessage(),
  };
  // CPU time of this process per call (the SDK, the instrumentation and the in-process server), which
  // a busy shared machine disturbs far less than wall time; wall time is reported beside it.
  const { time, made } = timer();
  // Heap: eight calls in flight, the question is about what stays behind, not about latency.
  const out = what === 'heap' ? await measureHeap(time, calls.create, { calls: HEAP_CALLS, inFlight: 8 }) : await timeCalls(time, calls, { calls: CALLS, rounds: 5 });
  await server.close();
  // One span per call, the messages.stream() helper's included: fewer would flatter the figures.
  if (mode !== 'bare' && telemetry.exported() !== made()) throw new Error(`${mode} exported ${telemetry.exported()} spans for ${made()} calls: the comparison would be meaningless`);
  return out;
}

function run(mode, what = 'time') {
  return runChild(__filename, [mode, what]);
}

function main() {
  const { VERSION } = require('@anthropic-ai/sdk/version');
  const results = ['bare', 'ours'].map((mode) => ({ mode, ...run(mode), ...run(mode, 'heap') }));
  const cell = (r, k) => cellOverBare(r, results[0], k, 19);
  console.log(`@anthropic-ai/sdk ${VERSION} per-call cost, µs/call: CPU (wall), median of 5 × ${CALLS} sequential calls; heap after ${HEAP_CALLS.toLocaleString('en-US')} messages.create calls; ANTHROPIC_OPEN_TELEMETRY=false; Node ${process.version}, load average ${require('node:os').loadavg()[0].toFixed(1)}`);
  console.log(`${'instrumentation'.padEnd(17)}${['messages.create', `stream (${STREAM_EVENTS} events)`, 'messages.stream()'].map((h) => h.padEnd(20)).join('')}heap MB (growth)`);
  for (const r of results) {
    console.log(`${r.mode.padEnd(17)}${cell(r, 'create')} ${cell(r, 'stream')} ${cell(r, 'helper')} ${r.heapMb.toFixed(1).padStart(6)} (${r.heapGrowthMb >= 0 ? '+' : ''}${r.heapGrowthMb.toFixed(1)})`);
    console.log(`${'  wall'.padEnd(17)}${cell(r, 'createWall')} ${cell(r, 'streamWall')} ${cell(r, 'helperWall')}`);
  }
}

if (process.argv[2]) answer(child(process.argv[2], process.argv[3]));
else main();
