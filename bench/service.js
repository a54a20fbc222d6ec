// Starts the built collector service as its own process (so the benchmark client never shares its
// event loop) and resolves with its URL (and its OTLP/gRPC host:port) once it logs the ports it bound.
'use strict';
const { spawn } = require('node:child_process');
const { join } = require('node:path');

/**
 * `root`: the checkout whose build runs (another one's, to compare builds side by side), this one by
 * default; `ipc`: a message channel to the service, for what a benchmark preloads into it to answer on.
 */
function startService(env, { root = join(__dirname, '..'), ipc = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'collector-service', 'dist', 'main.js')], {
      env: { ...process.env, TOKENLEDGER_GRPC_PORT: '0', ...env, TOKENLEDGER_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])],
    });
    let out = '';
    const onData = (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1], grpcAddress: /and OTLP\/gRPC (\S+)/.exec(out)?.[1] ?? null });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGTERM' && code !== 0) console.error(`service exited (${code ?? signal}):\n${out.slice(-2000)}`);
      reject(new Error('service exited'));
    });
  });
}

module.exports = { startService };
