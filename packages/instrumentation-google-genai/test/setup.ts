import { runInThisContext } from 'node:vm';
import { GoogleGenAI } from '@google/genai';
import { type GenerativeModel, GoogleGenerativeAI } from '@google/generative-ai';
import { type InstrumentedSdk, instrumentedSdk } from '@tokenledger/otel-harness';
import { GoogleGenAIInstrumentation } from '../src';

// @google/genai sends through Node's global undici dispatcher, which Node keeps on the main realm's
// globalThis; jest runs tests in a separate realm, so lend it the main realm's dispatcher.
const DISPATCHER = Symbol.for('undici.globalDispatcher.1');
(globalThis as Record<symbol, unknown>)[DISPATCHER] ??= runInThisContext(`new Headers(); globalThis[Symbol.for('undici.globalDispatcher.1')]`) as unknown;

export interface Harness extends InstrumentedSdk<GoogleGenAIInstrumentation> {
  /** A Gemini API client. */
  ai: GoogleGenAI;
  /** A Vertex AI client (express mode: an API key instead of a project). */
  vertex: GoogleGenAI;
  /** A legacy @google/generative-ai model. */
  legacy(model: string): GenerativeModel;
}

/** The SDKs' modules with their own types, as patchGenAI() and patchLegacy() take them. */
const genai = () => require('@google/genai') as typeof import('@google/genai');
const legacy = () => require('@google/generative-ai') as typeof import('@google/generative-ai');

/**
 * The real Google SDKs against the loopback mock server, patched by the instrumentation; the hook
 * path is tested by starting a real Node process (require-hook.test.ts).
 */
export async function harness(config: ConstructorParameters<typeof GoogleGenAIInstrumentation>[0] = {}): Promise<Harness> {
  const h = await instrumentedSdk(new GoogleGenAIInstrumentation({ ...config, enabled: false }), (i) => {
    i.patchGenAI(genai());
    i.patchLegacy(legacy());
    return () => {
      i.unpatchGenAI(genai());
      i.unpatchLegacy(legacy());
    };
  });
  const httpOptions = { baseUrl: h.server.url };
  return {
    ...h,
    ai: new GoogleGenAI({ apiKey: 'test-key', httpOptions }),
    vertex: new GoogleGenAI({ vertexai: true, apiKey: 'test-key', httpOptions }),
    legacy: (model) => new GoogleGenerativeAI('test-key').getGenerativeModel({ model }, { baseUrl: h.server.url }),
  };
}

/** Finished spans, after the span processor has exported them. */
export const finishedSpans = (h: Harness) => h.telemetry.spans();

/** Request headers the mock server reads (usage, scenarios), as @google/genai's per-call config sets them. */
export const headers = (h: Record<string, string>) => ({ httpOptions: { headers: h } });
