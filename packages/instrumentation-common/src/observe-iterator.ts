import { fault } from './guard';

export interface IteratorObserver<T> {
  /** Each item the app receives, in order. */
  item(value: T): void;
  /** Once: the iterator finished, failed, or the app stopped early (`break`, `return()`). */
  end(error?: unknown): void;
}

/**
 * Wraps an async iterator so every item and its end are seen, without changing what the app gets:
 * `next()` hands the app the source's own promise and observes it beside the app (the observer's
 * reaction is registered first, so it sees each item before the app does); values, errors and early
 * returns pass through untouched, and observer faults are swallowed. Per item this costs one promise
 * reaction and nothing else.
 */
export function observeAsyncIterator<T>(inner: AsyncIterator<T>, observer: IteratorObserver<T>): AsyncIterableIterator<T> {
  let ended = false;
  const finish = (error?: unknown): void => {
    if (ended) return;
    ended = true;
    try {
      observer.end(error);
    } catch (err) {
      fault('ending a stream', err);
    }
  };
  const seeResult = (result: IteratorResult<T>): void => {
    if (result.done) return finish();
    try {
      observer.item(result.value);
    } catch (err) {
      fault('reading a stream chunk', err);
    }
  };
  return {
    next() {
      let next: Promise<IteratorResult<T>>;
      try {
        next = inner.next();
      } catch (err) {
        finish(err);
        return Promise.reject(err);
      }
      // Promise.resolve: the source's own promise as is; anything else it may hand back, wrapped.
      Promise.resolve(next).then(seeResult, finish);
      return next;
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
