import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');

/**
 * The path of a stack program built by scripts/stack/go-tools.sh (or installed from Debian), from the
 * variable the test command exports. Missing is an error, not a skip: a rule file nobody checked is
 * a rule file that may not load.
 */
export function opsTool(variable: 'TOKENLEDGER_PROMTOOL' | 'TOKENLEDGER_AMTOOL' | 'TOKENLEDGER_OTELCOL' | 'TOKENLEDGER_DOCKER_COMPOSE'): string {
  const path = process.env[variable];
  if (!path || !existsSync(path)) {
    throw new Error(
      `${variable} is not set to an existing program; run the tests with ./run test (scripts/test-servers/ops-tools.start.sh builds and exports it)`,
    );
  }
  return path;
}

/** Runs a program and returns its combined output; a non-zero exit throws with that output. */
export function run(program: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  try {
    return execFileSync(program, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${program} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}${e.message}`);
  }
}
