import { diag } from '@opentelemetry/api';
import { InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import { GenAiInstrumentation, wrapSdkMethod } from '@tokenledger/instrumentation-common';
import { transcriptionSurface, speechSurface } from './audio';
import { chatSurface } from './chat';
import { embeddingsSurface } from './embeddings';
import { imagesSurface } from './images';
import { responsesSurface } from './responses';
import { type Method, sdkMethodOf, type Surface } from './surface';
import type { OpenAIInstrumentationConfig } from './types';

const PACKAGE_NAME = '@tokenledger/instrumentation-openai';
// The released version (lerna.json sets it in package.json), as the instrumentation scope's version.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const PACKAGE_VERSION: string = require('../package.json').version;
/** The current major of `openai` and the one before. */
export const SUPPORTED_VERSIONS = ['>=6 <8'];
const UNSUPPORTED_VERSIONS = ['<6 || >=8'];

type Prototype = Record<string, unknown>;
type Resource = { prototype: Prototype } | undefined;
interface OpenAIModule {
  OpenAI?: {
    Chat?: { Completions?: Resource };
    Embeddings?: Resource;
    Responses?: Resource;
    Images?: Resource;
    Audio?: { Transcriptions?: Resource; Translations?: Resource; Speech?: Resource };
  };
}

/** Every patched method: where it lives on the module, its name, and its surface. */
const PATCHES: { find: (m: OpenAIModule) => Resource; method: string; surface: Surface; required?: boolean }[] = [
  { find: (m) => m.OpenAI?.Chat?.Completions, method: 'create', surface: chatSurface, required: true },
  { find: (m) => m.OpenAI?.Embeddings, method: 'create', surface: embeddingsSurface, required: true },
  { find: (m) => m.OpenAI?.Responses, method: 'create', surface: responsesSurface },
  { find: (m) => m.OpenAI?.Images, method: 'generate', surface: imagesSurface },
  { find: (m) => m.OpenAI?.Images, method: 'edit', surface: imagesSurface },
  { find: (m) => m.OpenAI?.Images, method: 'createVariation', surface: imagesSurface },
  { find: (m) => m.OpenAI?.Audio?.Transcriptions, method: 'create', surface: transcriptionSurface },
  { find: (m) => m.OpenAI?.Audio?.Translations, method: 'create', surface: transcriptionSurface },
  { find: (m) => m.OpenAI?.Audio?.Speech, method: 'create', surface: speechSurface },
];

let warnedVersion = false;

/** Logged once per process: an app on an unsupported `openai` must hear why it gets no spans. */
export function warnUnsupportedVersion(version: string | undefined): void {
  if (warnedVersion) return;
  warnedVersion = true;
  const message =
    `[tokenledger] openai ${version ?? '(unknown version)'} is outside the supported range ${SUPPORTED_VERSIONS.join(', ')}: ` +
    `its calls are NOT instrumented (no spans, no token counts, no cost). Upgrade openai to a supported major version.`;
  diag.warn(message);
  console.warn(message);
}

/**
 * Instruments the `openai` SDK: chat completions (plain, streaming, parse), responses, embeddings,
 * images, transcriptions, translations and speech each become a GenAI CLIENT span with exact usage
 * and attribution, plus the GenAI client metrics. The SDK's own promise and stream objects are
 * returned unchanged.
 */
export class OpenAIInstrumentation extends GenAiInstrumentation<OpenAIInstrumentationConfig> {
  /** Read once: process.env is slow enough to show in the per-call cost. */
  private readonly captureFromEnv = process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT === 'true';

  constructor(config: OpenAIInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected override captureContentByDefault(): boolean {
    return this.captureFromEnv;
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(
        'openai',
        SUPPORTED_VERSIONS,
        (exports: OpenAIModule) => this.patch(exports),
        (exports: OpenAIModule) => this.unpatch(exports),
      ),
      // Without this the hook would skip other versions silently.
      new InstrumentationNodeModuleDefinition('openai', UNSUPPORTED_VERSIONS, (exports: OpenAIModule, version?: string) => {
        warnUnsupportedVersion(version);
        return exports;
      }),
    ];
  }

  /** Patches a loaded `openai` module (used by the require/import hooks, and directly where no hook can run). */
  patch(exports: OpenAIModule): OpenAIModule {
    const ctx = this.surfaceContext();
    if (PATCHES.some((p) => p.required && typeof p.find(exports)?.prototype?.[p.method] !== 'function')) {
      diag.warn(`${PACKAGE_NAME}: this openai version does not have the expected classes; calls are not instrumented`);
      return exports;
    }
    for (const { find, method, surface } of PATCHES) {
      const proto = find(exports)?.prototype;
      if (!proto || typeof proto[method] !== 'function' || isWrapped(proto[method])) continue;
      this._wrap(proto as never, method as never, ((original: Method) => wrapSdkMethod(original, ctx, sdkMethodOf(surface))) as never);
    }
    return exports;
  }

  unpatch(exports: OpenAIModule): void {
    for (const { find, method } of PATCHES) {
      const proto = find(exports)?.prototype;
      if (proto && isWrapped(proto[method])) this._unwrap(proto as never, method as never);
    }
  }
}
