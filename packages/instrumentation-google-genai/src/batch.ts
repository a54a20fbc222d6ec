import { BatchReading, type GenAiSurfaceContext, rememberBatch, type SdkMethod, type WatchedSdkMethod } from '@tokenledger/instrumentation-common';
import * as sc from '@tokenledger/semconv';
import { type GeminiResponse, modelId, usageOfGemini } from './gemini-response';
import { type ModelsModule, targetOfModels } from './genai-surfaces';

type CreateArgs = [params: { model?: unknown; config?: { displayName?: unknown } } | undefined];
type GetArgs = [params: { name?: unknown } | undefined];

/** A BatchJob as the SDK returns it. */
interface BatchJob {
  name?: string;
  model?: string;
  displayName?: string;
  state?: string;
  dest?: { inlinedResponses?: { response?: GeminiResponse; metadata?: { key?: unknown } }[] };
}

/**
 * `batches.create` (the SDK's `createInternal`, which the public method and every path to the API go
 * through): no usage yet — each inlined response is a call, recorded when the job is read back
 * succeeded — but the budget guard is asked here, where the spend is committed, and the attribution
 * in force now is what the results are attributed to. The span (`batch`) carries no usage.
 */
export const batchCreate: SdkMethod<ModelsModule, CreateArgs> = {
  operation: sc.GenAiOperation.BATCH,
  returns: 'promise',
  target: targetOfModels,
  model: (_self, [params]) => modelId(params?.model),
  onResult(value, call, [params]) {
    const job = value as BatchJob;
    if (job?.name) {
      const displayName = typeof params?.config?.displayName === 'string' ? params.config.displayName : undefined;
      rememberBatch(call.start.provider, job.name, { attribution: call.start.attribution ?? {}, tags: displayName ? { batch: displayName } : undefined });
      call.span.setAttribute(sc.ATTR_TOKENLEDGER_BATCH_ID, job.name);
    }
    call.end(null);
  },
};

/**
 * `batches.get`: polling is no call, but a job read back succeeded carries its inlined responses —
 * each is recorded as a call at the batch rate, once, however often the job is read again.
 */
export function batchGet(ctx: GenAiSurfaceContext): WatchedSdkMethod<ModelsModule, GetArgs> {
  return {
    returns: 'promise',
    onResult(value, _args, _ctx, self) {
      const job = value as BatchJob;
      const responses = job?.state === 'JOB_STATE_SUCCEEDED' ? job.dest?.inlinedResponses : undefined;
      if (!Array.isArray(responses) || responses.length === 0) return;
      const reading = new BatchReading(ctx, targetOfModels(self), job.name ?? null);
      responses.forEach((r, i) => {
        if (!r?.response) return;
        const key = r.metadata?.key;
        const model = r.response.modelVersion ?? modelId(job.model);
        reading.result({ requestId: typeof key === 'string' ? key : String(i), operation: sc.GenAiOperation.GENERATE_CONTENT, model, usage: usageOfGemini(r.response.usageMetadata), responseId: r.response.responseId });
      });
      reading.end();
    },
  };
}
