// What the in-process budget guard costs an AI call once its decision is warm: the gate alone
// (decisions per second for a cached attribution), and a real openai chat call against the loopback
// mock LLM server with the guard installed vs without it (same process, same instrumentation,
// sequential calls). The collector is a loopback stub answering "allow"; once warm it is not asked
// again within the cache period, which is the point.
// Run: ./run node bench/budget-guard.bench.js   (build first: ./run build)
//      BENCH_CALLS (default 2000 per round, 5 rounds) to change the size.
'use strict';
const { createServer } = require('node:http');
const { median } = require('./stats');

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const ROUNDS = 5;

async function main() {
  const checks = { count: 0 };
  const stub = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      checks.count++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"allowed":true,"decision":"allow","budgets":[],"resetsAt":null}');
    });
  });
  await new Promise((resolve) => stub.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${stub.address().port}`;

  const { registerTokenledger, withAttribution } = require('../packages/node/dist');
  const { installBudgetGuard, uninstallBudgetGuard } = require('../packages/node/dist/budget/install');
  const { resolveGuardOptions } = require('../packages/node/dist/budget/options');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
  const { W3CBaggagePropagator } = require('@opentelemetry/core');
  const api = require('@opentelemetry/api');
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(new W3CBaggagePropagator());
  registerTokenledger({ budgetGuard: false }); // patches openai when it is required below
  const OpenAI = require('openai');
  const { startMockLlmServer } = require('../test/mock-llm-server/dist');
  const llm = await startMockLlmServer();
  const client = new OpenAI({ apiKey: 'k', baseURL: `${llm.url}/v1`, maxRetries: 0 });
  const options = resolveGuardOptions({ url, cacheMs: 3_600_000 });

  // The gate alone, warm.
  const guard = installBudgetGuard(options);
  const call = { provider: 'openai', model: 'gpt-4o', operation: 'chat', attributes: { 'user.id': 'u1', 'tokenledger.feature': 'chat' } };
  await guard.gate(call);
  const gateRates = [];
  for (let r = 0; r < ROUNDS; r++) {
    const n = 1_000_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) guard.gate(call);
    gateRates.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
  }

  const chat = () => withAttribution({ userId: 'u1' }, () => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }));
  async function perCall() {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) await chat();
    return Number(process.hrtime.bigint() - t0) / 1000 / CALLS;
  }
  const on = [];
  const off = [];
  for (let i = 0; i < 200; i++) await chat(); // warm the SDK, the JIT and the decision
  for (let r = 0; r < ROUNDS; r++) {
    uninstallBudgetGuard();
    off.push(await perCall());
    installBudgetGuard(options);
    await chat(); // a new guard starts cold: one decision, then warm
    on.push(await perCall());
  }
  console.log(`gate, warm decision: ${(median(gateRates) / 1e6).toFixed(2)} M decisions/s (${(1e6 / median(gateRates)).toFixed(3)} µs each)`);
  console.log(
    `openai chat via loopback, guard off: ${median(off).toFixed(0)} µs/call; guard on: ${median(on).toFixed(0)} µs/call (median of ${ROUNDS} rounds of ${CALLS})`,
  );
  console.log(`checks sent to the collector: ${checks.count} in all (one each time a guard starts cold), for ${5_000_000 + ROUNDS * CALLS} warm decisions`);
  await llm.close();
  stub.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
