// Per-call overhead of instrumenting the openai SDK: bare SDK vs @tokenledger/instrumentation-openai
// vs the official @opentelemetry/instrumentation-openai, on the same harness — the real SDK against
// the loopback mock LLM server in the same process, spans to a discarding exporter, metrics to an
// in-memory reader. Each (SDK, instrumentation) pair runs in its own process; calls are sequential.
// The official instrumentation supports openai <7, so the three-way comparison runs on openai 6
// (installed as `openai-v6`); ours is also measured on openai 7.
// Run: ./run node bench/instrumentation.openai.bench.js   (build first: ./run build)
//      `... bench.js time` or `... bench.js heap` runs one part; BENCH_CALLS (default 1000 per round,
//      5 rounds per figure) and BENCH_HEAP_CALLS (default 100000) change the sizes.
'use strict';
const { answer, attach, discardingTelemetry, measureHeap, runChild, timeCalls, timer } = require('./instrumentation-harness');

const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const HEAP_CALLS = Number(process.env.BENCH_HEAP_CALLS ?? 100_000);
const STREAM_REPEAT = '33'; // 33 × "Hello from gpt-4o!" = 99 words: role + 99 content + finish + usage = 102 chunks

async function child(sdkName, mode, what) {
  const { startMockLlmServer } = require('../test/mock-llm-server/dist');
  const telemetry = discardingTelemetry();
  const sdk = require(sdkName);
  if (mode === 'ours') {
    const { OpenAIInstrumentation } = require('../packages/instrumentation-openai/dist');
    attach(new OpenAIInstrumentation({ enabled: false }), telemetry).patch(sdk);
  } else if (mode === 'official') {
    const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');
    // Enabled (its patched methods check), but the package is loaded as `openai-v6`, which no hook
    // matches: patch it directly, as ours is.
    attach(new OpenAIInstrumentation(), telemetry).getModuleDefinitions()[0].patch(sdk);
  }
  const server = await startMockLlmServer();
  const client = new sdk.OpenAI({ apiKey: 'k', baseURL: `${server.url}/v1`, maxRetries: 0 });
  const messages = [{ role: 'user', content: 'Say hello in one short sentence, please.' }];
  const calls = {
    chat: () => client.chat.completions.create({ model: 'gpt-4o', messages }),
    stream: async () => {
      const s = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } }, { headers: { 'x-mock-repeat': STREAM_REPEAT } });
      for await (const _ of s);
    },
    embeddings: () => client.embeddings.create({ model: 'text-embedding-3-small', input: 'the quick brown fox' }),
  };
  // CPU time (user + system) of the main thread — the SDK, the instrumentation and the loopback
  // server; not GC helper threads — per call: on a shared machine wall time mostly measures the
  // neighbours, CPU time what we spend. The mock server records every request; keep that out of the heap.
  const { time } = timer({ threadCpu: true, beforeCall: () => (server.requests.length = 0) });
  // Heap: eight calls in flight, the question is about what stays behind, not about latency.
  const out = what === 'heap' ? await measureHeap(time, calls.chat, { calls: HEAP_CALLS, inFlight: 8 }) : await timeCalls(time, calls, { calls: CALLS, rounds: 5 });
  await server.close();
  if (mode !== 'bare' && telemetry.exported() === 0) throw new Error(`${mode} on ${sdkName} exported no spans: the comparison would be meaningless`);
  return out;
}

function run(sdkName, mode, what = 'time') {
  return runChild(__filename, [sdkName, mode, what]);
}

function main(what) {
  const runs = [
    ['openai-v6', 'bare'],
    ['openai-v6', 'ours'],
    ['openai-v6', 'official'],
    ['openai', 'bare'],
    ['openai', 'ours'],
  ];
  const version = (name) => require(`${name}/version`).VERSION;
  const results = runs.map(([sdk, mode]) => ({ sdk, mode, ...(what !== 'heap' ? run(sdk, mode) : {}), ...(what !== 'time' ? run(sdk, mode, 'heap') : {}) }));
  const us = (v) => (v === undefined ? '     -' : v.toFixed(0).padStart(6));
  console.log(`openai per-call CPU time of the main thread, µs/call (median of 5 × ${CALLS} sequential calls), heap after ${HEAP_CALLS.toLocaleString('en-US')} chat calls; Node ${process.version}`);
  console.log('sdk            instrumentation   chat  stream(102 chunks)  embeddings   heap MB (growth)');
  for (const r of results) {
    const bare = results.find((b) => b.sdk === r.sdk && b.mode === 'bare');
    const over = (k) => (r.mode === 'bare' || r[k] === undefined ? '' : ` (${r[k] >= bare[k] ? '+' : ''}${(r[k] - bare[k]).toFixed(0)})`);
    const heap = r.heapMb === undefined ? '-' : `${r.heapMb.toFixed(1)} (${r.heapGrowthMb >= 0 ? '+' : ''}${r.heapGrowthMb.toFixed(1)})`;
    console.log(
      `${`openai ${version(r.sdk)}`.padEnd(15)}${r.mode.padEnd(16)}${us(r.chat)}${over('chat').padEnd(8)}${us(r.stream)}${over('stream').padEnd(14)}${us(r.embeddings)}${over('embeddings').padEnd(8)}${heap.padStart(16)}`,
    );
  }
}

if (process.argv[2] && process.argv[3]) answer(child(process.argv[2], process.argv[3], process.argv[4]));
else main(process.argv[2]); // `time` or `heap` runs only that part
