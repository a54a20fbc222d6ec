import type { StoragePort } from './storage.port';

/** How long a sender or reader waits before asking again while the store is unavailable. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * The store failed (disk full, files not writable, the database server gone): the request may work
 * later, so it is answered 503 with Retry-After, never 500.
 */
export class StoreFaultError extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
    this.name = 'StoreFaultError';
  }
}

/** What a store throws about its arguments (a bad cursor, a bad document address): the caller's to answer. */
const isArgumentError = (err: unknown) => err instanceof TypeError || err instanceof RangeError;

function fault(err: unknown): unknown {
  return err instanceof StoreFaultError || isArgumentError(err) || !(err instanceof Error) ? err : new StoreFaultError(err);
}

async function* faultsOf<T>(iterable: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* iterable;
  } catch (err) {
    throw fault(err);
  }
}

/**
 * The store with every failure of its own marked as a StoreFaultError (a promise that rejects, a
 * stream that breaks), so whoever calls it can tell "retry later" from a fault in the request.
 */
export function withStoreFaults(store: StoragePort): StoragePort {
  return new Proxy(store, {
    get: (target, property, receiver) => {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = value.apply(target, args);
        } catch (err) {
          throw fault(err);
        }
        if (result instanceof Promise) return result.catch((err: unknown) => Promise.reject(fault(err)));
        if (result && typeof result === 'object' && Symbol.asyncIterator in result) return faultsOf(result as AsyncIterable<unknown>);
        return result;
      };
    },
  });
}
