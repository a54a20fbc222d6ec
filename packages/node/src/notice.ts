/**
 * One line on stderr for the person running the app, from the hook itself (not the OpenTelemetry
 * diagnostic logger, which is silent unless OTEL_LOG_LEVEL asks for it). OTEL_LOG_LEVEL=none silences
 * these too.
 */
export function notice(line: string, env: NodeJS.ProcessEnv = process.env): void {
  if ((env.OTEL_LOG_LEVEL ?? '').trim().toLowerCase() === 'none') return;
  process.stderr.write(`@tokenledger/node: ${line}\n`);
}
