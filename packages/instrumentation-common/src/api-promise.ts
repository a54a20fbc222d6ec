import type { GenAiCall } from './genai-telemetry';
import { guard } from './guard';

/** The parts of a Stainless SDK APIPromise we observe. */
interface ChainablePromise {
  responsePromise?: Promise<unknown>;
  parseResponse?: (...args: unknown[]) => Promise<unknown>;
  _thenUnwrap?: (transform: (value: unknown, props: unknown) => unknown, ...rest: unknown[]) => ChainablePromise;
}

interface ChainState {
  parsing: boolean;
  seen: boolean;
}

/**
 * Watches the SDK's own APIPromise without replacing it: the body parser the SDK calls when the app
 * awaits is wrapped to see the parsed result, a failed request ends the call with its error, and an
 * app that only reads the raw response ends the call when it arrives. It also follows the promises
 * derived with `_thenUnwrap`.
 *
 * The SDK's helpers are built on the patched method and chain on its promise with `_thenUnwrap`:
 * openai's `chat.completions.parse()`, `responses.stream()`, `ChatCompletionStream`. Since openai 7
 * each APIPromise carries its own `_thenUnwrap`, bound to the original body parser, so a derived
 * promise never calls the parser observed on the base one. Here the transform handed to
 * `_thenUnwrap` is wrapped instead (it receives the base promise's parsed value), and the derived
 * promise's parser marks the call as being parsed, so the call ends with the usage either way, once.
 * The SDK's objects stay its own: `.withResponse()`, `.asResponse()` and types keep working.
 */
export function observeApiPromise(promise: unknown, call: GenAiCall, onParsed: (value: unknown) => void): void {
  guard('observing the response', () => {
    const state: ChainState = { parsing: false, seen: false };
    const see = (value: unknown) => {
      if (state.seen) return;
      state.seen = true;
      guard('reading the response', () => onParsed(value));
    };
    const p = promise as ChainablePromise;
    watch(p, call, state, see, true);
    // An app that only reads the raw response (`asResponse()`) never parses: end when it arrives.
    p.responsePromise?.then(
      () => setImmediate(() => !state.parsing && call.end(null)),
      (err: unknown) => call.end(null, err),
    );
  });
}

function watch(p: ChainablePromise, call: GenAiCall, state: ChainState, see: (value: unknown) => void, isBase: boolean): void {
  const parse = p.parseResponse;
  if (typeof parse === 'function') {
    p.parseResponse = async function (this: unknown, ...args: unknown[]) {
      state.parsing = true;
      let value: unknown;
      try {
        value = await parse.apply(this, args);
      } catch (err) {
        call.end(null, err);
        throw err;
      }
      if (isBase) see(value);
      return value;
    };
  }
  const thenUnwrap = p._thenUnwrap;
  if (typeof thenUnwrap === 'function') {
    p._thenUnwrap = function (this: unknown, transform, ...rest) {
      const derived = thenUnwrap.call(
        this,
        (value: unknown, props: unknown) => {
          see(value);
          return transform(value, props);
        },
        ...rest,
      );
      guard('observing a derived response', () => watch(derived, call, state, see, false));
      return derived;
    };
  }
}
