import { guard } from './guard';

export interface IteratorObserver<T> {
  /** Each item the app receives, in order. */
  item(value: T): void;
  /** Once: the iterator finished, failed, or the app stopped early (`break`, `return()`). */
  end(error?: unknown): void;
}

/**
 * Wraps an async iterator so every item and its end are seen, without changing what the app gets:
 * values, errors and early returns pass through untouched, and observer faults are swallowed.
 */
export function observeAsyncIterator<T>(inner: AsyncIterator<T>, observer: IteratorObserver<T>): AsyncIterableIterator<T> {
  let ended = false;
  const finish = (error?: unknown) => {
    if (ended) return;
    ended = true;
    guard('ending a stream', () => observer.end(error));
  };
  return {
    async next() {
      let result: IteratorResult<T>;
      try {
        result = await inner.next();
      } catch (err) {
        finish(err);
        throw err;
      }
      if (result.done) finish();
      else guard('reading a stream chunk', () => observer.item(result.value));
      return result;
    },
    async return(value?: unknown) {
      finish();
      return inner.return ? inner.return(value) : { done: true, value: undefined };
    },
    async throw(err?: unknown) {
      finish(err);
      if (inner.throw) return inner.throw(err);
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Observes a Stainless-generated SDK Stream (openai, @anthropic-ai/sdk) in place by wrapping its
 * `iterator` factory: `for await`, `tee()` (which reads the same iterator) and `controller.abort()`
 * keep working on the SDK's own object.
 */
export function observeSdkStream<T>(stream: unknown, makeObserver: () => IteratorObserver<T>): boolean {
  const s = stream as { iterator?: () => AsyncIterator<T> };
  if (typeof s?.iterator !== 'function') return false;
  const original = s.iterator;
  s.iterator = function (this: unknown) {
    return observeAsyncIterator(original.call(this), makeObserver());
  };
  return true;
}
