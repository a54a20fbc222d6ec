import { type Attributes, context, trace } from '@opentelemetry/api';
import { observeApiPromise } from './api-promise';
import { attributionFromContext } from './attribution';
import { afterGate, askGate, type CallDescription } from './call-gate';
import type { CallTarget } from './call-target';
import { type ApiPromiseLike, deferredApiPromise } from './gated-api-promise';
import type { GenAiSurfaceContext } from './genai-instrumentation';
import { type CallStart, GenAiCall } from './genai-telemetry';
import { fault } from './guard';

/**
 * One SDK method as tokenledger records it. A surface says what is particular to it — its operation,
 * where a call goes, its request attributes, how to read its result — and `wrapSdkMethod` does the
 * rest, the same way for every SDK.
 */
export interface SdkMethod<Self, Args extends unknown[]> {
  /** `gen_ai.operation.name` of each call. */
  operation: string;
  /**
   * What the method returns: the SDK's lazy `APIPromise` (openai, @anthropic-ai/sdk), observed in
   * place so that it parses nothing the app did not ask for, or a plain Promise.
   */
  returns: 'api-promise' | 'promise';
  /** Where a call goes, from the SDK object (a client's base URL rarely changes: cache per client). */
  target(self: Self, args: Args): CallTarget;
  /** The model the request names. */
  model(self: Self, args: Args): string;
  /** The request's own attributes (sampling parameters; prompts when content capture is on). */
  requestAttributes?(self: Self, args: Args, ctx: GenAiSurfaceContext): Attributes | undefined;
  /**
   * The arguments the SDK method is called with, when the surface must see more than the method
   * returns: a session delivered to callbacks the app passes (Gemini Live) is observed through copies
   * of them, made here; the app's own objects are never changed. A fault here calls the method with
   * the app's arguments.
   */
  prepare?(args: Args, call: GenAiCall, ctx: GenAiSurfaceContext): Args;
  /**
   * Reads what the SDK resolved to (a response, or a stream or session to observe in place) and ends
   * the call: now, or when the stream ends. A fault here is logged once and the call ends without usage.
   */
  onResult(value: unknown, call: GenAiCall, args: Args, ctx: GenAiSurfaceContext, self: Self): void;
}

/**
 * An SDK method that is not an AI call but tells a surface something it needs: a batch job's status
 * or its results. It spends nothing, so no gate is asked and no span is started for it; `onResult`
 * may start the calls it reveals (each result of a batch).
 */
export interface WatchedSdkMethod<Self, Args extends unknown[]> {
  returns: 'api-promise' | 'promise';
  onResult(value: unknown, args: Args, ctx: GenAiSurfaceContext, self: Self): void;
}

export type SdkFunction<Self, Args extends unknown[]> = (this: Self, ...args: Args) => unknown;

/** Sees what a promise resolves to, beside the app (the handlers are registered before the app's). */
function observePromise(promise: unknown, call: GenAiCall, onValue: (value: unknown) => void): void {
  if (typeof (promise as Promise<unknown>)?.then !== 'function') return onValue(promise);
  (promise as Promise<unknown>).then(onValue, (err: unknown) => call.end(null, err));
}

/**
 * Wraps one SDK method. Each call, in this order:
 * 1. asks the call gate (the budget guard): a refusal rejects the way the SDK rejects an API error,
 *    and no request is sent; a pending decision (a cold cache) makes the call wait for it;
 * 2. starts the GenAI span, attributed from the caller's baggage;
 * 3. runs the SDK method with the span active, so the HTTP client span of its request (and the SDK's
 *    own spans) are children of it;
 * 4. ends the span with the error if the method throws synchronously (it refused its arguments);
 * 5. observes what it returned and hands the result to the surface, which ends the span.
 * The SDK's own objects are returned — the APIPromise with `.withResponse()`, streams with `tee()`
 * and abort — and a fault of the instrumentation never reaches the app.
 */
