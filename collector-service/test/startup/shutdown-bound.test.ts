import { spawn } from 'node:child_process';
import { join } from 'node:path';

// The compiled module (./run test builds the service first), run in a process of its own: what is
// tested is a real process receiving a real signal.
const BOUND = join(__dirname, '../../dist/startup/shutdown-bound.js');

/**
 * A process whose own SIGTERM handling (standing in for the app's shutdown hooks) either finishes
 * or never does, with the bound armed at 300 ms. Resolves with its exit code and output.
 */
function runWithShutdown(hookFinishes: boolean): Promise<{ code: number | null; output: string }> {
  const script = `
    const { boundShutdown } = require(${JSON.stringify(BOUND)});
    const keepAlive = setInterval(() => {}, 1000);
    process.on('SIGTERM', () => {
      // The app's hooks: they finish (and the process ends by itself), or they never do.
      if (${hookFinishes}) setTimeout(() => clearInterval(keepAlive), 50);
    });
    boundShutdown({ error: (m) => console.error(m), log() {}, warn() {} }, 300);
    console.log('ready');
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready') && !child.killed) child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('the bound on a stop signal’s shutdown', () => {
  it('exits with 1 and says why when the shutdown never finishes', async () => {
    const { code, output } = await runWithShutdown(false);
    expect(code).toBe(1);
    expect(output).toContain('the shutdown after SIGTERM did not finish within 0.3 s: exiting now');
  });

  it('stays out of the way of a shutdown that finishes', async () => {
    const { code, output } = await runWithShutdown(true);
    expect(code).toBe(0);
    expect(output).not.toContain('did not finish');
  });
});
