import {
  BatchReading,
  type GenAiSurfaceContext,
  observeAsyncIterator,
  rememberBatch,
  type SdkMethod,
  targetPerClient,
  type WatchedSdkMethod,
  textOr,
} from '@tokenledger/instrumentation-common';
import * as sc from '@tokenledger/semconv';
import { type ClientLike, providerOfClient } from './provider';
import { type MessageUsage, usageOfMessage } from './usage';

/** `this` of `messages.batches.*`: the Batches resource, `_client` its client. */
export interface BatchesResource {
  _client?: ClientLike;
}

type CreateArgs = [params: { requests?: { params?: { model?: unknown } }[] } | undefined, options?: unknown];
type ResultsArgs = [batchId: string, params?: unknown, options?: unknown];

/** One line of a batch's results, as the SDK decodes it. */
interface BatchResultLine {
  custom_id?: string;
  result?: { type?: string; message?: { id?: string; model?: string; usage?: MessageUsage } };
}

const targetOfClient = targetPerClient<ClientLike>(providerOfClient);

/** The model a batch's requests name: the one they share, else `mixed`. */
function modelOf([params]: CreateArgs): string {
  const models = new Set((params?.requests ?? []).map((r) => textOr(r?.params?.model, 'unknown')));
  return models.size === 1 ? [...models][0] : models.size === 0 ? 'unknown' : 'mixed';
}

/**
 * `messages.batches.create`: no usage yet — each result is a call, recorded when the results are read
 * — but the budget guard is asked here, where the spend is committed, and the attribution in force
 * now is what the results are attributed to. The span (`batch`) carries no usage.
 */
export const batchCreate: SdkMethod<BatchesResource, CreateArgs> = {
  operation: sc.GenAiOperation.BATCH,
  returns: 'api-promise',
  target: (self) => targetOfClient(self?._client, self?._client?.baseURL),
  model: (_self, args) => modelOf(args),
  onResult(value, call) {
    const id = (value as { id?: string })?.id;
    if (id) {
      rememberBatch(call.start.provider, id, { attribution: call.start.attribution ?? {} });
      call.span.setAttribute(sc.ATTR_TOKENLEDGER_BATCH_ID, id);
    }
    call.end(null);
  },
};

/**
 * `messages.batches.results`: reading the results is no call, but each succeeded result is one, at
 * the batch rate, recorded as the app iterates the SDK's own decoder (errored, canceled and expired
 * requests were not billed). Iterating the same results again records nothing new.
 */
export function batchResults(ctx: GenAiSurfaceContext): WatchedSdkMethod<BatchesResource, ResultsArgs> {
  return {
    returns: 'promise',
    onResult(value, [batchId], _ctx, self) {
      const decoder = value as { [Symbol.asyncIterator]?: () => AsyncIterator<BatchResultLine> };
      const iterate = decoder?.[Symbol.asyncIterator];
      if (typeof iterate !== 'function') return;
      const target = targetOfClient(self?._client, self?._client?.baseURL);
      // On the decoder itself, so `for await` and every other reader go through it.
      decoder[Symbol.asyncIterator] = function (this: unknown) {
        const reading = new BatchReading(ctx, target, typeof batchId === 'string' ? batchId : null);
        return observeAsyncIterator(iterate.call(this), {
          item(line) {
            const message = line?.result?.type === 'succeeded' ? line.result.message : undefined;
            if (!message || typeof line.custom_id !== 'string') return;
            reading.result({
              requestId: line.custom_id,
              operation: sc.GenAiOperation.CHAT,
              model: message.model ?? 'unknown',
              usage: usageOfMessage(message.usage),
              responseId: message.id,
            });
          },
          end: (error) => reading.end(error),
        });
      };
    },
  };
}
