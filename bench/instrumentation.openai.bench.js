// Per-call overhead of instrumenting the openai SDK, side by side in one run: the bare SDK, tokenledger's
// @tokenledger/instrumentation-openai and the official @opentelemetry/instrumentation-openai (which
// supports openai <7) on openai 6 (installed as `openai-v6`); the bare SDK and tokenledger's on openai 7;
// each also with the SDK's request stubbed, which leaves the instrumentations' own work.
// How (see instrumentation-harness.js): on each SDK version, in one process, the bare SDK and each
// instrumentation (each on an SDK instance of its own) take turns, the SDK's fetch replaced by an in-process one, OpenTelemetry as NodeSDK sets it up by default
// exporting OTLP/JSON to a loopback sink, CPU time of the process. The official instrumentation also
// emits a log record per message and per choice, which NodeSDK exports by default; the mode
// "official, no logs" gives it a logger that drops them, the cheapest it can be.
// Run: ./run node bench/instrumentation.openai.bench.js   (build first: ./run build)
//      BENCH_ROUNDS (default 7), BENCH_REPEATS (timings per round, the fastest counts; default 3),
//      BENCH_CALLS (calls per timing, default 1000), BENCH_STREAM_CALLS (streams per timing, default half that),
//      BENCH_HEAP_CALLS (default 100000; 0 skips the heap), BENCH_KINDS=chat,stream (a subset),
//      BENCH_MODES=bare,tokenledger (a subset), BENCH_PARTS=v6,v7,stubbed,stubbed-v7 (a subset), BENCH_SLICES (the
//      slices a timing's calls are made in, the modes taking turns slice by slice; default: slices of about 512 calls), BENCH_CPU_PROF=<dir> (a V8 CPU profile of each
//      process over its timed calls, for bench/cpu-profile-summary.js) and BENCH_BASELINE=<dir> (another built
//      checkout, whose instrumentation is measured beside this one's as "tokenledger, baseline"), BENCH_ATTRIBUTED=1
//      (each call made with baggage naming its user, feature and conversation, and a temperature), BENCH_FLOOR=1
//      (on openai 6 stubbed, the mode "span and metrics alone": the same span and metric records made with
//      nothing else, see genai-floor.js, the least any instrumentation recording them can add; BENCH_FLOOR=parts
//      adds that floor less one thing each: without the token usage records, without any metric record, and
//      without the span made active while the SDK runs).
'use strict';
const { patchFloor, SCOPE: FLOOR_SCOPE, PARTS: FLOOR_PARTS } = require('./genai-floor');
const { attach, benchmark, slicesLabel, loadAverage, measureSdk, printRatios, printTable, settings } = require('./instrumentation-harness');

const STREAM_REPEAT = '33'; // 33 × "Hello from gpt-4o!" = 99 words: role + 99 content + finish + usage = 102 chunks
const OURS = '@tokenledger/instrumentation-openai';
const OFFICIAL = '@opentelemetry/instrumentation-openai';
/** Another built checkout of this repository (BENCH_BASELINE=<dir>), whose instrumentation is measured beside this one's. */
const BASELINE = process.env.BENCH_BASELINE && require('node:path').resolve(process.env.BENCH_BASELINE);
const FLOOR = process.env.BENCH_FLOOR === '1' || process.env.BENCH_FLOOR === 'parts';
const FLOOR_PART_MODES = process.env.BENCH_FLOOR === 'parts' ? Object.keys(FLOOR_PARTS) : [];
const FLOOR_MODE = 'span and metrics alone';

/**
 * The clients each mode calls through: the bare SDK's, tokenledger's, and on openai 6 the official's with
 * and without logs (and, stubbed, with BENCH_FLOOR=1, the span and metric records alone).
 */
