import { type Attributes, context, trace } from '@opentelemetry/api';
import type { GenAiSurfaceContext } from './genai-instrumentation';
import { type CallStart, GenAiCall } from './genai-telemetry';

/** What a call within another names of its own; the rest (provider, server, attribution) it shares. */
export interface ChildStart {
  operation: string;
  requestModel: string;
  attributes?: Attributes;
  /** Who the call is for, when not the parent's (a batch result read in another context than its batch was created in). */
  attribution?: CallStart['attribution'];
}

/**
 * A call made within another: a response or a turn of a Realtime or Live session, a result of a
 * batch job. Its span is a child of the parent's, on the parent's provider and server and attributed
 * like it; it carries its own usage, while the parent (a session, a batch) carries none (count leaf
 * calls once).
 */
export function childCall(ctx: GenAiSurfaceContext, parent: GenAiCall, start: ChildStart): GenAiCall {
  const from = parent.start;
  return new GenAiCall(ctx.tracer(), ctx.metrics(), {
    operation: start.operation,
    provider: from.provider,
    requestModel: start.requestModel,
    serverAddress: from.serverAddress,
    serverPort: from.serverPort,
    attribution: start.attribution ?? from.attribution,
    attributes: start.attributes,
    parent: trace.setSpan(context.active(), parent.span),
  });
}
