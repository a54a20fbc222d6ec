import { diag } from '@opentelemetry/api';

let warned = false;

/**
 * Runs instrumentation code so that a fault in it never reaches the application: the fault is logged
 * once per process (a broken patch would otherwise log on every call) and `undefined` is returned.
 */
export function guard<T>(what: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!warned) {
      warned = true;
      const message = `[tokenledger] instrumentation fault in ${what}, ignored (logged once); the call itself is unaffected: ${(err as Error)?.message ?? String(err)}`;
      diag.warn(message);
      console.warn(message);
    }
    return undefined;
  }
}
