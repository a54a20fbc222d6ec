import type { Attributes } from '@opentelemetry/api';
import { type GenAiCall, type GenAiSurfaceContext, type SdkFunction, type SdkMethod, targetPerClient, textOr } from '@tokenledger/instrumentation-common';
import { providerFromBaseUrl } from './provider';

/** What every surface reads from the instrumentation (see GenAiInstrumentation). */
export type SurfaceContext = GenAiSurfaceContext;

export type Body = Record<string, unknown>;
/** `this` of an SDK resource method: the resource (chat.completions, images, ...), `_client` its client. */
export interface Resource {
  _client?: { baseURL?: string };
}
type Args = [body: Body, options?: unknown];
/** An SDK resource method: `(body, options)`, returning the SDK's APIPromise. */
export type Method = SdkFunction<Resource, Args>;

/**
 * One API surface of the openai SDK, all of them `(body, options)` methods of a resource: how its
 * call is named, what its request says, and how its result ends the span.
 */
export interface Surface {
  operation: string;
  /** The model the API uses when the request names none. */
  defaultModel?: string;
  requestAttributes?: (body: Body, ctx: SurfaceContext) => Attributes;
  /** Reads the parsed result (a response, or the SDK's Stream) and ends the call. */
  onResult(value: unknown, call: GenAiCall, body: Body, ctx: SurfaceContext): void;
}

/** An `AzureOpenAI` client (or a subclass of it), by its class name: no import of the SDK needed. */
function isAzureClient(client: object | undefined): boolean {
  for (
    let proto = client && (Object.getPrototypeOf(client) as object | null);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    if (proto.constructor?.name === 'AzureOpenAI') return true;
  }
  return false;
}

/** Where a resource's calls go, from its client (remembered per client). */
export const targetOfClient = targetPerClient<object>((client, baseURL) => providerFromBaseUrl(baseURL, isAzureClient(client)));

/** The openai surface as the method the shared wrapper (wrapSdkMethod) records. */
export function sdkMethodOf(surface: Surface): SdkMethod<Resource, Args> {
  const { requestAttributes } = surface;
  return {
    operation: surface.operation,
    returns: 'api-promise',
    target: (self) => targetOfClient(self?._client, self?._client?.baseURL),
    model: (_self, args) => textOr(args[0]?.model, surface.defaultModel ?? 'unknown'),
    requestAttributes: requestAttributes && ((_self, args, ctx) => requestAttributes(args[0], ctx)),
    onResult: (value, call, args, ctx) => surface.onResult(value, call, args[0], ctx),
  };
}
