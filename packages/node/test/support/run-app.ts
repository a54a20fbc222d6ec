import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const FIXTURES = join(__dirname, '..', 'fixtures');

export interface AppRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningApp {
  /** Resolves with the first stdout line containing `text`. */
  waitFor(text: string): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  /** Writes a line to its stdin (for apps that wait between steps). */
  send(line: string): void;
  /** What it printed so far. */
  stdout(): string;
  done: Promise<AppRun>;
}

/**
 * Starts a fixture app (a name in fixtures/, or a path) as its own Node process (the hooks only work
 * in a real process: jest's module loader bypasses them), with `args` before the script (e.g.
 * `--require @tokenledger/node/register`) and only the given OTEL_ and TOKENLEDGER_ variables on top
 * of a clean environment.
 */
export function startApp(nodeArgs: string[], script: string, env: Record<string, string>): RunningApp {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('TOKENLEDGER_') && k !== 'NODE_OPTIONS'),
  );
  const child = spawn(process.execPath, [...nodeArgs, resolve(FIXTURES, script)], {
    env: { ...clean, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.on('error', () => undefined); // an app that exited or never reads: nothing to tell it
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    for (const w of waiters.splice(0)) {
      if (stdout.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<AppRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        if (stdout.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void done.then((run) => reject(new Error(`app ended before printing "${text}": ${JSON.stringify(run)}`)));
      }),
    kill: (signal) => child.kill(signal),
    send: (line) => void child.stdin.write(`${line}\n`),
    stdout: () => stdout,
    done,
  };
}

/** Runs a fixture app to its end. */
export function runApp(nodeArgs: string[], script: string, env: Record<string, string>): Promise<AppRun> {
  return startApp(nodeArgs, script, env).done;
}

export const REQUIRE_HOOK = ['--require', '@tokenledger/node/register'];
export const IMPORT_HOOK = ['--import', '@tokenledger/node/register'];
