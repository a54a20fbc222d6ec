// Per-call overhead of instrumenting Google's Gemini SDKs: bare SDK vs @tokenledger/instrumentation-google-genai,
// on the same harness — the real @google/genai (and legacy @google/generative-ai) against the loopback
// mock LLM server in the same process, spans to a discarding exporter, metrics to an in-memory reader.
// Each (SDK, instrumentation) pair runs in its own process; calls are sequential. There is no official
// OpenTelemetry instrumentation of these SDKs for Node to compare with.
// Run: ./run node bench/instrumentation.google-genai.bench.js   (build first: ./run build)
//      BENCH_CALLS (default 2000 per figure), BENCH_HEAP_CALLS (default 100000) to change the sizes.
'use strict';
const { answer, attach, cellOverBare, discardingTelemetry, measureHeap, runChild, timeCalls, timer } = require('./instrumentation-harness');

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const HEAP_CALLS = Number(process.env.BENCH_HEAP_CALLS ?? 100_000);
const STREAM_REPEAT = '33'; // 33 × "Hello from gemini-2.5-flash!" = 99 words, one chunk each

/**
 * The instrumentation's own cost with the network taken away: a Models class whose request method
 * resolves at once, called bare and then patched, CPU µs per call (the SDK and server excluded).
 */
async function alone() {
  const { GoogleGenAIInstrumentation } = require('../packages/instrumentation-google-genai/dist');
  const response = {
    responseId: 'r1',
    modelVersion: 'gemini-2.5-flash',
    candidates: [{ finishReason: 'STOP', content: { role: 'model', parts: [{ text: 'Hello!' }] } }],
    usageMetadata: { promptTokenCount: 10, cachedContentTokenCount: 4, candidatesTokenCount: 3, thoughtsTokenCount: 2, totalTokenCount: 15 },
  };
  class Models {
    constructor() {
      this.apiClient = { isVertexAI: () => false, getBaseUrl: () => 'https://generativelanguage.googleapis.com/' };
    }
    async generateContentInternal() {
      return response;
    }
  }
  for (const name of ['generateContentStreamInternal', 'embedContentInternal', 'generateImagesInternal']) Models.prototype[name] = async () => ({});
  const models = new Models();
  const cpu = async (n) => {
    const start = process.cpuUsage();
    for (let i = 0; i < n; i++) await models.generateContentInternal({ model: 'gemini-2.5-flash', contents: 'hi' });
    const used = process.cpuUsage(start);
    return (used.user + used.system) / n;
  };
  const rounds = async () => [await cpu(CALLS * 10), await cpu(CALLS * 10), await cpu(CALLS * 10)].sort((a, b) => a - b)[1];
  await cpu(CALLS * 5);
  const bare = await rounds();
  attach(new GoogleGenAIInstrumentation({ enabled: false }), discardingTelemetry()).patchGenAI({ Models });
  await cpu(CALLS * 5);
  return { bare, ours: await rounds() };
}

async function child(mode, what) {
  const { startMockLlmServer } = require('../test/mock-llm-server/dist');
  const telemetry = discardingTelemetry();
  const genai = require('@google/genai');
  const legacy = require('@google/generative-ai');
  if (mode === 'ours') {
    const { GoogleGenAIInstrumentation } = require('../packages/instrumentation-google-genai/dist');
    const inst = attach(new GoogleGenAIInstrumentation({ enabled: false }), telemetry);
    inst.patchGenAI(genai);
    inst.patchLegacy(legacy);
  }
  const server = await startMockLlmServer();
  const ai = new genai.GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: server.url } });
  const legacyModel = new legacy.GoogleGenerativeAI('k').getGenerativeModel({ model: 'gemini-1.5-flash' }, { baseUrl: server.url });
  const contents = 'Say hello in one short sentence, please.';
  const calls = {
    generate: () => ai.models.generateContent({ model: 'gemini-2.5-flash', contents }),
    stream: async () => {
      const s = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents, config: { httpOptions: { headers: { 'x-mock-repeat': STREAM_REPEAT } } } });
      for await (const _ of s);
    },
    embed: () => ai.models.embedContent({ model: 'gemini-embedding-001', contents: 'the quick brown fox' }),
    legacy: () => legacyModel.generateContent(contents),
  };
  // CPU time of this process per call (the SDK, the instrumentation and the in-process server), which
  // a busy shared machine disturbs far less than wall time; wall time is reported beside it.
  const { time } = timer();
  // Timing: median of three rounds (the in-process server shares the core and the scheduler is noisy).
  const out = what === 'heap' ? await measureHeap(time, calls.generate, { calls: HEAP_CALLS, inFlight: 1 }) : await timeCalls(time, calls, { calls: CALLS, rounds: 3 });
  await server.close();
  return out;
}

function run(mode, what = 'time') {
  return runChild(__filename, [mode, what]);
}

function main() {
  const { dirname, join } = require('node:path');
  const { existsSync, readFileSync } = require('node:fs');
  // Neither package exports its package.json: walk up from its entry point to it.
  const version = (name) => {
    for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
      const file = join(dir, 'package.json');
      if (existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).name === name) return JSON.parse(readFileSync(file, 'utf8')).version;
    }
    return '?';
  };
  const results = ['bare', 'ours'].map((mode) => ({ mode, ...run(mode), ...run(mode, 'heap') }));
  const isolated = run('alone');
  const cell = (r, k) => cellOverBare(r, results[0], k, 17);
  console.log(`Google SDKs per-call cost, µs/call: CPU (wall), median of 3 × ${CALLS} sequential calls; heap after ${HEAP_CALLS.toLocaleString('en-US')} generateContent calls; @google/genai ${version('@google/genai')}, @google/generative-ai ${version('@google/generative-ai')}, Node ${process.version}, load average ${require('node:os').loadavg()[0].toFixed(1)}`);
  console.log('instrumentation  generateContent   stream(99 chunks)  embedContent      legacy generate   heap MB (growth)');
  for (const r of results) {
    console.log(`${r.mode.padEnd(17)}${cell(r, 'generate')} ${cell(r, 'stream')} ${cell(r, 'embed')} ${cell(r, 'legacy')} ${r.heapMb.toFixed(1).padStart(6)} (${r.heapGrowthMb >= 0 ? '+' : ''}${r.heapGrowthMb.toFixed(1)})`);
    console.log(`${'  wall'.padEnd(17)}${cell(r, 'generateWall')} ${cell(r, 'streamWall')} ${cell(r, 'embedWall')} ${cell(r, 'legacyWall')}`);
  }
  console.log(`instrumentation alone (request method stubbed, span + metrics + usage): ${(isolated.ours - isolated.bare).toFixed(1)} µs CPU/call (bare stub ${isolated.bare.toFixed(1)})`);
}

if (process.argv[2]) answer(process.argv[2] === 'alone' ? alone() : child(process.argv[2], process.argv[3]));
else main();
