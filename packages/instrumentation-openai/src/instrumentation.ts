import { diag } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import { GenAiMetrics } from '@tokenledger/instrumentation-common';
import { type SurfaceContext, wrapChatCreate, wrapEmbeddingsCreate } from './surfaces';
import type { OpenAIInstrumentationConfig } from './types';

const PACKAGE_NAME = '@tokenledger/instrumentation-openai';
const PACKAGE_VERSION = '0.1.0';
/** The current major of `openai` and the one before. */
export const SUPPORTED_VERSIONS = ['>=6 <8'];

interface OpenAIModule {
  OpenAI?: { Chat?: { Completions?: { prototype: Record<string, unknown> } }; Embeddings?: { prototype: Record<string, unknown> } };
}

/**
 * Instruments the `openai` SDK: every chat completion (plain and streaming) and embeddings call
 * becomes a GenAI CLIENT span with exact token counts and attribution, plus the GenAI client
 * metrics. The SDK's own promise and stream objects are returned unchanged.
 */
export class OpenAIInstrumentation extends InstrumentationBase<OpenAIInstrumentationConfig> {
  private genAiMetrics!: GenAiMetrics;

  constructor(config: OpenAIInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected override _updateMetricInstruments(): void {
    this.genAiMetrics = new GenAiMetrics(this.meter);
  }

  private context(): SurfaceContext {
    return {
      tracer: () => this.tracer,
      metrics: () => this.genAiMetrics,
      captureContent: () => this.getConfig().captureMessageContent ?? process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT === 'true',
      providerName: () => this.getConfig().providerName,
    };
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(
        'openai',
        SUPPORTED_VERSIONS,
        (exports: OpenAIModule) => this.patch(exports),
        (exports: OpenAIModule) => this.unpatch(exports),
      ),
    ];
  }

  /** Patches a loaded `openai` module (used by the require/import hooks, and directly where no hook can run). */
  patch(exports: OpenAIModule): OpenAIModule {
    const ctx = this.context();
    const chat = exports.OpenAI?.Chat?.Completions?.prototype;
    const embeddings = exports.OpenAI?.Embeddings?.prototype;
    if (!chat || !embeddings) {
      diag.warn(`${PACKAGE_NAME}: this openai version does not have the expected classes; calls are not instrumented`);
      return exports;
    }
    if (!isWrapped(chat.create)) this._wrap(chat as never, 'create' as never, ((original: never) => wrapChatCreate(original, ctx)) as never);
    if (!isWrapped(embeddings.create)) this._wrap(embeddings as never, 'create' as never, ((original: never) => wrapEmbeddingsCreate(original, ctx)) as never);
    return exports;
  }

  unpatch(exports: OpenAIModule): void {
    const chat = exports.OpenAI?.Chat?.Completions?.prototype;
    const embeddings = exports.OpenAI?.Embeddings?.prototype;
    if (chat && isWrapped(chat.create)) this._unwrap(chat as never, 'create' as never);
    if (embeddings && isWrapped(embeddings.create)) this._unwrap(embeddings as never, 'create' as never);
  }
}
