import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * What TypeScript says compiling a tsconfig (`tsc --noEmit -p`): its diagnostics, empty when it compiles.
 * For the type-level tests: a fixture that must compile, as a user's code would.
 */
export async function typeErrors(tsconfig: string): Promise<string> {
  const tsc = require.resolve('typescript/bin/tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', tsconfig], { maxBuffer: 16 * 1024 * 1024 });
    return '';
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    return `${stdout ?? ''}${stderr ?? ''}`.trim() || (err as Error).message;
  }
}
