import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';
import { installBudgetGuard, uninstallBudgetGuard } from './budget/install';
import { type BudgetGuardOptions, guardOptionsFromEnv, resolveGuardOptions } from './budget/options';
import { loadInstrumentations } from './instrumentations';

export interface RegisterOptions {
  /** Default: the global tracer provider (the one the app's SDK registered). */
  tracerProvider?: TracerProvider;
  /** Default: the global meter provider. */
  meterProvider?: MeterProvider;
  /** The budget guard; by default from TOKENLEDGER_BUDGET_GUARD and friends; false: none. */
  budgetGuard?: BudgetGuardOptions | false;
  /** Record prompts and completions (default: OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true). */
  captureMessageContent?: boolean;
}

export interface Registered {
  instrumentations: Instrumentation[];
  skipped: Record<string, string>;
  /** Disables the instrumentations and removes the budget guard. */
  unregister(): void;
}

/**
 * For an app that sets up its own OpenTelemetry SDK: registers tokenledger's instrumentations (and
 * the budget guard) into it. Call it before the app requires `openai`, `@anthropic-ai/sdk` or
 * `@google/genai`, the way any instrumentation is registered. Exporting and shutdown stay the app's.
 */
export function registerTokenledger(options: RegisterOptions = {}): Registered {
  const guardOptions = options.budgetGuard === false ? null : options.budgetGuard ? resolveGuardOptions(options.budgetGuard) : guardOptionsFromEnv();
  const { instrumentations, skipped } = loadInstrumentations(
    options.captureMessageContent === undefined ? {} : { captureMessageContent: options.captureMessageContent },
  );
  const unregisterInstrumentations = registerInstrumentations({
    instrumentations,
    tracerProvider: options.tracerProvider,
    meterProvider: options.meterProvider,
  });
  if (guardOptions) installBudgetGuard(guardOptions);
  return {
    instrumentations,
    skipped,
    unregister: () => {
      unregisterInstrumentations();
      if (guardOptions) uninstallBudgetGuard();
    },
  };
}
