import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

export interface OpenAIInstrumentationConfig extends InstrumentationConfig {
  /** Record prompts and completions on spans. Default: OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT === 'true'. */
  captureMessageContent?: boolean;
  /** Override the `gen_ai.provider.name` derived from the client's base URL. */
  providerName?: string;
}
