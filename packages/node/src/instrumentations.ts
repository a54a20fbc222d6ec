import { diag } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';

/** Each instrumentation package and the SDKs it patches (one of them must be installed for it to load). */
export const INSTRUMENTATION_PACKAGES: readonly { name: string; sdks: readonly string[] }[] = [
  { name: '@tokenledger/instrumentation-openai', sdks: ['openai'] },
  { name: '@tokenledger/instrumentation-anthropic', sdks: ['@anthropic-ai/sdk'] },
  { name: '@tokenledger/instrumentation-google-genai', sdks: ['@google/genai', '@google/generative-ai'] },
];

type InstrumentationClass = new (config?: Record<string, unknown>) => Instrumentation;

/** Whether `name` can be loaded by the app (from its working directory) or by this package. */
function installed(name: string): boolean {
  for (const from of [process.cwd(), __dirname]) {
    try {
      require.resolve(name, { paths: [from] });
      return true;
    } catch {
      // ESM-only packages have no "require" export: their package.json still says they are there.
      try {
        require.resolve(`${name}/package.json`, { paths: [from] });
        return true;
      } catch {
        /* not from here */
      }
    }
  }
  return false;
}

/** The exported classes of a package that are OpenTelemetry instrumentations (by shape, not by name). */
function instrumentationClasses(exports: Record<string, unknown>): InstrumentationClass[] {
  return Object.values(exports).filter(
    (value): value is InstrumentationClass =>
      typeof value === 'function' &&
      typeof (value as { prototype?: { enable?: unknown; setTracerProvider?: unknown } }).prototype?.enable === 'function' &&
      typeof (value as { prototype: { setTracerProvider?: unknown } }).prototype.setTracerProvider === 'function',
  );
}

export interface LoadedInstrumentations {
  instrumentations: Instrumentation[];
  /** Package name → why it was not loaded. */
  skipped: Record<string, string>;
}

/**
 * Creates tokenledger's instrumentations: a package that is not installed (or not built), or whose
 * SDK the app does not have, is skipped, never an error, so the hook works with whichever of the three
 * SDKs the app uses. Every package is loaded before any instrumentation is created: a created
 * instrumentation hooks `require`, and each module loaded after that is resolved twice.
 */
export function loadInstrumentations(config: Record<string, unknown> = {}): LoadedInstrumentations {
  const instrumentations: Instrumentation[] = [];
  const skipped: Record<string, string> = {};
  const loaded: { name: string; exports: Record<string, unknown> }[] = [];
  for (const pkg of INSTRUMENTATION_PACKAGES) {
    if (!pkg.sdks.some(installed)) {
      skipped[pkg.name] = `none of ${pkg.sdks.join(', ')} is installed`;
      continue;
    }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded.push({ name: pkg.name, exports: require(pkg.name) as Record<string, unknown> });
    } catch (err) {
      skipped[pkg.name] = `could not be loaded: ${(err as Error).message}`;
    }
  }
  for (const { name, exports } of loaded) {
    const classes = instrumentationClasses(exports);
    if (classes.length === 0) skipped[name] = 'exports no instrumentation';
    for (const Class of classes) {
      try {
        instrumentations.push(new Class(config));
      } catch (err) {
        skipped[name] = `${Class.name} could not be created: ${(err as Error).message}`;
      }
    }
  }
  for (const [name, why] of Object.entries(skipped)) diag.debug(`@tokenledger/node: ${name} skipped: ${why}`);
  return { instrumentations, skipped };
}

/**
 * The HTTP instrumentations that carry attribution as W3C baggage across service hops: outgoing
 * `http`/`https` and `fetch` requests get `traceparent` and `baggage` headers, incoming requests'
 * headers become the handler's context (so a downstream service's AI calls carry the caller's
 * user, agent and feature). They also emit HTTP client and server spans, which the collector
 * ignores. Off with TOKENLEDGER_HTTP_INSTRUMENTATION=off (e.g. when the app registers its own).
 * Only the classes: the caller creates them once every module is loaded (see loadInstrumentations).
 */
export function httpInstrumentationClasses(env: NodeJS.ProcessEnv = process.env): InstrumentationClass[] {
  const setting = (env.TOKENLEDGER_HTTP_INSTRUMENTATION ?? 'on').trim().toLowerCase();
  if (setting === 'off' || setting === 'false' || setting === '0') return [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  return [HttpInstrumentation, UndiciInstrumentation];
}
