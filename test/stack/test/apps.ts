import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const LOAD_APP = join(__dirname, '..', 'apps', 'load-app.cjs');

/**
 * Runs apps/load-app.cjs as a user runs an app: `node --require @tokenledger/node/register`, the real
 * openai SDK against OPENAI_BASE_URL (the mock), spans exported to OTEL_EXPORTER_OTLP_ENDPOINT.
 * Resolves with its last line ("done <calls>") once its spans are flushed.
 */
export async function runLoadApp(env: Record<string, string>): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, ['--require', '@tokenledger/node/register', LOAD_APP], {
    cwd: join(__dirname, '..'),
    env: { ...process.env, OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_METRICS_EXPORTER: 'none', ...env },
  });
  return stdout.trim();
}
