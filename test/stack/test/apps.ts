import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const LOAD_APP = join(__dirname, '..', 'apps', 'load-app.cjs');

/**
 * Runs apps/load-app.cjs as a user runs an app: `node --require @tokenledger/node/register`, the real
 * openai SDK against OPENAI_BASE_URL (the mock), spans exported to OTEL_EXPORTER_OTLP_ENDPOINT.
 * Resolves with its last line ("done <calls>") once its spans are flushed, and the moment (epoch ms)
 * the app saw its flush end: its last export acknowledged.
 */
export async function runLoadAppFlushed(env: Record<string, string>): Promise<{ output: string; flushedAtMs: number }> {
  const { stdout, stderr } = await execFileAsync(process.execPath, ['--require', '@tokenledger/node/register', LOAD_APP], {
    cwd: join(__dirname, '..'),
    // The flush at exit waits for the collector's answer however loaded the machine is (by default it gives up after 2 s).
    env: { ...process.env, OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_METRICS_EXPORTER: 'none', TOKENLEDGER_SHUTDOWN_TIMEOUT_MS: '30000', ...env },
  });
  const flushed = /^flushed at (\d+)$/m.exec(stderr);
  if (!flushed) throw new Error(`the load app did not say when its flush ended; its stderr:\n${stderr}`);
  return { output: stdout.trim(), flushedAtMs: Number(flushed[1]) };
}

/** As runLoadAppFlushed, resolving with the app's last line. */
export async function runLoadApp(env: Record<string, string>): Promise<string> {
  return (await runLoadAppFlushed(env)).output;
}
