import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

export interface GoogleGenAIInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record prompts and completions on spans (`gen_ai.input.messages`, `gen_ai.output.messages`).
   * Off by default: they are personal data. Defaults to
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`.
   */
  captureMessageContent?: boolean;
}
