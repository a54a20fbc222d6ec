import type { LoggerService } from '@nestjs/common';

/**
 * How long a stop signal's graceful shutdown may take before the process exits anyway. What the
 * shutdown waits for (requests in flight, a compaction round, the store's connections) normally ends
 * in seconds; a hook that never returns must not keep a replica running half stopped. Exiting
 * early loses nothing acknowledged: a batch not yet acknowledged is sent again by its sender, and
 * one half stored is finished by the next instance (see the stores' exactly-once ingest).
 */
export const SHUTDOWN_BOUND_MS = 30_000;

/**
 * Arms, on the first SIGTERM or SIGINT, a timer that exits with code 1 if the process is still
 * running `boundMs` later. Call it once the app's own shutdown hooks are listening: a listener of
 * ours alone would swallow the signal.
 */
export function boundShutdown(logger: LoggerService, boundMs = SHUTDOWN_BOUND_MS): void {
  const arm = (signal: NodeJS.Signals) => {
    for (const s of ['SIGTERM', 'SIGINT'] as const) process.removeListener(s, arm);
    logger.debug?.(`${signal}: shutting down (exiting anyway after ${boundMs / 1000} s)`, 'Shutdown');
    setTimeout(() => {
      logger.error(
        `the shutdown after ${signal} did not finish within ${boundMs / 1000} s: exiting now (batches not acknowledged yet are sent again by their senders)`,
        'Collector',
      );
      process.exit(1);
    }, boundMs).unref();
  };
  for (const s of ['SIGTERM', 'SIGINT'] as const) process.on(s, arm);
}
