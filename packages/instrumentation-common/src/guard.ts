import { diag } from '@opentelemetry/api';

let warned = false;

/**
 * Reports a fault of instrumentation code, which is then ignored: logged once per process (a broken
 * patch would otherwise log on every call), never thrown into the application.
 */
export function fault(what: string, err: unknown): void {
  if (warned) return;
  warned = true;
  const message = `[tokenledger] instrumentation fault in ${what}, ignored (logged once); the call itself is unaffected: ${(err as Error)?.message ?? String(err)}`;
  diag.warn(message);
  console.warn(message);
}

/** Runs instrumentation code so that a fault in it never reaches the application: see {@link fault}. */
export function guard<T>(what: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    fault(what, err);
    return undefined;
  }
}