function instrumentedClients(sdkName, load, telemetry, clientOf, { stubbed = false } = {}) {
  const bare = load(sdkName);
  const ours = load(sdkName);
  attach(new (require('../packages/instrumentation-openai/dist').OpenAIInstrumentation)({ enabled: false }), telemetry).patch(ours);
  const clients = { bare: clientOf(bare), tokenledger: clientOf(ours) };
  if (BASELINE) {
    const baseline = load(sdkName);
    attach(new (require(`${BASELINE}/packages/instrumentation-openai/dist`).OpenAIInstrumentation)({ enabled: false }), telemetry).patch(baseline);
    clients['tokenledger, baseline'] = clientOf(baseline);
  }
  if (sdkName === 'openai-v6') {
    const { OpenAIInstrumentation } = require(OFFICIAL);
    // Enabled (its patched methods check), but the package is loaded as `openai-v6`, which no hook
    // matches: patched directly, as ours is.
    const official = load(sdkName);
    attach(new OpenAIInstrumentation(), telemetry).getModuleDefinitions()[0].patch(official);
    const officialNoLogs = load(sdkName);
    attach(new OpenAIInstrumentation(), telemetry, { logs: false }).getModuleDefinitions()[0].patch(officialNoLogs);
    clients.official = clientOf(official);
    clients['official, no logs'] = clientOf(officialNoLogs);
    if (FLOOR && stubbed) clients[FLOOR_MODE] = clientOf(patchFloor(load(sdkName), telemetry));
    if (stubbed) for (const part of FLOOR_PART_MODES) clients[part] = clientOf(patchFloor(load(sdkName), telemetry, FLOOR_PARTS[part]));
  }
  return clients;
}

const MESSAGES = [{ role: 'user', content: 'Say hello in one short sentence, please.' }];
/**
 * BENCH_ATTRIBUTED=1: every call is made in a context whose W3C baggage names the user, the feature
 * and the conversation, and asks for a temperature, as an attributed app's calls do (in every mode).
 */
const ATTRIBUTED = process.env.BENCH_ATTRIBUTED === '1';
const SAMPLING = ATTRIBUTED ? { temperature: 0.2 } : {};
function inAttributedContext(call) {
  if (!ATTRIBUTED) return call;
  const { context, propagation } = require('@opentelemetry/api');
  const baggage = propagation.createBaggage({
    'user.id': { value: 'alice' },
    'tokenledger.feature': { value: 'refunds' },
    'gen_ai.conversation.id': { value: 'conv-7' },
  });
  return () => context.with(propagation.setBaggage(context.active(), baggage), call);
}
const callsOf = (client) => ({
  chat: inAttributedContext(() => client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES, ...SAMPLING })),
  stream: inAttributedContext(async () => {
    const s = await client.chat.completions.create(
      { model: 'gpt-4o', messages: MESSAGES, ...SAMPLING, stream: true, stream_options: { include_usage: true } },
      { headers: { 'x-mock-repeat': STREAM_REPEAT } },
    );
    for await (const _ of s);
  }),
  embeddings: inAttributedContext(() => client.embeddings.create({ model: 'text-embedding-3-small', input: 'the quick brown fox' })),
});

/**
 * The instrumentation alone: each SDK instance's resources answer from memory — `create` returns the
 * SDK's own APIPromise over a response that is already there, a stream the SDK's own Stream over chunks
 * already parsed (the mock server's, read once) — so what is left is the instrumentation's work and the
 * OpenTelemetry SDK's, without the SDK's request and parsing, which make the full figures noisy.
 */
async function stubbedSetup(sdkName, { telemetry, serverUrl, load }) {
  const real = new (load(sdkName).OpenAI)({ apiKey: 'k', baseURL: `${serverUrl}/v1`, maxRetries: 0 });
  const completion = await callsOf(real).chat();
  const chunks = [];
  for await (const chunk of await real.chat.completions.create(
    { model: 'gpt-4o', messages: MESSAGES, stream: true, stream_options: { include_usage: true } },
    { headers: { 'x-mock-repeat': STREAM_REPEAT } },
  ))
    chunks.push(chunk);
  const embedding = await callsOf(real).embeddings();
  const { APIPromise } = require(`${sdkName}/core/api-promise`);
  const { Stream } = require(`${sdkName}/core/streaming`);
  // The response arrives a few turns later, as a fetch's does: after the app has asked for the body.
  const arrived = () =>
    Promise.resolve()
      .then()
      .then()
      .then(() => ({}));
  const answered = (client, value) => new APIPromise(client, arrived(), async () => value());
  const stub = (sdk) => {
    // The SDK's resource classes keep their prototypes (what the instrumentations patch); only the request is replaced.
    const { Completions } = sdk.OpenAI.Chat;
    Completions.prototype.create = function (body) {
      return answered(this._client, () =>
        body.stream
          ? new Stream(async function* () {
              yield* chunks;
            }, new AbortController())
          : completion,
      );
    };
    sdk.OpenAI.Embeddings.prototype.create = function () {
      return answered(this._client, () => embedding);
    };
    return sdk;
  };
  const clients = instrumentedClients(
    sdkName,
    (name) => stub(load(name)),
    telemetry,
    (sdk) => new sdk.OpenAI({ apiKey: 'k', baseURL: 'https://api.openai.com/v1', maxRetries: 0 }),
    { stubbed: true },
  );
  return { modes: Object.fromEntries(Object.entries(clients).map(([mode, client]) => [mode, callsOf(client)])) };
}

