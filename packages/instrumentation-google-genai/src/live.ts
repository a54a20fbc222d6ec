import { childCall, fault, type GenAiCall, type GenAiSurfaceContext, type SdkMethod } from '@tokenledger/instrumentation-common';
import * as sc from '@tokenledger/semconv';
import { modelId, type UsageMetadata, usageOfGemini } from './gemini-response';
import { type ModelsModule, targetOfModels } from './genai-surfaces';

/** A Live server message, as far as its usage goes. */
interface LiveServerMessage {
  serverContent?: { modelTurn?: unknown; turnComplete?: boolean; interrupted?: boolean };
  usageMetadata?: UsageMetadata;
}

interface Callbacks {
  onmessage?: (message: LiveServerMessage) => void;
  onclose?: (event: unknown) => void;
  [other: string]: unknown;
}

type ConnectArgs = [params: { model?: unknown; callbacks?: Callbacks; [other: string]: unknown } | undefined];

/** A turn the session closed before its usage arrived: it ends without usage, with this error. */
export class LiveSessionClosedError extends Error {
  constructor() {
    super('the Live session closed before the turn reported its usage');
    this.name = 'LiveSessionClosedError';
  }
}

/**
 * One Live session's turns. A turn starts with the first server message after the last one ended
 * and is a `generate_content` call with the turn's usage: the latest `usageMetadata` of the turn
 * (the API reports it per turn; a later report in the same turn replaces an earlier one). It ends
 * once the turn is complete and its usage is known; a turn that completes without usage ends when
 * the next one starts; one cut off by the close ends without usage.
 */
class LiveTurns {
  private turn: GenAiCall | null = null;
  private usage: UsageMetadata | undefined;
  private complete = false;

  constructor(
    private readonly ctx: GenAiSurfaceContext,
    private readonly session: GenAiCall,
  ) {}

  message(m: LiveServerMessage): void {
    const content = m?.serverContent;
    if (!content && !m?.usageMetadata) return; // setupComplete, tool calls, session resumption…
    if (this.turn && this.complete && !m.usageMetadata) this.finish();
    this.turn ??= childCall(this.ctx, this.session, { operation: sc.GenAiOperation.GENERATE_CONTENT, requestModel: this.session.start.requestModel });
    if (m.usageMetadata) this.usage = m.usageMetadata;
    if (content?.turnComplete || content?.interrupted) this.complete = true;
    if (this.complete && this.usage) this.finish();
  }

  close(error?: unknown): void {
    if (this.turn) this.finish(this.usage ? undefined : new LiveSessionClosedError());
    this.session.end(null, error);
  }

  private finish(error?: unknown): void {
    this.turn!.end(usageOfGemini(this.usage), error);
    this.turn = null;
    this.usage = undefined;
    this.complete = false;
  }
}

/**
 * `live.connect`: a Live session. Its span (`session`) lasts until the connection closes and carries
 * no usage; each turn is a call of its own (see LiveTurns). The budget guard is asked before the
 * session opens. The session's messages are seen through copies of the app's callbacks, called
 * before the app's own, which get every message unchanged.
 */
export const liveConnect: SdkMethod<ModelsModule, ConnectArgs> = {
  operation: sc.GenAiOperation.SESSION,
  returns: 'promise',
  target: targetOfModels,
  model: (_self, [params]) => modelId(params?.model),
  prepare([params], call, ctx) {
    const turns = new LiveTurns(ctx, call);
    const app = params?.callbacks;
    const callbacks: Callbacks = {
      ...app,
      onmessage(message) {
        try {
          turns.message(message);
        } catch (err) {
          fault('reading a Live message', err);
        }
        app?.onmessage?.(message);
      },
      onclose(event) {
        try {
          turns.close();
        } catch (err) {
          fault('ending a Live session', err);
        }
        app?.onclose?.(event);
      },
    };
    return [{ ...params, callbacks }];
  },
  // The session lives on in the callbacks: it ends when the connection closes.
  onResult: () => undefined,
};
