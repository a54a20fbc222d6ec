import type { GenAiCall } from './genai-telemetry';
import { guard } from './guard';

/** The part of the SDK's APIPromise we observe: its response promise and its body parser. */
interface ObservablePromise {
  responsePromise?: Promise<unknown>;
  parseResponse?: (...args: unknown[]) => Promise<unknown>;
}

/**
 * Watches the SDK's own APIPromise without replacing it, so `.withResponse()`, `.asResponse()` and
 * the SDK's types keep working: the body parser the SDK calls when the app awaits the promise is
 * wrapped to see the parsed result, and a failed request ends the call with its error. An app that
 * only reads the raw response never parses: its call ends when the response arrives.
 */
export function observeApiPromise(promise: unknown, call: GenAiCall, onParsed: (value: unknown) => void): void {
  guard('observing the response', () => {
    const p = promise as ObservablePromise;
    let parsing = false;
    const parse = p.parseResponse;
    if (typeof parse === 'function') {
      p.parseResponse = async function (this: unknown, ...args: unknown[]) {
        parsing = true;
        let value: unknown;
        try {
          value = await parse.apply(this, args);
        } catch (err) {
          call.end(null, err);
          throw err;
        }
        guard('reading the response', () => onParsed(value));
        return value;
      };
    }
    p.responsePromise?.then(
      () => setImmediate(() => !parsing && call.end(null)),
      (err: unknown) => call.end(null, err),
    );
  });
}
