import { diag } from '@opentelemetry/api';
import { InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import { GenAiInstrumentation, type SdkFunction, watchSdkMethod, wrapSdkMethod } from '@tokenledger/instrumentation-common';
import { batchCreate, batchResults } from './batch';
import { messagesCreate } from './messages';
import type { AnthropicInstrumentationConfig } from './types';

const PACKAGE_NAME = '@tokenledger/instrumentation-anthropic';
// The released version (lerna.json sets it in package.json), as the instrumentation scope's version.
const PACKAGE_VERSION = (require('../package.json') as { version: string }).version;
const MODULE_NAME = '@anthropic-ai/sdk';
/** The current major of `@anthropic-ai/sdk` (1) and the one before (0.x, from 0.50, the releases with today's Messages API shape). */
export const SUPPORTED_VERSIONS = ['>=0.50.0 <2'];

/** Whether `version` (e.g. `1.14.0`) is in {@link SUPPORTED_VERSIONS}; kept dependency-free on purpose. */
export function isSupportedVersion(version: string | undefined): boolean {
  const match = /^(\d+)\.(\d+)\.\d+/.exec(version ?? '');
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major === 1 || (major === 0 && minor >= 50);
}

type Prototype = Record<string, unknown>;
/** A class of the SDK, as its module types it: its prototype an object (read here as a record of methods). */
type MessagesClass = { prototype: object; Batches?: { prototype: object } };
/** What patch() reads of the `@anthropic-ai/sdk` module; the module imported with its own types fits it. */
interface AnthropicModule {
  Anthropic?: { Messages?: MessagesClass; Beta?: { Messages?: MessagesClass } };
}

/** The prototypes whose `create` is patched: messages and beta.messages. */
function targets(exports: AnthropicModule): Prototype[] {
  return [exports?.Anthropic?.Messages?.prototype, exports?.Anthropic?.Beta?.Messages?.prototype].filter(
    (p): p is Prototype => typeof (p as Prototype | undefined)?.create === 'function',
  );
}

/** The Message Batches resources (messages.batches and beta.messages.batches), whose `create` and `results` are patched. */
function batchTargets(exports: AnthropicModule): Prototype[] {
  return [exports?.Anthropic?.Messages?.Batches?.prototype, exports?.Anthropic?.Beta?.Messages?.Batches?.prototype].filter(
    (p): p is Prototype => typeof (p as Prototype | undefined)?.create === 'function' && typeof (p as Prototype | undefined)?.results === 'function',
  );
}

const warned = new Set<string>();
/** One clear warning per reason, on the OpenTelemetry logger and the console (an app rarely sets a diag logger). */
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  diag.warn(message);
  console.warn(message);
}

/**
 * Instruments `@anthropic-ai/sdk`: every Messages call (plain, streaming, the `messages.stream()`
 * helper, and their beta forms) becomes a GenAI CLIENT span with exact token counts — prompt-cache
 * reads and writes folded into input tokens and also kept apart — and attribution, plus the GenAI
 * client metrics. The SDK's own promise, stream and MessageStream objects are returned unchanged.
 */
export class AnthropicInstrumentation extends GenAiInstrumentation<AnthropicInstrumentationConfig> {
  constructor(config: AnthropicInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected init() {
    // Every version reaches `patch`, so one outside the supported range is reported instead of silently left alone.
    return [
      new InstrumentationNodeModuleDefinition(
        MODULE_NAME,
        ['*'],
        (exports: AnthropicModule, version?: string) => this.patch(exports, version),
        (exports: AnthropicModule) => this.unpatch(exports),
      ),
    ];
  }

  /**
   * Patches a loaded `@anthropic-ai/sdk` module (used by the require/import hooks, and directly where
   * no hook can run). `version` is the module's; without one the module's shape alone decides.
   */
  patch<M extends AnthropicModule>(exports: M, version?: string): M {
    if (version !== undefined && !isSupportedVersion(version)) {
      warnOnce(
        `${PACKAGE_NAME}: ${MODULE_NAME} ${version} is outside the supported range ${SUPPORTED_VERSIONS.join(' ')}; its calls are not instrumented (no spans, metrics or budget checks). Install a supported version.`,
      );
      return exports;
    }
    const prototypes = targets(exports);
    if (prototypes.length === 0) {
      warnOnce(
        `${PACKAGE_NAME}: this ${MODULE_NAME} version${version ? ` (${version})` : ''} does not have the expected Messages class; calls are not instrumented`,
      );
      return exports;
    }
    const ctx = this.surfaceContext();
    for (const proto of prototypes) {
      if (!isWrapped(proto.create))
        this._wrap(
          proto as never,
          'create' as never,
          ((original: SdkFunction<never, never>) => wrapSdkMethod(original as never, ctx, messagesCreate)) as never,
        );
    }
    for (const proto of batchTargets(exports)) {
      if (!isWrapped(proto.create))
        this._wrap(proto as never, 'create' as never, ((original: SdkFunction<never, never>) => wrapSdkMethod(original as never, ctx, batchCreate)) as never);
      if (!isWrapped(proto.results))
        this._wrap(
          proto as never,
          'results' as never,
          ((original: SdkFunction<never, never>) => watchSdkMethod(original as never, ctx, batchResults(ctx))) as never,
        );
    }
    return exports;
  }

  unpatch(exports: AnthropicModule): void {
    for (const proto of targets(exports)) if (isWrapped(proto.create)) this._unwrap(proto as never, 'create');
    for (const proto of batchTargets(exports)) {
      for (const method of ['create', 'results']) if (isWrapped(proto[method])) this._unwrap(proto as never, method);
    }
  }
}
