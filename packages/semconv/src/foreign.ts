/**
 * Names emitted by other GenAI instrumentations, which the collector reads so that any of them can be
 * priced. tokenledger never writes these.
 */

/** OpenLLMetry (traceloop/openllmetry-js) names beyond the GenAI conventions. */
export const OpenLLMetry = {
  /** Request type: `chat`, `completion`, `embedding`, `rerank`. */
  LLM_REQUEST_TYPE: 'llm.request.type',
  /** Total tokens (input + output). */
  LLM_USAGE_TOTAL_TOKENS: 'llm.usage.total_tokens',
  /** Cache read tokens, pre-spec spelling. */
  GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS: 'gen_ai.usage.cache_read_input_tokens',
  /** Cache creation tokens, pre-spec spelling. */
  GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS: 'gen_ai.usage.cache_creation_input_tokens',
  /** Reasoning tokens, pre-spec spelling. */
  GEN_AI_USAGE_REASONING_TOKENS: 'gen_ai.usage.reasoning_tokens',
  /** The association property prefix carrying user ids and the like. */
  ASSOCIATION_PROPERTIES_PREFIX: 'traceloop.association.properties.',
} as const;

/** OpenInference (Arize) names. */
export const OpenInference = {
  /** `LLM`, `EMBEDDING`, `CHAIN`, `TOOL`, `AGENT`, ... */
  SPAN_KIND: 'openinference.span.kind',
  LLM_MODEL_NAME: 'llm.model_name',
  /** The hosting provider: `openai`, `anthropic`, `google`, `azure`, `aws`. */
  LLM_PROVIDER: 'llm.provider',
  /** The model family: `openai`, `anthropic`, `vertexai`, ... */
  LLM_SYSTEM: 'llm.system',
  LLM_TOKEN_COUNT_PROMPT: 'llm.token_count.prompt',
  LLM_TOKEN_COUNT_COMPLETION: 'llm.token_count.completion',
  LLM_TOKEN_COUNT_TOTAL: 'llm.token_count.total',
  LLM_TOKEN_COUNT_PROMPT_CACHE_READ: 'llm.token_count.prompt_details.cache_read',
  LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE: 'llm.token_count.prompt_details.cache_write',
  LLM_TOKEN_COUNT_PROMPT_AUDIO: 'llm.token_count.prompt_details.audio',
  LLM_TOKEN_COUNT_COMPLETION_REASONING: 'llm.token_count.completion_details.reasoning',
  LLM_TOKEN_COUNT_COMPLETION_AUDIO: 'llm.token_count.completion_details.audio',
  EMBEDDING_MODEL_NAME: 'embedding.model_name',
  USER_ID: 'user.id',
  SESSION_ID: 'session.id',
} as const;

/** Vercel AI SDK (`ai.*`) names. Only the provider-call spans (`ai.*.doGenerate`, `ai.*.doStream`, `ai.embed.doEmbed`, ...) carry one call's usage. */
export const VercelAi = {
  /** e.g. `ai.generateText.doGenerate`. */
  OPERATION_ID: 'ai.operationId',
  MODEL_ID: 'ai.model.id',
  /** e.g. `openai.chat`, `anthropic.messages`, `google.generative-ai`. */
  MODEL_PROVIDER: 'ai.model.provider',
  RESPONSE_MODEL: 'ai.response.model',
  RESPONSE_ID: 'ai.response.id',
  RESPONSE_FINISH_REASON: 'ai.response.finishReason',
  /** AI SDK 5+ */
  USAGE_INPUT_TOKENS: 'ai.usage.inputTokens',
  USAGE_OUTPUT_TOKENS: 'ai.usage.outputTokens',
  USAGE_CACHED_INPUT_TOKENS: 'ai.usage.cachedInputTokens',
  USAGE_REASONING_TOKENS: 'ai.usage.reasoningTokens',
  /** AI SDK 4 and earlier */
  USAGE_PROMPT_TOKENS: 'ai.usage.promptTokens',
  USAGE_COMPLETION_TOKENS: 'ai.usage.completionTokens',
  /** Embedding calls */
  USAGE_TOKENS: 'ai.usage.tokens',
  /** Prefix of user metadata: `ai.telemetry.metadata.<key>`. */
  TELEMETRY_METADATA_PREFIX: 'ai.telemetry.metadata.',
} as const;

/** OpenLIT names beyond the GenAI conventions. */
export const OpenLit = {
  /** The cost OpenLIT computed itself, in USD (double). Kept as the provided cost, never trusted as ours. */
  GEN_AI_USAGE_COST: 'gen_ai.usage.cost',
} as const;
