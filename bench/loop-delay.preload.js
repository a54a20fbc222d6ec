// Preloaded into the service a benchmark starts (NODE_OPTIONS=--require, with an IPC channel): how long
// the event loop was held, as perf_hooks sees it. Asked 'loop-delay', the service answers with the
// delays since it was last asked, { p50, p99, max, mean } in milliseconds, and starts counting again.
// (A message channel, not a signal: the service shuts down on SIGUSR2 as on SIGTERM.)
'use strict';
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { isMainThread } = require('node:worker_threads');

if (isMainThread && process.send) {
  const delays = monitorEventLoopDelay({ resolution: 5 });
  delays.enable();
  // The channel must not keep a service that is shutting down alive.
  process.channel.unref();
  process.on('message', (message) => {
    if (message !== 'loop-delay') return;
    const ms = (ns) => Math.round(ns / 1e4) / 100;
    process.send({ p50: ms(delays.percentile(50)), p99: ms(delays.percentile(99)), max: ms(delays.max), mean: ms(delays.mean) });
    delays.reset();
  });
}
