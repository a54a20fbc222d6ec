import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

export interface AnthropicInstrumentationConfig extends InstrumentationConfig {
  /** Record prompts and completions on spans. Default: OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT === 'true'. */
  captureMessageContent?: boolean;
  /** Override the `gen_ai.provider.name` derived from the client (`anthropic`, or Bedrock / Vertex AI clients). */
  providerName?: string;
}
