// Per-call overhead of instrumenting the Anthropic SDK, side by side in one run: bare @anthropic-ai/sdk
// and @tokenledger/instrumentation-anthropic. There is no official OpenTelemetry instrumentation of this
// SDK for Node to compare with. How (see instrumentation-harness.js): in one process the two (each on
// an SDK instance of its own) take turns, the SDK's fetch replaced by an in-process one, OpenTelemetry as NodeSDK sets it up by default
// exporting OTLP/JSON to a loopback sink, CPU time of the process.
// Run: ./run node bench/instrumentation.anthropic.bench.js   (build first: ./run build)
//      BENCH_ROUNDS, BENCH_REPEATS, BENCH_CALLS, BENCH_STREAM_CALLS, BENCH_HEAP_CALLS, BENCH_KINDS, BENCH_MODES, BENCH_CPU_PROF:
//      as in instrumentation.openai.bench.js.
'use strict';
const { attach, benchmark, slicesLabel, loadAverage, measureSdk, printTable, settings } = require('./instrumentation-harness');

// The SDK (1.x) emits its own `anthropic.messages.create` span on every call unless this is `false`
// (read when a client is constructed). Off for the bare and the instrumented runs alike, so the
// difference between them is our instrumentation alone, not the SDK's tracing as well. Set here, so
// the child process inherits it.
process.env.ANTHROPIC_OPEN_TELEMETRY = 'false';

// Not one the SDK lists as deprecated: for those it writes a warning to the console on every call.
const MODEL = 'claude-sonnet-4-6';
// 33 × "Hello from claude-sonnet-4-6!" = 99 words, one content_block_delta each; with message_start,
// content_block_start, ping, content_block_stop, message_delta and message_stop the server sends 105
// SSE events, of which the SDK drops the ping: 104 reach the app.
const LONG = { headers: { 'x-mock-repeat': '33' } };
const STREAM_EVENTS = 104;

async function setup(_args, { fetch, telemetry, serverUrl, load }) {
  const bare = load('@anthropic-ai/sdk');
  const ours = load('@anthropic-ai/sdk');
  attach(new (require('../packages/instrumentation-anthropic/dist').AnthropicInstrumentation)({ enabled: false }), telemetry).patch(ours);
  const body = { model: MODEL, max_tokens: 1024, messages: [{ role: 'user', content: 'Say hello in one short sentence, please.' }] };
  const callsOf = (sdk) => {
    const client = new sdk.Anthropic({ apiKey: 'k', baseURL: serverUrl, maxRetries: 0, fetch });
    if (client.openTelemetry?.traces?.enabled !== false)
      throw new Error("the SDK's own tracing is on: ANTHROPIC_OPEN_TELEMETRY=false did not reach the client");
    return {
      create: () => client.messages.create(body),
      stream: async () => {
        let events = 0;
        for await (const _ of await client.messages.create({ ...body, stream: true }, LONG)) events++;
        if (events !== STREAM_EVENTS) throw new Error(`the stream had ${events} events, not ${STREAM_EVENTS}`);
      },
      helper: () => client.messages.stream(body, LONG).finalMessage(),
    };
  };
  return { modes: { bare: callsOf(bare), tokenledger: callsOf(ours) } };
}

async function main() {
  const s = settings(['create', 'stream', 'helper']);
  const { VERSION } = require('@anthropic-ai/sdk/version');
  const load = loadAverage();
  const result = await measureSdk({
    file: __filename,
    args: ['anthropic'],
    kinds: s.kinds,
    sizes: { create: s.calls, stream: s.streamCalls, helper: s.streamCalls },
    rounds: s.rounds,
    repeats: s.repeats,
    slices: s.slices,
    heapCalls: s.heapCalls,
    heapKind: 'create',
    spansOf: { tokenledger: '@tokenledger/instrumentation-anthropic' },
    only: s.only,
    cpuProfDir: s.cpuProfDir,
  });
  console.log(
    `Process CPU µs per call, median of ${s.rounds} rounds, each the fastest of ${s.repeats} timings, the modes taking turns in ${slicesLabel(s.slices)} of each (messages.create ${s.calls} calls, streams ${s.streamCalls}),` +
      ` and in brackets the overhead over the bare SDK in the same round: median [min, max]; heap after ${s.heapCalls.toLocaleString('en-US')} messages.create calls, 8 in flight;` +
      ` ANTHROPIC_OPEN_TELEMETRY=false; Node ${process.version}; load average ${load} → ${loadAverage()}`,
  );
  printTable(result, {
    title: `@anthropic-ai/sdk ${VERSION}`,
    kinds: s.kinds,
    labels: { create: 'messages.create', stream: `stream (${STREAM_EVENTS} events)`, helper: 'messages.stream()' },
  });
}

benchmark(setup, main);
