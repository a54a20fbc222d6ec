import type { Attributes } from '@opentelemetry/api';
import { type ApiPromiseLike, attributionFromContext, type CallDescription, gateApiCall, GenAiCall, type GenAiSurfaceContext, guard, observeApiPromise } from '@tokenledger/instrumentation-common';
import { providerFromBaseUrl } from './provider';

/** What every surface reads from the instrumentation (see GenAiInstrumentation). */
export type SurfaceContext = GenAiSurfaceContext;

export type Body = Record<string, unknown>;
/** An SDK resource method: `this` is the resource (chat.completions, images, ...), `_client` its client. */
export type Method = (this: { _client?: object }, body: Body, options?: unknown) => unknown;

/** One API surface: how its call is named, what its request says, and how its result ends the span. */
export interface Surface {
  operation: string;
  /** The model the API uses when the request names none. */
  defaultModel?: string;
  requestAttributes?(body: Body, ctx: SurfaceContext): Attributes;
  /** Reads the parsed result (a response, or the SDK's Stream) and ends the call. */
  onResult(value: unknown, call: GenAiCall, body: Body, ctx: SurfaceContext): void;
}

/** An `AzureOpenAI` client (or a subclass of it), by its class name: no import of the SDK needed. */
function isAzureClient(client: object | undefined): boolean {
  for (let proto = client && Object.getPrototypeOf(client); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === 'AzureOpenAI') return true;
  }
  return false;
}

type Target = ReturnType<typeof providerFromBaseUrl>;
/** Per client, what its base URL says (a client's base URL rarely changes; parsing it on every call shows). */
const targets = new WeakMap<object, { baseURL: string | undefined; target: Target }>();

function target(ctx: SurfaceContext, self: ThisParameterType<Method>): Target {
  const client = self?._client as { baseURL?: string } | undefined;
  let found: Target;
  const cached = client && targets.get(client);
  if (cached && cached.baseURL === client?.baseURL) found = cached.target;
  else {
    found = providerFromBaseUrl(client?.baseURL, isAzureClient(client));
    if (client) targets.set(client, { baseURL: client.baseURL, target: found });
  }
  const override = ctx.providerName();
  return override ? { ...found, provider: override } : found;
}

const modelOf = (surface: Surface, body: Body) => String(body?.model ?? surface.defaultModel ?? 'unknown');

/**
 * Wraps one SDK method: the call gate (budget guard) is asked first, then the span starts, the
 * original method runs, and the SDK's own APIPromise is returned with its result observed in place.
 */
export function wrapSurface(original: Method, ctx: SurfaceContext, surface: Surface): Method {
  return function (this: ThisParameterType<Method>, body, options) {
    const describe = (): CallDescription => ({ provider: target(ctx, this).provider, model: modelOf(surface, body), operation: surface.operation, attributes: attributionFromContext() });
    // The SDK's helpers (parse, stream, runTools) call .withResponse() / _thenUnwrap on what create
    // returns: while the gate decides, a stand-in keeps that API (see gateApiCall).
    return gateApiCall(describe, () => {
      const call = guard(`starting a ${surface.operation} span`, () => {
        const { provider, host, port } = target(ctx, this);
        return new GenAiCall(ctx.tracer(), ctx.metrics(), {
          operation: surface.operation,
          provider,
          requestModel: modelOf(surface, body),
          serverAddress: host,
          serverPort: port,
          attributes: surface.requestAttributes?.(body, ctx) ?? {},
        });
      });
      const promise = original.call(this, body, options);
      if (call) {
        observeApiPromise(promise, call, (value) => {
          try {
            surface.onResult(value, call, body, ctx);
          } catch (err) {
            call.end(null); // a result we could not read still ends its span; the fault is logged once
            throw err;
          }
        });
      }
      return promise as ApiPromiseLike;
    });
  };
}
