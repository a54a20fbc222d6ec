// Per-call overhead of instrumenting Google's Gemini SDKs, side by side in one run: the bare
// @google/genai and legacy @google/generative-ai, and @tokenledger/instrumentation-google-genai. There is
// no official OpenTelemetry instrumentation of these SDKs for Node to compare with. How (see
// instrumentation-harness.js): in one process the two (each on SDK instances of its own) take turns,
// the global fetch both SDKs send with replaced by an in-process one, OpenTelemetry as NodeSDK sets it up by default exporting OTLP/JSON to
// a loopback sink, CPU time of the process.
// Run: ./run node bench/instrumentation.google-genai.bench.js   (build first: ./run build)
//      BENCH_ROUNDS, BENCH_REPEATS, BENCH_CALLS, BENCH_STREAM_CALLS, BENCH_HEAP_CALLS, BENCH_KINDS, BENCH_MODES, BENCH_CPU_PROF:
//      as in instrumentation.openai.bench.js.
'use strict';
const { attach, benchmark, slicesLabel, loadAverage, measureSdk, printTable, settings } = require('./instrumentation-harness');

const STREAM_REPEAT = '33'; // 33 × "Hello from gemini-2.5-flash!" = 99 words, one chunk each

async function setup(_args, { fetch, telemetry, serverUrl, load }) {
  // Neither SDK takes a fetch of its own: both send with the global one.
  globalThis.fetch = fetch;
  const contents = 'Say hello in one short sentence, please.';
  const callsOf = (genai, legacy) => {
    const ai = new genai.GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: serverUrl } });
    const legacyModel = new legacy.GoogleGenerativeAI('k').getGenerativeModel({ model: 'gemini-1.5-flash' }, { baseUrl: serverUrl });
    return {
      generate: () => ai.models.generateContent({ model: 'gemini-2.5-flash', contents }),
      stream: async () => {
        for await (const _ of await ai.models.generateContentStream({
          model: 'gemini-2.5-flash',
          contents,
          config: { httpOptions: { headers: { 'x-mock-repeat': STREAM_REPEAT } } },
        }));
      },
      embed: () => ai.models.embedContent({ model: 'gemini-embedding-001', contents: 'the quick brown fox' }),
      legacy: () => legacyModel.generateContent(contents),
    };
  };
  const bare = callsOf(load('@google/genai'), load('@google/generative-ai'));
  const genai = load('@google/genai');
  const legacy = load('@google/generative-ai');
  const ours = attach(new (require('../packages/instrumentation-google-genai/dist').GoogleGenAIInstrumentation)({ enabled: false }), telemetry);
  ours.patchGenAI(genai);
  ours.patchLegacy(legacy);
  return { modes: { bare, tokenledger: callsOf(genai, legacy) } };
}

/** Neither package exports its package.json: walk up from its entry point to it. */
function version(name) {
  const { dirname, join } = require('node:path');
  const { existsSync, readFileSync } = require('node:fs');
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).name === name) return JSON.parse(readFileSync(file, 'utf8')).version;
  }
  return '?';
}

async function main() {
  const s = settings(['generate', 'stream', 'embed', 'legacy']);
  const load = loadAverage();
  const result = await measureSdk({
    file: __filename,
    args: ['google'],
    kinds: s.kinds,
    sizes: { generate: s.calls, stream: s.streamCalls, embed: s.calls, legacy: s.calls },
    rounds: s.rounds,
    repeats: s.repeats,
    slices: s.slices,
    heapCalls: s.heapCalls,
    heapKind: 'generate',
    spansOf: { tokenledger: '@tokenledger/instrumentation-google-genai' },
    only: s.only,
    cpuProfDir: s.cpuProfDir,
  });
  console.log(
    `Process CPU µs per call, median of ${s.rounds} rounds, each the fastest of ${s.repeats} timings, the modes taking turns in ${slicesLabel(s.slices)} of each (${s.calls} calls, streams ${s.streamCalls}),` +
      ` and in brackets the overhead over the bare SDK in the same round: median [min, max]; heap after ${s.heapCalls.toLocaleString('en-US')} generateContent calls, 8 in flight;` +
      ` Node ${process.version}; load average ${load} → ${loadAverage()}`,
  );
  printTable(result, {
    title: `@google/genai ${version('@google/genai')}, @google/generative-ai ${version('@google/generative-ai')}`,
    kinds: s.kinds,
    labels: { generate: 'generateContent', stream: 'stream (99 chunks)', embed: 'embedContent', legacy: 'legacy generateContent' },
  });
}

benchmark(setup, main);
