import { isMainThread } from 'node:worker_threads';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
type Signal = (typeof SIGNALS)[number];

/**
 * Resolves true when `work` settles, false after `ms` if it has not; never rejects. It keeps the
 * process alive for that long and no longer: the exports themselves never hold it
 * (export/otlp-exporter.ts), so once this resolves an app that is done ends, whatever the collector
 * is doing.
 */
export function bounded(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    work.then(
      () => (clearTimeout(timer), resolve(true)),
      () => (clearTimeout(timer), resolve(true)),
    );
  });
}

/**
 * Flushes telemetry before the process goes away, without changing how it goes away:
 *
 * - On SIGTERM / SIGINT, spans and metrics are exported first (at most `timeoutMs`), then the
 *   signal is delivered to the app's own listeners as if nothing had intervened. An app with no
 *   listener of its own gets the default action afterwards (the process ends by that signal); a
 *   second signal during the flush is delivered at once.
 * - On `beforeExit` (the event loop ran dry), the SDK is shut down, which exports what is left
 *   (at most `timeoutMs`: then the process ends, the export abandoned).
 *
 * When the wait ends before the exports do, `gaveUp` is told (it reports why they are not through).
 *
 * Listening to a signal replaces Node's default action, so the hook listens with a no-op and holds
 * delivery in `process.emit` (the way signal-exit does) until the flush is done.
 * `process.exit()` called by the app cannot be waited for: what is still buffered then is lost.
 */
export function installShutdownHooks(
  flush: () => Promise<void>,
  shutdown: () => Promise<void>,
  timeoutMs: number,
  gaveUp: (waitedMs: number) => void = () => {},
): () => void {
  const within = async (work: Promise<void>): Promise<void> => {
    if (!(await bounded(work, timeoutMs))) gaveUp(timeoutMs);
  };
  const held = new Set<string>();
  const listenToSignal = () => {};
  // Kept unbound: it is called on process and put back as it was.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const originalEmit = process.emit;

  const deliver = (event: Signal, args: unknown[]): boolean => {
    if (process.listeners(event).every((listener) => listener === listenToSignal)) {
      process.removeListener(event, listenToSignal);
      process.kill(process.pid, event);
      return true;
    }
    return (originalEmit as (...a: unknown[]) => boolean).call(process, event, ...args);
  };

  const patchedEmit = function (this: NodeJS.Process, event: string | symbol, ...args: unknown[]): boolean {
    if (!(SIGNALS as readonly (string | symbol)[]).includes(event)) return (originalEmit as (...a: unknown[]) => boolean).call(this, event, ...args);
    const signal = event as Signal;
    if (held.has(signal)) return deliver(signal, args);
    held.add(signal);
    void within(flush()).then(() => {
      held.delete(signal);
      deliver(signal, args);
    });
    return true;
  };
  // Signals reach the main thread only; a worker flushes at its own beforeExit.
  if (isMainThread) {
    process.emit = patchedEmit as typeof process.emit;
    for (const signal of SIGNALS) process.on(signal, listenToSignal);
  }

  let exiting: Promise<void> | null = null;
  const onBeforeExit = () => {
    exiting ??= within(shutdown());
  };
  process.on('beforeExit', onBeforeExit);

  return () => {
    if (process.emit === patchedEmit) process.emit = originalEmit;
    for (const signal of SIGNALS) process.removeListener(signal, listenToSignal);
    process.removeListener('beforeExit', onBeforeExit);
  };
}
