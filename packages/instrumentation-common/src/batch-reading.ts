import { type Attributes, type Context, context } from '@opentelemetry/api';
import * as sc from '@tokenledger/semconv';
import { type Attribution, attributionFromContext } from './attribution';
import type { CallTarget } from './call-target';
import { childCall } from './child-call';
import type { GenAiSurfaceContext } from './genai-instrumentation';
import type { Usage } from './genai-metrics';
import { GenAiCall } from './genai-telemetry';

/** Who a batch job was created for, remembered from its creation until its results are read. */
export interface BatchOrigin {
  attribution: Attribution;
  /** The job's own metadata (OpenAI `metadata`, Gemini's display name), recorded as tags of its results. */
  tags?: Readonly<Record<string, string>>;
}

/**
 * Remembered per process, bounded: entries are small and jobs few, but an app that never reads its
 * results must not grow memory forever. Past the bound the oldest half is forgotten.
 */
const MAX_REMEMBERED = 10_000;

class Remembered<V> {
  private readonly entries = new Map<string, V>();
  get(key: string): V | undefined {
    return this.entries.get(key);
  }
  set(key: string, value: V): void {
    if (this.entries.size >= MAX_REMEMBERED) {
      let drop = MAX_REMEMBERED / 2;
      for (const k of this.entries.keys()) {
        if (drop-- <= 0) break;
        this.entries.delete(k);
      }
    }
    this.entries.set(key, value);
  }
}

const origins = new Remembered<BatchOrigin>();
const recorded = new Remembered<true>();
const batchOfFiles = new Remembered<string>();

/** Remembers who a batch job was created for (`provider`: its call's `gen_ai.provider.name`; `id`: the provider's job id). */
export function rememberBatch(provider: string, id: string, origin: BatchOrigin): void {
  origins.set(`${provider}\u0000${id}`, origin);
}

/** Remembers that a file holds a batch job's results (OpenAI's `output_file_id`, Gemini's `responsesFile`), for when the app downloads it. */
export function rememberBatchFile(provider: string, fileId: string, batchId: string): void {
  batchOfFiles.set(`${provider}\u0000${fileId}`, batchId);
}

/** The batch job whose results a file holds, when this process saw the job. */
export function batchOfFile(provider: string, fileId: string): string | null {
  return batchOfFiles.get(`${provider}\u0000${fileId}`) ?? null;
}

/** One result of a batch job: its own call, priced at the batch rate. */
export interface BatchResult {
  /**
   * The app's id of the request in the batch (`custom_id`, an inlined request's key); for a reading
   * whose job is not known, one unique across jobs (scoped by the file the results came in).
   */
  requestId: string;
  operation: string;
  model: string;
  usage: Usage | null;
  responseId?: string;
}

/**
 * One reading of a batch job's results (a download, a poll that returned them). Its span is started
 * with the first result and carries no usage; each result is a call of its own, attributed to whom
 * the job was created for when this process created it (else to the current context) and to the job
 * (`tokenledger.batch.id`, its metadata as tags). A result this process recorded before (the same
 * results read again) is not recorded twice; the collector also keeps one record per result, across
 * processes.
 */
export class BatchReading {
  private reading: GenAiCall | null = null;
  private readonly provider: string;
  private readonly origin: BatchOrigin | undefined;
  private readonly parent: Context;

  constructor(
    private readonly ctx: GenAiSurfaceContext,
    private readonly target: CallTarget,
    private readonly batchId: string | null,
  ) {
    this.provider = ctx.providerName() || target.provider;
    this.origin = batchId === null ? undefined : origins.get(`${this.provider}\u0000${batchId}`);
    // Results are often read after an await: the reading belongs to where the app asked for them.
    this.parent = context.active();
  }

  result(r: BatchResult): void {
    const key = `${this.provider}\u0000${this.batchId ?? ''}\u0000${r.requestId}`;
    if (recorded.get(key)) return;
    recorded.set(key, true);
    const reading = this.start(r.model);
    const attributes: Attributes = { [sc.ATTR_TOKENLEDGER_BATCH]: true, [sc.ATTR_TOKENLEDGER_BATCH_REQUEST_ID]: r.requestId };
    if (this.batchId !== null) attributes[sc.ATTR_TOKENLEDGER_BATCH_ID] = this.batchId;
    const attribution = this.origin?.attribution ?? reading.start.attribution;
    for (const [key, value] of Object.entries(this.origin?.tags ?? {})) {
      const tag = `${sc.ATTR_TOKENLEDGER_TAG_PREFIX}${key}`;
      if (attribution?.[tag] === undefined) attributes[tag] = value;
    }
    const call = childCall(this.ctx, reading, { operation: r.operation, requestModel: r.model, attributes, attribution });
    call.response({ id: r.responseId, model: r.model });
    call.end(r.usage);
  }

  /** The reading is over (all results seen, or the app stopped reading). */
  end(error?: unknown): void {
    this.reading?.end(null, error);
  }

  private start(model: string): GenAiCall {
    if (this.reading) return this.reading;
    const attributes: Attributes = this.batchId === null ? {} : { [sc.ATTR_TOKENLEDGER_BATCH_ID]: this.batchId };
    this.reading = new GenAiCall(this.ctx.tracer(), this.ctx.metrics(), {
      operation: sc.GenAiOperation.BATCH,
      provider: this.provider,
      requestModel: model,
      serverAddress: this.target.serverAddress,
      serverPort: this.target.serverPort,
      attribution: this.origin?.attribution ?? context.with(this.parent, attributionFromContext),
      attributes,
      parent: this.parent,
    });
    return this.reading;
  }
}
