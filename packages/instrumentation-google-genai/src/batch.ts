import { createReadStream, openSync } from 'node:fs';
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
import { type GeminiResponse, modelId, usageOfGemini } from './gemini-response';
import { type ModelsModule, targetOfModels } from './genai-surfaces';

type CreateArgs = [params: { model?: unknown; config?: { displayName?: unknown } } | undefined];
type GetArgs = [params: { name?: unknown } | undefined];
type DownloadArgs = [params: { file?: unknown; downloadPath?: unknown } | undefined];

/** A BatchJob as the SDK returns it. */
interface BatchJob {
  name?: string;
  model?: string;
  displayName?: string;
  state?: string;
  dest?: { fileName?: string; inlinedResponses?: { response?: GeminiResponse; metadata?: { key?: unknown } }[] };
}

/** One line of a batch's results file: `{ key, response }`, or `{ key, error }` for a failed request. */
interface ResultLine {
  key?: unknown;
  response?: GeminiResponse | null;
}

/** Remembers which job a results file (`dest.fileName`) belongs to, for when the app downloads it. */
function learn(provider: string, job: BatchJob | undefined): void {
  if (job?.name && job.dest?.fileName) rememberBatchFile(provider, job.dest.fileName, job.name);
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
    learn(call.start.provider, job);
    call.end(null);
  },
};

/**
 * `batches.get`: polling is no call, but a job read back succeeded carries its inlined responses —
 * each is recorded as a call at the batch rate, once, however often the job is read again — or
 * names the file its results are in.
 */
export function batchGet(ctx: GenAiSurfaceContext): WatchedSdkMethod<ModelsModule, GetArgs> {
  return {
    returns: 'promise',
    onResult(value, _args, _ctx, self) {
      const job = value as BatchJob;
      learn(ctx.providerName() || targetOfModels(self).provider, job);
      const responses = job?.state === 'JOB_STATE_SUCCEEDED' ? job.dest?.inlinedResponses : undefined;
      if (!Array.isArray(responses) || responses.length === 0) return;
      const reading = new BatchReading(ctx, targetOfModels(self), job.name ?? null);
      responses.forEach((r, i) => {
        if (!r?.response) return;
        const key = r.metadata?.key;
        const model = r.response.modelVersion ?? modelId(job.model);
        reading.result({
          requestId: typeof key === 'string' ? key : String(i),
          operation: sc.GenAiOperation.GENERATE_CONTENT,
          model,
          usage: usageOfGemini(r.response.usageMetadata),
          responseId: r.response.responseId,
        });
      });
      reading.end();
    },
  };
}

/** `files/{id}` of what `files.download` takes: a name with or without `files/`, a File, or a file's URI. */
function fileNameOf(file: unknown): string | null {
  const name = typeof file === 'string' ? file : (file as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || !name) return null;
  return `files/${name.replace(/^.*\bfiles\//, '').replace(/[:?].*$/, '')}`;
}

/** Whether a file's first line is a line of batch results: a GenerateContentResponse under `response`. */
function isResultLine(text: string): boolean {
  try {
    const response = (JSON.parse(text) as ResultLine)?.response;
    return typeof response === 'object' && response !== null && (response.usageMetadata !== undefined || response.candidates !== undefined);
  } catch {
    return false;
  }
}

/**
 * The result of one line: its request's `key` (else its place in the file, as inlined results are
 * known), prefixed by `scope` when the job is not known (keys are unique only within it).
 */
function resultOf(line: ResultLine, index: number, scope: string): BatchResult | null {
  const response = line?.response;
  if (!response) return null;
  const requestId = scope + (typeof line.key === 'string' ? line.key : String(index));
  return {
    requestId,
    operation: sc.GenAiOperation.GENERATE_CONTENT,
    model: response.modelVersion ?? 'unknown',
    usage: usageOfGemini(response.usageMetadata),
    responseId: response.responseId,
  };
}

/**
 * `files.download`: downloading is no call, but a job's results file holds its results — each line's
 * usage is recorded as its own call at the batch rate, once, however often it is downloaded. The SDK
 * writes the bytes straight to `downloadPath` and hands the app nothing, so the results are read
 * from that file beside the app, opened the moment the download ends (before the app's own code runs
 * again, so a file it moves or deletes next is still read whole). The results file of a job this
 * process never saw (another process created and polled it) is recognised by its first line.
 */
export function filesDownload(ctx: GenAiSurfaceContext): WatchedSdkMethod<ModelsModule, DownloadArgs> {
  return {
    returns: 'promise',
    onResult(_value, [params], _ctx, self) {
      const fileName = fileNameOf(params?.file);
      if (fileName === null || typeof params?.downloadPath !== 'string') return;
      const target = targetOfModels(self);
      const batchId = batchOfFile(ctx.providerName() || target.provider, fileName);
      const scope = batchId === null ? `${fileName}/` : '';
      const chunks = createReadStream('', { fd: openSync(params.downloadPath, 'r') });
      readBatchOutput(chunks, {
        known: batchId !== null,
        isOutputLine: isResultLine,
        resultOf: (line, index) => resultOf(line as ResultLine, index, scope),
        reading: () => new BatchReading(ctx, target, batchId),
      }).catch((err) => fault('reading a batch results file', err));
    },
  };
}
