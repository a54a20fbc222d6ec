import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
/** The Node.js running the tests (the project's), first on PATH so `npm` and `npx` run on it. */
const NODE_BIN = dirname(process.execPath);

export interface RunningProcess {
  child: ChildProcess;
  /** Everything written so far to stdout and stderr, interleaved. */
  output(): string;
  /** Resolves with the service's URL once it logs that it listens; rejects if it exits first. */
  listening(): Promise<string>;
  /** Resolves with the exit code once the process has ended. */
  exited(): Promise<number | null>;
  /** Stops the process (and what it started: npm runs the service as its child). */
  stop(): Promise<void>;
}

/**
 * Runs a command in its own process group with the given environment (PATH leads to the project's
 * Node.js), reading its output as a person would see it.
 */
export function runProcess(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunningProcess {
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...(options.env ?? process.env), PATH: `${NODE_BIN}:${(options.env ?? process.env).PATH ?? ''}` },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  // 'close', not 'exit': by then every byte the process wrote has been read.
  const exit = new Promise<number | null>((resolve) => {
    child.once('close', (code) => resolve(code));
    child.once('error', (err) => {
      out += `${err.message}\n`;
      resolve(null);
    });
  });
  return {
    child,
    output: () => out,
    exited: () => exit,
    listening: () =>
      new Promise<string>((resolve, reject) => {
        const look = () => {
          const m = /listening on (http:\/\/[^\s]+?:\d+)/.exec(out);
          if (m) {
            child.stdout.off('data', look);
            child.stderr.off('data', look);
            resolve(m[1]);
          }
        };
        child.stdout.on('data', look);
        child.stderr.on('data', look);
        look();
        void exit.then((code) => reject(new Error(`exited with ${code} before listening:\n${out}`)));
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      await exit;
    },
  };
}
