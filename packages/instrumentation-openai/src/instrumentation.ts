import { diag } from '@opentelemetry/api';
import { InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile, isWrapped } from '@opentelemetry/instrumentation';
import { GenAiInstrumentation, type GenAiSurfaceContext, type SdkFunction, watchSdkMethod, wrapSdkMethod } from '@tokenledger/instrumentation-common';
import { transcriptionSurface, speechSurface } from './audio';
import { batchCreate, batchPoll, fileContent } from './batch';
import { chatSurface } from './chat';
import { embeddingsSurface } from './embeddings';
import { imagesSurface } from './images';
import { realtimeEmit } from './realtime';
import { responsesSurface } from './responses';
import { type Method, type Resource as SdkResource, sdkMethodOf, type Surface } from './surface';
import type { OpenAIInstrumentationConfig } from './types';

const PACKAGE_NAME = '@tokenledger/instrumentation-openai';
// The released version (lerna.json sets it in package.json), as the instrumentation scope's version.
const PACKAGE_VERSION = (require('../package.json') as { version: string }).version;
/** The current major of `openai` and the one before. */
export const SUPPORTED_VERSIONS = ['>=6 <8'];
const UNSUPPORTED_VERSIONS = ['<6 || >=8'];

type Prototype = Record<string, unknown>;
/** A class of the SDK, as its module types it: its prototype an object (read here as a record of methods). */
type Resource = { prototype: object } | undefined;
/** What patch() reads of the `openai` module; the module imported with its own types fits it. */
interface OpenAIModule {
  OpenAI?: {
    Chat?: { Completions?: Resource };
    Embeddings?: Resource;
    Responses?: Resource;
    Images?: Resource;
    Audio?: { Transcriptions?: Resource; Translations?: Resource; Speech?: Resource };
    Batches?: Resource;
    Files?: Resource;
  };
}
/** `openai/realtime/internal-base`: the base class of the Realtime clients. */
interface RealtimeBaseModule {
  OpenAIRealtimeEmitter?: { prototype: object };
}

/** A class's prototype as a record of methods. */
const methodsOf = (resource: Resource): Prototype | undefined => resource?.prototype as Prototype | undefined;

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

/** Methods that make no call of their own but tell a surface something (batch jobs), or start one (a batch). */
const BATCH_PATCHES: {
  find: (m: OpenAIModule) => Resource;
  method: string;
  wrap: (original: SdkFunction<SdkResource, never>, ctx: GenAiSurfaceContext) => unknown;
}[] = [
  { find: (m) => m.OpenAI?.Batches, method: 'create', wrap: (original, ctx) => wrapSdkMethod(original as never, ctx, batchCreate) },
  { find: (m) => m.OpenAI?.Batches, method: 'retrieve', wrap: (original, ctx) => watchSdkMethod(original as never, ctx, batchPoll) },
  { find: (m) => m.OpenAI?.Batches, method: 'cancel', wrap: (original, ctx) => watchSdkMethod(original as never, ctx, batchPoll) },
  { find: (m) => m.OpenAI?.Files, method: 'content', wrap: (original, ctx) => watchSdkMethod(original as never, ctx, fileContent(ctx)) },
];

/** The Realtime clients' shared base, as the require hook sees it (a file of the `openai` package). */
const REALTIME_BASE_FILE = 'openai/realtime/internal-base.js';
/**
 * The Realtime clients' modules, as the ESM loader hook sees them (it hooks the specifiers an app
 * imports, not the files those import in turn): their classes lead to the shared base.
 */
const REALTIME_CLIENT_MODULES: [module: string, client: string][] = [
  ['openai/realtime/ws', 'OpenAIRealtimeWS'],
  ['openai/realtime/websocket', 'OpenAIRealtimeWebSocket'],
];

/** The shared base of a Realtime client class: the class its prototype extends. */
function realtimeBaseOf(client: { prototype?: object } | undefined): RealtimeBaseModule {
  const base = client?.prototype ? (Object.getPrototypeOf(client.prototype) as Prototype | null) : null;
  return base ? { OpenAIRealtimeEmitter: { prototype: base } } : {};
}

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
        [
          new InstrumentationNodeModuleFile(
            REALTIME_BASE_FILE,
            SUPPORTED_VERSIONS,
            (exports: RealtimeBaseModule) => this.patchRealtime(exports),
            (exports: RealtimeBaseModule) => this.unpatchRealtime(exports),
          ),
        ],
      ),
      ...REALTIME_CLIENT_MODULES.map(
        ([module, client]) =>
          new InstrumentationNodeModuleDefinition(
            module,
            SUPPORTED_VERSIONS,
            (exports: Record<string, { prototype?: object } | undefined>) => {
              this.patchRealtime(realtimeBaseOf(exports?.[client]));
              return exports;
            },
            (exports: Record<string, { prototype?: object } | undefined>) => this.unpatchRealtime(realtimeBaseOf(exports?.[client])),
          ),
      ),
      // Without this the hook would skip other versions silently.
      new InstrumentationNodeModuleDefinition('openai', UNSUPPORTED_VERSIONS, (exports: OpenAIModule, version?: string) => {
        warnUnsupportedVersion(version);
        return exports;
      }),
    ];
  }

  /** Patches a loaded `openai` module (used by the require/import hooks, and directly where no hook can run). */
  patch<M extends OpenAIModule>(exports: M): M {
    const ctx = this.surfaceContext();
    if (PATCHES.some((p) => p.required && typeof methodsOf(p.find(exports))?.[p.method] !== 'function')) {
      diag.warn(`${PACKAGE_NAME}: this openai version does not have the expected classes; calls are not instrumented`);
      return exports;
    }
    for (const { find, method, surface } of PATCHES) {
      const proto = methodsOf(find(exports));
      if (!proto || typeof proto[method] !== 'function' || isWrapped(proto[method])) continue;
      this._wrap(proto as never, method as never, ((original: Method) => wrapSdkMethod(original, ctx, sdkMethodOf(surface))) as never);
    }
    for (const { find, method, wrap } of BATCH_PATCHES) {
      const proto = methodsOf(find(exports));
      if (!proto || typeof proto[method] !== 'function' || isWrapped(proto[method])) continue;
      this._wrap(proto as never, method as never, ((original: SdkFunction<SdkResource, never>) => wrap(original, ctx)) as never);
    }
    return exports;
  }

  unpatch(exports: OpenAIModule): void {
    for (const { find, method } of [...PATCHES, ...BATCH_PATCHES]) {
      const proto = methodsOf(find(exports));
      if (proto && isWrapped(proto[method])) this._unwrap(proto as never, method);
    }
  }

  /**
   * Patches `openai/realtime/internal-base` (loaded with `openai/realtime/ws` or `/websocket`): the
   * emitter every Realtime client sends its server events through.
   */
  patchRealtime<M extends RealtimeBaseModule>(exports: M): M {
    const proto = methodsOf(exports?.OpenAIRealtimeEmitter);
    if (typeof proto?._emit !== 'function' || isWrapped(proto._emit)) return exports;
    this._wrap(proto as never, '_emit' as never, realtimeEmit(this.surfaceContext()) as never);
    return exports;
  }

  unpatchRealtime(exports: RealtimeBaseModule): void {
    const proto = methodsOf(exports?.OpenAIRealtimeEmitter);
    if (proto && isWrapped(proto._emit)) this._unwrap(proto as never, '_emit');
  }
}
