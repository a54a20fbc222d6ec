import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectorApi } from './collector-api';
import { closedPort } from './otlp-receiver';

/** The collector service's entry point, built by `npm run build` (the repository layout is fixed). */
const COLLECTOR_MAIN = join(__dirname, '..', '..', '..', '..', 'collector-service', 'dist', 'main.js');

export interface CollectorProcess {
  url: string;
  /** Its OTLP/gRPC receiver, as OTEL_EXPORTER_OTLP_ENDPOINT names a plaintext gRPC endpoint. */
  grpcUrl: string;
  /** GET or POST JSON against the collector; returns the status and the body read as T. */
  api<T>(path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/** The real collector service as its own process, on a fresh SQLite file, in open mode on loopback. */
export async function startCollectorProcess(): Promise<CollectorProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-node-collector-'));
  const port = await closedPort();
  const url = `http://127.0.0.1:${port}`;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TOKENLEDGER_') && !k.startsWith('OTEL_')));
  const child: ChildProcess = spawn(process.execPath, [COLLECTOR_MAIN], {
    env: { ...env, TOKENLEDGER_PORT: String(port), TOKENLEDGER_GRPC_PORT: '0', TOKENLEDGER_SQLITE_PATH: join(dir, 'tokenledger.sqlite') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  for (let ready = false; !ready;) {
    if (child.exitCode !== null) throw new Error(`the collector exited during start: ${output}`);
    // Ready once it answers and has said where its OTLP/gRPC receiver listens.
    ready =
      (await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )) && /and OTLP\/gRPC/.test(output);
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const grpcAddress = /and OTLP\/gRPC (\S+:\d+)/.exec(output)![1];
  return {
    url,
    grpcUrl: `http://${grpcAddress}`,
    api: (path, body) => collectorApi(url, path, body),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
