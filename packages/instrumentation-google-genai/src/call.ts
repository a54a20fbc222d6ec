import type { Attributes } from '@opentelemetry/api';
import { attributionFromContext, type CallDescription, gateCall, GenAiCall, type GenAiSurfaceContext, guard } from '@tokenledger/instrumentation-common';

/** What every surface reads from the instrumentation (see GenAiInstrumentation); Google's SDKs name their own provider. */
export type SurfaceContext = Pick<GenAiSurfaceContext, 'tracer' | 'metrics' | 'captureContent'>;

/** Where a call goes, read from the SDK object the method was called on. */
export interface Target {
  provider: string;
  host: string | null;
  port: number | null;
}

/** One SDK method as the instrumentation sees it: how to name the call, and how its result ends it. */
export interface Surface<Self, Args extends unknown[]> {
  operation: string;
  target(self: Self, args: Args): Target;
  model(self: Self, args: Args): string;
  requestAttributes?(self: Self, args: Args, ctx: SurfaceContext): Attributes;
  /** Reads the resolved value (a response, or a stream to observe) and ends the call, now or later. */
  onResult(value: unknown, call: GenAiCall, args: Args, ctx: SurfaceContext, self: Self): void;
}

export function targetOfUrl(baseUrl: string | undefined, provider: string): Target {
  try {
    const url = new URL(baseUrl ?? '');
    return { provider, host: url.hostname, port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 };
  } catch {
    return { provider, host: null, port: null };
  }
}

type AsyncMethod<Self, Args extends unknown[]> = (this: Self, ...args: Args) => Promise<unknown>;

/**
 * Wraps one async SDK method: the call gate (budget guard) is asked first, so a refused call never
 * reaches the network; then the span starts and the original runs. The SDK's own promise is
 * returned: the result is observed beside it (a handler registered before the app's), so a
 * stream the SDK resolves to is instrumented in place before the app iterates it.
 */
export function wrapAsync<Self, Args extends unknown[]>(original: AsyncMethod<Self, Args>, ctx: SurfaceContext, surface: Surface<Self, Args>): AsyncMethod<Self, Args> {
  return function (this: Self, ...args: Args) {
    const describe = (): CallDescription => ({
      provider: surface.target(this, args).provider,
      model: surface.model(this, args),
      operation: surface.operation,
      attributes: attributionFromContext(),
    });
    return gateCall(describe, () => {
      const call = guard(`starting a ${surface.operation} span`, () => {
        const { provider, host, port } = surface.target(this, args);
        return new GenAiCall(ctx.tracer(), ctx.metrics(), {
          operation: surface.operation,
          provider,
          requestModel: surface.model(this, args),
          serverAddress: host,
          serverPort: port,
          attributes: surface.requestAttributes?.(this, args, ctx) ?? {},
        });
      });
      let promise: Promise<unknown>;
      try {
        promise = original.apply(this, args);
      } catch (err) {
        call?.end(null, err);
        throw err;
      }
      if (call) {
        guard('observing the response', () =>
          promise.then(
            (value) => {
              const read = guard('reading the response', () => {
                surface.onResult(value, call, args, ctx, this);
                return true;
              });
              if (!read) guard('ending a span', () => call.end(null)); // an unreadable result still ends its span
            },
            (err: unknown) => guard('ending a span', () => call.end(null, err)),
          ),
        );
      }
      return promise;
    }) as Promise<unknown>;
  };
}
