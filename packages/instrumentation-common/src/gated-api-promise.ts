/** The part of the SDK's APIPromise that the SDK's own helpers use on what `create` returns. */
export interface ApiPromiseLike extends Promise<unknown> {
  withResponse(): Promise<unknown>;
  asResponse(): Promise<unknown>;
  _thenUnwrap?(transform: (data: unknown, props: unknown) => unknown): ApiPromiseLike;
}

/** Carries an APIPromise through a plain promise without the promise adopting (and so parsing) it. */
export interface BoxedApiPromise {
  apiPromise: ApiPromiseLike;
}

/**
 * Stands in for the SDK's APIPromise while the call gate decides, with the same lazy contract:
 * nothing is parsed until the app (or an SDK helper) asks, and each method waits for the real
 * APIPromise, or rejects with the gate's refusal.
 */
class DeferredApiPromise extends Promise<unknown> implements ApiPromiseLike {
  // Promises derived with then/catch/finally are plain ones, as the SDK's own APIPromise does it.
  static override get [Symbol.species]() {
    return Promise;
  }

  constructor(private readonly boxed: Promise<BoxedApiPromise>) {
    super((resolve) => resolve(null));
  }

  override then<A = unknown, B = never>(
    onfulfilled?: ((value: unknown) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.boxed.then(({ apiPromise }) => apiPromise).then(onfulfilled, onrejected);
  }
  override catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<unknown> {
    return this.then(undefined, onrejected);
  }
  override finally(onfinally?: (() => void) | null): Promise<unknown> {
    return this.then().finally(onfinally);
  }
  withResponse(): Promise<unknown> {
    return this.boxed.then(({ apiPromise }) => apiPromise.withResponse());
  }
  asResponse(): Promise<unknown> {
    return this.boxed.then(({ apiPromise }) => apiPromise.asResponse());
  }
  _thenUnwrap(transform: (data: unknown, props: unknown) => unknown): ApiPromiseLike {
    return deferredApiPromise(this.boxed.then(({ apiPromise }) => ({ apiPromise: apiPromise._thenUnwrap!(transform) })));
  }
}

/**
 * A stand-in with the APIPromise methods for an APIPromise not made yet: the SDK's own helpers —
 * `messages.stream()`'s MessageStream among them — call `.withResponse()` or `_thenUnwrap` on what
 * `create` returns, so while the call gate decides (a cold budget cache) they keep working, and a
 * refusal fails them the way an API error would.
 */
export function deferredApiPromise(boxed: Promise<BoxedApiPromise>): ApiPromiseLike {
  // Read only when the app asks; a refusal nobody asked about must not become an unhandled rejection.
  boxed.catch(() => undefined);
  return new DeferredApiPromise(boxed);
}