async function setup([sdkName, stubbed], { fetch, telemetry, serverUrl, load }) {
  if (stubbed) return stubbedSetup(sdkName, { telemetry, serverUrl, load });
  const clients = instrumentedClients(sdkName, load, telemetry, (sdk) => new sdk.OpenAI({ apiKey: 'k', baseURL: `${serverUrl}/v1`, maxRetries: 0, fetch }));
  return { modes: Object.fromEntries(Object.entries(clients).map(([mode, client]) => [mode, callsOf(client)])) };
}

async function main() {
  const s = settings(['chat', 'stream', 'embeddings']);
  const version = (name) => require(`${name}/version`).VERSION;
  const labels = { stream: 'stream (102 chunks)' };
  const load = loadAverage();
  const measure = (...args) =>
    measureSdk({
      file: __filename,
      args,
      kinds: s.kinds,
      sizes: { chat: s.calls, stream: s.streamCalls, embeddings: s.calls },
      rounds: s.rounds,
      repeats: s.repeats,
      slices: s.slices,
      heapCalls: s.heapCalls,
      heapKind: 'chat',
      spansOf: {
        tokenledger: OURS,
        'tokenledger, baseline': OURS,
        official: OFFICIAL,
        'official, no logs': OFFICIAL,
        [FLOOR_MODE]: FLOOR_SCOPE,
        ...Object.fromEntries(FLOOR_PART_MODES.map((part) => [part, FLOOR_SCOPE])),
      },
      only: s.only,
      cpuProfDir: s.cpuProfDir,
    });
  const parts = process.env.BENCH_PARTS?.split(',') ?? ['v6', 'v7', 'stubbed', 'stubbed-v7'];
  const v6 = parts.includes('v6') && (await measure('openai-v6'));
  const v7 = parts.includes('v7') && (await measure('openai'));
  const alone = parts.includes('stubbed') && (await measure('openai-v6', 'stubbed'));
  const aloneV7 = parts.includes('stubbed-v7') && (await measure('openai', 'stubbed'));
  console.log(
    `Process CPU µs per call, median of ${s.rounds} rounds, each the fastest of ${s.repeats} timings, the modes taking turns in ${slicesLabel(s.slices)} of each (chat and embeddings ${s.calls} calls, streams ${s.streamCalls}),` +
      ` and in brackets the overhead over the bare SDK in the same round: median [min, max]; heap after ${s.heapCalls.toLocaleString('en-US')} chat calls, 8 in flight;` +
      ` Node ${process.version}; load average ${load} → ${loadAverage()}`,
  );
  if (v6) {
    printTable(v6, { title: `openai ${version('openai-v6')}`, kinds: s.kinds, labels });
    for (const other of ['official', 'official, no logs', 'tokenledger, baseline'])
      if (v6.figures.tokenledger && v6.figures[other] && v6.figures.bare) printRatios(v6.figures, { mode: 'tokenledger', other, kinds: s.kinds });
  }
  const againstBaseline = (measured) =>
    measured.figures['tokenledger, baseline'] && printRatios(measured.figures, { mode: 'tokenledger', other: 'tokenledger, baseline', kinds: s.kinds });
  if (v7) {
    printTable(v7, { title: `openai ${version('openai')}`, kinds: s.kinds, labels });
    againstBaseline(v7);
  }
  if (alone || aloneV7)
    console.log('\nThe instrumentation alone: the same, with the SDK request stubbed (a response already there, a stream of chunks already parsed)');
  if (alone) {
    printTable(alone, { title: `openai ${version('openai-v6')}, stubbed`, kinds: s.kinds, labels });
    for (const other of ['official', 'official, no logs', 'tokenledger, baseline', FLOOR_MODE])
      if (alone.figures.tokenledger && alone.figures[other] && alone.figures.bare) printRatios(alone.figures, { mode: 'tokenledger', other, kinds: s.kinds });
    for (const floor of [FLOOR_MODE, ...FLOOR_PART_MODES])
      if (alone.figures[floor] && alone.figures.official) printRatios(alone.figures, { mode: floor, other: 'official', kinds: s.kinds });
  }
  if (aloneV7) {
    printTable(aloneV7, { title: `openai ${version('openai')}, stubbed`, kinds: s.kinds, labels });
    againstBaseline(aloneV7);
  }
}

benchmark(setup, main);
