import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  /** The OTLP/gRPC receiver's host:port (it listens on a free port unless TOKENLEDGER_GRPC_PORT says otherwise). */
  grpcAddress: string | null;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when the output matches, or rejects after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<void>;
}

/** The built service as its own process on ephemeral ports; resolves once it listens. */
export function startService(env: Record<string, string>): Promise<ServiceProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, TOKENLEDGER_PORT: '0', TOKENLEDGER_GRPC_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let resolved = false;
    const listeners: (() => void)[] = [];
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      for (const listener of [...listeners]) listener();
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m && !resolved) {
        resolved = true;
        const grpc = /and OTLP\/gRPC \S+:(\d+)/.exec(out);
        resolve({
          child,
          url: `http://127.0.0.1:${m[1]}`,
          grpcAddress: grpc ? `127.0.0.1:${grpc[1]}` : null,
          output: () => out,
          waitForOutput: (pattern, timeoutMs = 20_000) =>
            new Promise<void>((done, fail) => {
              const timer = setTimeout(() => fail(new Error(`no output matching ${pattern} in ${timeoutMs} ms; output:\n${out}`)), timeoutMs);
              const check = () => {
                if (!pattern.test(out)) return;
                clearTimeout(timer);
                listeners.splice(listeners.indexOf(check), 1);
                done();
              };
              listeners.push(check);
              check();
            }),
          stop: async () => {
            if (child.exitCode !== null || child.signalCode !== null) return;
            const exited = new Promise((r) => child.once('exit', r));
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      if (!resolved) reject(new Error(`service exited with ${code ?? signal} before listening: ${out}`));
    });
  });
}
