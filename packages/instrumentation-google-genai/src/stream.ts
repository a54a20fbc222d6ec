import { observeAsyncIterator, type IteratorObserver } from '@tokenledger/instrumentation-common';

interface AsyncGeneratorLike<T> {
  next(...args: unknown[]): Promise<IteratorResult<T>>;
  return?(value?: unknown): Promise<IteratorResult<T>>;
  throw?(err?: unknown): Promise<IteratorResult<T>>;
}

/**
 * Observes the SDK's own async generator in place: its `next`, `return` and `throw` are replaced on
 * the object itself, so the app keeps the very object the SDK made (`for await`, `break`,
 * `return()` and its type all unchanged) while every chunk and the end are seen once.
 */
export function observeGeneratorInPlace<T>(generator: unknown, observer: IteratorObserver<T>): boolean {
  const g = generator as AsyncGeneratorLike<T>;
  if (!g || typeof g.next !== 'function') return false;
  const inner: AsyncIterator<T> = {
    next: g.next.bind(g),
    ...(typeof g.return === 'function' ? { return: g.return.bind(g) } : {}),
    ...(typeof g.throw === 'function' ? { throw: g.throw.bind(g) } : {}),
  };
  const observed = observeAsyncIterator(inner, observer);
  Object.assign(g, { next: observed.next.bind(observed), return: observed.return?.bind(observed), throw: observed.throw?.bind(observed) });
  return true;
}
