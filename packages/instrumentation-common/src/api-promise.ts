import type { GenAiCall } from './genai-telemetry';
import { fault } from './guard';

/** The parts of a Stainless SDK APIPromise we observe. */
interface ChainablePromise {
  responsePromise?: Promise<unknown>;
  /** Set by the SDK as soon as anyone asks for the parsed body (`await`, `.then`, `withResponse()`). */
  parsedPromise?: Promise<unknown>;
  parseResponse?: (...args: unknown[]) => unknown;
  _thenUnwrap?: (transform: (value: unknown, props: unknown) => unknown, ...rest: unknown[]) => ChainablePromise;
}

/** One call's APIPromise (and the promises derived from it) under observation. */
class ApiPromiseWatch {
  /** A body parser of this call has started. */
  parsing = false;
  private seen = false;

  constructor(
    private readonly base: ChainablePromise,
    private readonly call: GenAiCall,
    private readonly onParsed: (value: unknown) => void,
  ) {}

  /** The parsed body, once, whichever promise of the chain parsed it. */
  readonly see = (value: unknown): void => {
    if (this.seen) return;
    this.seen = true;
    try {
      this.onParsed(value);
    } catch (err) {
      fault('reading the response', err);
    }
  };

  readonly failed = (err: unknown): void => this.call.end(null, err);

  /**
   * The response arrived. Nobody asked for the body (the app reads only the raw response with
   * `asResponse()`, or never awaits): then the call ends without usage. The SDK parses after this
   * runs, so a parse asked for on another promise of the chain is seen a turn later.
   */
  readonly arrived = (): void => {
    if (this.parsing || this.base.parsedPromise !== undefined) return;
    setImmediate(() => {
      if (!this.parsing) this.call.end(null);
    });
  };
}

/**
 * Wraps the body parser and `_thenUnwrap` of one promise of a call's chain. The SDK calls them with
 * its promise as `this`; they reach the watch through the closure, which is all they allocate.
 */
function watchChain(watch: ApiPromiseWatch, p: ChainablePromise, isBase: boolean): void {
  const parse = p.parseResponse;
  if (typeof parse === 'function') {
    p.parseResponse = function (this: unknown, ...args: unknown[]) {
      watch.parsing = true;
      let parsed: unknown;
      try {
        parsed = parse.apply(this, args);
      } catch (err) {
        watch.failed(err);
        throw err;
      }
      // Seen beside the SDK, before the promise it resolves with reaches the app (so a Stream is
      // observed before the app iterates it); the app still gets the parser's own promise.
      Promise.resolve(parsed).then(isBase ? watch.see : undefined, watch.failed);
      return parsed;
    };
  }
  const thenUnwrap = p._thenUnwrap;
  if (typeof thenUnwrap === 'function') {
    p._thenUnwrap = function (this: unknown, transform, ...rest) {
      const derived = thenUnwrap.call(
        this,
        (value: unknown, props: unknown) => {
          watch.see(value);
          return transform(value, props);
        },
        ...rest,
      );
      try {
        watchChain(watch, derived, false);
      } catch (err) {
        fault('observing a derived response', err);
      }
      return derived;
    };
  }
}

/**
 * Watches the SDK's own APIPromise without replacing it: the body parser the SDK calls when the app
 * awaits is wrapped to see the parsed result, a failed request ends the call with its error, and an
 * app that only reads the raw response ends the call when it arrives. It also follows the promises
 * derived with `_thenUnwrap`.
 *
 * The SDK's helpers are built on the patched method and chain on its promise with `_thenUnwrap`:
 * openai's `chat.completions.parse()`, `responses.stream()`, `ChatCompletionStream`. A derived
 * promise may call its own copy of the original body parser rather than the one observed on the
 * base promise, so the transform handed to `_thenUnwrap` is wrapped too (it receives the base
 * promise's parsed value), and the derived promise's parser marks the call as being parsed: the call
 * ends with the usage either way, once. The SDK's objects stay its own: `.withResponse()`,
 * `.asResponse()` and types keep working.
 */
export function observeApiPromise(promise: unknown, call: GenAiCall, onParsed: (value: unknown) => void): void {
  try {
    const p = promise as ChainablePromise;
    const watch = new ApiPromiseWatch(p, call, onParsed);
    watchChain(watch, p, true);
    p.responsePromise?.then(watch.arrived, watch.failed);
  } catch (err) {
    fault('observing the response', err);
  }
}
