import {
  batchOfFile,
  BatchReading,
  type BatchResult,
  fault,
  type GenAiSurfaceContext,
  readBatchOutput,
  rememberBatch,
  rememberBatchFile,
  type SdkMethod,
  type WatchedSdkMethod,
} from '@tokenledger/instrumentation-common';
import * as sc from '@tokenledger/semconv';
import { usageOfChat } from './chat';
import { usageOfResponse } from './responses';
import { type Resource, targetOfClient } from './surface';

/** The parts of a Batch object this surface reads. */
interface BatchObject {
  id?: string;
  output_file_id?: string | null;
  metadata?: Record<string, unknown> | null;
}

/** One line of a batch's output file. */
interface OutputLine {
  custom_id?: string;
  response?: { status_code?: number; body?: { id?: string; object?: string; model?: string; usage?: Record<string, unknown> | null } } | null;
}

/** Remembers which batch an output file belongs to, for when the app downloads it. */
function learn(provider: string, batch: BatchObject | undefined): void {
  if (batch?.id && batch.output_file_id) rememberBatchFile(provider, batch.output_file_id, batch.id);
}

const targetOf = (self: Resource) => targetOfClient(self?._client, self?._client?.baseURL);

/** A batch's metadata as tags of its results (string values only, as the API keeps them). */
function tagsOf(metadata: Record<string, unknown> | null | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata ?? {})) if (typeof value === 'string') tags[key] = value;
  return tags;
}

type Args = [body: Record<string, unknown> | undefined, options?: unknown];
type IdArgs = [id: string, options?: unknown];

/**
 * `batches.create`: starting a batch job spends nothing yet — each of its results is a call, priced
 * when its output is read — but the budget guard is asked here, where the spend is committed, and the
 * attribution in force now is what the results are attributed to. The span (`batch`) carries no usage.
 */
export const batchCreate: SdkMethod<Resource, Args> = {
  operation: sc.GenAiOperation.BATCH,
  returns: 'api-promise',
  target: targetOf,
  // The requests, and their models, are in the input file: the job names none.
  model: () => 'unknown',
  onResult(value, call) {
    const batch = value as BatchObject;
    if (batch?.id) {
      rememberBatch(call.start.provider, batch.id, { attribution: call.start.attribution ?? {}, tags: tagsOf(batch.metadata) });
      call.span.setAttribute(sc.ATTR_TOKENLEDGER_BATCH_ID, batch.id);
    }
    learn(call.start.provider, batch);
    call.end(null);
  },
};

/** `batches.retrieve` and `batches.cancel`: polling is no call; it tells which file holds a job's output. */
export const batchPoll: WatchedSdkMethod<Resource, IdArgs> = {
  returns: 'api-promise',
  onResult: (value, _args, ctx, self) => learn(ctx.providerName() || targetOf(self).provider, value as BatchObject),
};

/**
 * The usage of one output line's response body, by the kind of response it is. `scope` prefixes the
 * request id when the batch is not known (its custom ids are unique only within it).
 */
function resultOf(line: OutputLine, scope: string): BatchResult | null {
  const body = line.response?.body;
  if (!body || typeof line.custom_id !== 'string' || line.response?.status_code !== 200) return null;
  const usage = body.usage ?? null;
  const model = body.model ?? 'unknown';
  const requestId = scope + line.custom_id;
  if (body.object === 'chat.completion') return { requestId, operation: sc.GenAiOperation.CHAT, model, usage: usageOfChat(usage), responseId: body.id };
  if (body.object === 'response') return { requestId, operation: sc.GenAiOperation.CHAT, model, usage: usageOfResponse(usage), responseId: body.id };
  if (body.object === 'list') {
    const tokens = usage?.prompt_tokens;
    return { requestId, operation: sc.GenAiOperation.EMBEDDINGS, model, usage: typeof tokens === 'number' ? { input: tokens } : null };
  }
  return null;
}

/** Whether a file's first line is a batch output line (`{"id":"batch_req_…","custom_id":…}`). */
const BATCH_OUTPUT = /^\s*\{\s*"id"\s*:\s*"batch_req_/;

/**
 * `files.content`: downloading is no call, but a batch's output file holds its results — each
 * result's usage is recorded as its own call at the batch rate, once, when the app downloads it. The
 * output of a batch this process did not see retrieved (another process polled it, or the app listed
 * batches) is recognised by its first line.
 */
export function fileContent(ctx: GenAiSurfaceContext): WatchedSdkMethod<Resource, IdArgs> {
  return {
    returns: 'api-promise',
    onResult(value, [fileId], _ctx, self) {
      const body = typeof (value as Response)?.clone === 'function' ? (value as Response).clone().body : null;
      if (!body) return;
      const target = targetOf(self);
      const batchId = batchOfFile(ctx.providerName() || target.provider, fileId);
      // A file whose batch this process never saw: its results are known by the file's id and their custom ids.
      const scope = batchId === null ? `${fileId}/` : '';
      // Node's web streams are async iterables (the DOM typings of Response do not say so).
      readBatchOutput(body as unknown as AsyncIterable<Uint8Array>, {
        known: batchId !== null,
        isOutputLine: (line) => BATCH_OUTPUT.test(line),
        resultOf: (line) => resultOf(line as OutputLine, scope),
        reading: () => new BatchReading(ctx, target, batchId),
      }).catch((err) => fault('reading a batch output file', err));
    },
  };
}
