import { diag } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { installBudgetGuard } from './budget/install';
import { type BudgetGuardOptions, guardOptionsFromEnv, TokenledgerConfigError, resolveGuardOptions } from './budget/options';
import { httpInstrumentationClasses, loadInstrumentations } from './instrumentations';
import { startSdk } from './sdk';
import { installShutdownHooks } from './shutdown';

export interface StartOptions {
  /** The budget guard; by default from TOKENLEDGER_BUDGET_GUARD and friends; false: none. */
  budgetGuard?: BudgetGuardOptions | false;
  /** Record prompts and completions (default: OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true). */
  captureMessageContent?: boolean;
  /** How long flushing at shutdown may take, ms (default TOKENLEDGER_SHUTDOWN_TIMEOUT_MS, else 2000). */
  shutdownTimeoutMs?: number;
}

export interface Tokenledger {
  /** False when OTEL_SDK_DISABLED=true: nothing was patched or started. */
  enabled: boolean;
  instrumentations: Instrumentation[];
  /** Packages that were not loaded, and why (their SDK is not installed, ...). */
  skipped: Record<string, string>;
  /** Exports pending spans and metrics now. */
  flush(): Promise<void>;
  /** Flushes and stops the SDK and the budget guard. */
  shutdown(): Promise<void>;
}

/** An exiting app waits at most this long for its telemetry, whatever the collector does. */
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 2000;

const STARTED = Symbol.for('@tokenledger/node.started');
type WithStarted = typeof globalThis & { [STARTED]?: Tokenledger };

/** OTEL_SDK_DISABLED=true, read as the OpenTelemetry SDK reads it. */
export function sdkDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true';
}

function shutdownTimeout(options: StartOptions): number {
  if (options.shutdownTimeoutMs !== undefined) return options.shutdownTimeoutMs;
  const raw = process.env.TOKENLEDGER_SHUTDOWN_TIMEOUT_MS?.trim();
  if (!raw) return DEFAULT_SHUTDOWN_TIMEOUT_MS;
  if (!/^\d+$/.test(raw)) throw new TokenledgerConfigError(`TOKENLEDGER_SHUTDOWN_TIMEOUT_MS must be a whole number of milliseconds, got "${raw}"`);
  return Number(raw);
}

/**
 * Starts OpenTelemetry with tokenledger's instrumentations, configured by the standard OTEL_*
 * variables (OTLP endpoint, headers and protocol, service name, resource attributes, sampler,
 * propagators: W3C trace context and baggage by default; see sdk.ts), flushes on shutdown within
 * the shutdown timeout, and installs the budget guard when asked. What `@tokenledger/node/register`
 * runs; once per process.
 */
export function startTokenledger(options: StartOptions = {}): Tokenledger {
  const g = globalThis as WithStarted;
  if (g[STARTED]) return g[STARTED];
  if (sdkDisabled()) {
    diag.debug('@tokenledger/node: OTEL_SDK_DISABLED=true, nothing is instrumented');
    return (g[STARTED] = { enabled: false, instrumentations: [], skipped: {}, flush: async () => {}, shutdown: async () => {} });
  }
  const guardOptions = options.budgetGuard === false ? null : options.budgetGuard ? resolveGuardOptions(options.budgetGuard) : guardOptionsFromEnv();
  const timeoutMs = shutdownTimeout(options);
  // Every instrumentation module is loaded before the first instrumentation is created (see loadInstrumentations).
  const http = httpInstrumentationClasses();
  const { instrumentations, skipped } = loadInstrumentations(
    options.captureMessageContent === undefined ? {} : { captureMessageContent: options.captureMessageContent },
  );
  const sdk = startSdk([...instrumentations, ...http.map((Class) => new Class())]);
  if (guardOptions) installBudgetGuard(guardOptions);
  let stopped: Promise<void> | null = null;
  const stop = () => (stopped ??= sdk.shutdown().catch((err: unknown) => diag.warn(`@tokenledger/node: shutdown failed: ${(err as Error)?.message ?? err}`)));
  const uninstall = installShutdownHooks(sdk.flush, stop, timeoutMs, sdk.abandon);
  return (g[STARTED] = {
    enabled: true,
    instrumentations,
    skipped,
    flush: sdk.flush,
    shutdown: async () => {
      uninstall();
      await stop();
    },
  });
}
