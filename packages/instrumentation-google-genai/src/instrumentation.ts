import { InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import { GenAiInstrumentation, type SdkMethod, watchSdkMethod, wrapSdkMethod } from '@tokenledger/instrumentation-common';
import { batchCreate, batchGet, filesDownload } from './batch';
import { liveConnect } from './live';
import { embedContentSurface, generateContentStreamSurface, generateContentSurface, generateImagesSurface } from './genai-surfaces';
import {
  legacyBatchEmbedContentsSurface,
  legacyEmbedContentSurface,
  legacyGenerateContentStreamSurface,
  legacyGenerateContentSurface,
} from './legacy-surfaces';
import type { GoogleGenAIInstrumentationConfig } from './types';
import { GENAI_RANGE, inRange, LEGACY_RANGE, type Range, warnOnce } from './versions';

const PACKAGE_NAME = '@tokenledger/instrumentation-google-genai';
// The released version (lerna.json sets it in package.json), as the instrumentation scope's version.
const PACKAGE_VERSION = (require('../package.json') as { version: string }).version;

type Prototype = Record<string, unknown>;
/** What patchGenAI() reads of the `@google/genai` module (classes whose prototypes are objects); the module imported with its own types fits it. */
interface GenAIModule {
  Models?: { prototype: object };
  Batches?: { prototype: object };
  Files?: { prototype: object };
  Live?: { prototype: object };
}
/** What patchLegacy() reads of the `@google/generative-ai` module; the module imported with its own types fits it. */
interface LegacyModule {
  GenerativeModel?: { prototype: object };
}

/**
 * `@google/genai` assigns its public Models methods (generateContent, ...) per instance in the
 * constructor, so they cannot be patched on a prototype; each of them sends its request through
 * one of these prototype methods, one per HTTP request. Patching here instruments every client,
 * including ones made before the patch, and every path to the network (chats, automatic function
 * calling, automatic continuation) exactly once per request.
 */
const GENAI_METHODS: [string, SdkMethod<never, never>][] = [
  ['generateContentInternal', generateContentSurface as never],
  ['generateContentStreamInternal', generateContentStreamSurface as never],
  ['embedContentInternal', embedContentSurface as never],
  ['generateImagesInternal', generateImagesSurface as never],
];

const LEGACY_METHODS: [string, SdkMethod<never, never>][] = [
  ['generateContent', legacyGenerateContentSurface as never],
  ['generateContentStream', legacyGenerateContentStreamSurface as never],
  ['embedContent', legacyEmbedContentSurface as never],
  ['batchEmbedContents', legacyBatchEmbedContentsSurface as never],
];

/**
 * Instruments Google's Gemini SDKs: `@google/genai` (Gemini API and Vertex AI: generateContent,
 * its streaming form, chats built on them, embedContent, generateImages) and the legacy
 * `@google/generative-ai` (GenerativeModel's generateContent, generateContentStream, embedContent,
 * batchEmbedContents). Each call becomes a GenAI CLIENT span with exact token counts and
 * attribution, plus the GenAI client metrics; the SDKs' own promises and generators are returned.
 */
export class GoogleGenAIInstrumentation extends GenAiInstrumentation<GoogleGenAIInstrumentationConfig> {
  constructor(config: GoogleGenAIInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  /**
   * Every version is offered to the patch, which checks the range itself: an unsupported version
   * then gets a clear warning instead of the silence of an unmatched module definition.
   */
  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(
        '@google/genai',
        ['*'],
        (exports: GenAIModule, version?: string) => this.patchGenAI(exports, version),
        (exports: GenAIModule) => this.unpatchGenAI(exports),
      ),
      new InstrumentationNodeModuleDefinition(
        '@google/generative-ai',
        ['*'],
        (exports: LegacyModule, version?: string) => this.patchLegacy(exports, version),
        (exports: LegacyModule) => this.unpatchLegacy(exports),
      ),
    ];
  }

  /** Patches a loaded `@google/genai` module (used by the require/import hooks, and directly where no hook can run). */
  patchGenAI<M extends GenAIModule>(exports: M, version?: string): M {
    if (!this.supported('@google/genai', version, GENAI_RANGE)) return exports;
    this.wrapAll('@google/genai', exports?.Models?.prototype, GENAI_METHODS);
    this.wrapAll('@google/genai', exports?.Live?.prototype, [['connect', liveConnect as never]]);
    this.wrapAll('@google/genai', exports?.Batches?.prototype, [['createInternal', batchCreate as never]]);
    const ctx = this.surfaceContext();
    this.watch(exports?.Batches?.prototype, 'get', (original) => watchSdkMethod(original, ctx, batchGet(ctx)));
    this.watch(exports?.Files?.prototype, 'download', (original) => watchSdkMethod(original, ctx, filesDownload(ctx)));
    return exports;
  }

  unpatchGenAI(exports: GenAIModule): void {
    this.unwrapAll(exports?.Models?.prototype, GENAI_METHODS);
    this.unwrapAll(exports?.Live?.prototype, [['connect', liveConnect as never]]);
    const batches = exports?.Batches?.prototype as Prototype | undefined;
    for (const name of ['createInternal', 'get']) if (batches && isWrapped(batches[name])) this._unwrap(batches as never, name);
    const files = exports?.Files?.prototype as Prototype | undefined;
    if (files && isWrapped(files.download)) this._unwrap(files as never, 'download');
  }

  /** Patches a loaded `@google/generative-ai` module. */
  patchLegacy<M extends LegacyModule>(exports: M, version?: string): M {
    if (this.supported('@google/generative-ai', version, LEGACY_RANGE))
      this.wrapAll('@google/generative-ai', exports?.GenerativeModel?.prototype, LEGACY_METHODS);
    return exports;
  }

  unpatchLegacy(exports: LegacyModule): void {
    this.unwrapAll(exports?.GenerativeModel?.prototype, LEGACY_METHODS);
  }

  private supported(module: string, version: string | undefined, range: Range): boolean {
    if (version === undefined || inRange(version, range)) return true;
    warnOnce(
      module,
      `${PACKAGE_NAME}: ${module} ${version} is outside the supported range (>=${range[0]} <${range[1]}); its calls are NOT instrumented and their cost is not recorded. Use a supported version or update ${PACKAGE_NAME}.`,
    );
    return false;
  }

  private wrapAll(module: string, proto: object | undefined, methods: [string, SdkMethod<never, never>][]): void {
    const prototype = proto as Prototype | undefined;
    const missing = methods.filter(([name]) => typeof prototype?.[name] !== 'function').map(([name]) => name);
    if (!prototype || missing.length) {
      warnOnce(
        `${module}:shape`,
        `${PACKAGE_NAME}: this ${module} version does not have the expected methods (${missing.join(', ')}); those calls are not instrumented`,
      );
    }
    if (!prototype) return;
    const ctx = this.surfaceContext();
    for (const [name, surface] of methods) {
      if (typeof prototype[name] !== 'function' || isWrapped(prototype[name])) continue;
      this._wrap(prototype as never, name as never, ((original: never) => wrapSdkMethod(original, ctx, surface)) as never);
    }
  }

  /** Watches a method whose results are no call (polling, downloading), where the SDK has it. */
  private watch(proto: object | undefined, name: string, wrap: (original: never) => unknown): void {
    const prototype = proto as Prototype | undefined;
    if (typeof prototype?.[name] === 'function' && !isWrapped(prototype[name])) this._wrap(prototype as never, name as never, wrap as never);
  }

  private unwrapAll(proto: object | undefined, methods: [string, SdkMethod<never, never>][]): void {
    const prototype = proto as Prototype | undefined;
    if (!prototype) return;
    for (const [name] of methods) if (isWrapped(prototype[name])) this._unwrap(prototype as never, name);
  }
}