export function wrapSdkMethod<Self, Args extends unknown[]>(
  original: SdkFunction<Self, Args>,
  ctx: GenAiSurfaceContext,
  method: SdkMethod<Self, Args>,
): SdkFunction<Self, Args> {
  const observe = method.returns === 'api-promise' ? observeApiPromise : observePromise;

  /**
   * What the call is, read once: for the gate, the span and the metrics. The caller's context is read
   * once too, for the attribution, the span's parent and the context the SDK call runs in.
   */
  function callStart(self: Self, args: Args): CallStart {
    const target = method.target(self, args);
    const parent = context.active();
    return {
      operation: method.operation,
      provider: ctx.providerName() || target.provider,
      requestModel: method.model(self, args),
      serverAddress: target.serverAddress,
      serverPort: target.serverPort,
      attribution: attributionFromContext(parent),
      attributes: method.requestAttributes?.(self, args, ctx),
      parent,
    };
  }

  function recorded(self: Self, args: Args, start: CallStart): unknown {
    let call: GenAiCall;
    try {
      call = new GenAiCall(ctx.tracer(), ctx.metrics(), start);
    } catch (err) {
      fault(`starting a ${method.operation} span`, err);
      return original.apply(self, args);
    }
    let callArgs = args;
    if (method.prepare) {
      try {
        callArgs = method.prepare(args, call, ctx);
      } catch (err) {
        fault(`preparing a ${method.operation} call`, err);
      }
    }
    let result: unknown;
    try {
      result = context.with(trace.setSpan(start.parent ?? context.active(), call.span), applyTo, undefined, original, self, callArgs);
    } catch (err) {
      call.end(null, err); // the SDK refused the arguments before sending anything
      throw err;
    }
    observe(result, call, (value) => {
      try {
        method.onResult(value, call, callArgs, ctx, self);
      } catch (err) {
        fault(`reading a ${method.operation} result`, err);
        call.end(null); // a result we could not read still ends its span
      }
    });
    return result;
  }

  return function (this: Self, ...args: Args): unknown {
    let start: CallStart;
    try {
      start = callStart(this, args);
    } catch (err) {
      fault(`reading a ${method.operation} request`, err);
      return original.apply(this, args);
    }
    const answer = askGate(start, describeCall);
    if (answer === null) return recorded(this, args, start);
    if (method.returns === 'api-promise') return deferredApiPromise(afterGate(answer, () => ({ apiPromise: recorded(this, args, start) as ApiPromiseLike })));
    return afterGate(answer, () => recorded(this, args, start));
  };
}

/**
 * Calls `fn` on `self` with `args`, for `context.with`: given the SDK method as a `this` and a list
 * of arguments instead, it would bind the method and spread the arguments on every call.
 */
function applyTo<Self, Args extends unknown[]>(fn: SdkFunction<Self, Args>, self: Self, args: Args): unknown {
  return fn.apply(self, args);
}

function describeCall(start: CallStart): CallDescription {
  return { provider: start.provider, model: start.requestModel, operation: start.operation, attributes: start.attribution! };
}

/** Nothing ends when a watched method's result is not read: it is not a call. */
const NOT_A_CALL = { end: () => undefined } as unknown as GenAiCall;

/**
 * Wraps an SDK method that is not an AI call (see WatchedSdkMethod): the SDK's own promise is
 * returned and observed the way wrapSdkMethod observes it, and a fault of the surface is logged once
 * and never reaches the app.
 */
export function watchSdkMethod<Self, Args extends unknown[]>(
  original: SdkFunction<Self, Args>,
  ctx: GenAiSurfaceContext,
  method: WatchedSdkMethod<Self, Args>,
): SdkFunction<Self, Args> {
  const observe = method.returns === 'api-promise' ? observeApiPromise : observePromise;
  return function (this: Self, ...args: Args): unknown {
    const result = original.apply(this, args);
    observe(result, NOT_A_CALL, (value) => {
      try {
        method.onResult(value, args, ctx, this);
      } catch (err) {
        fault('reading an SDK result', err);
      }
    });
    return result;
  };
}
