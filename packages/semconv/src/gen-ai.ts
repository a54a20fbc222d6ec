/**
 * OpenTelemetry GenAI semantic conventions: span attributes.
 *
 * Source: https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/ and the attribute registry
 * (`gen_ai.*`, `user.*`, `error.*`, `server.*`). Token counts follow the spec: input tokens INCLUDE
 * cached tokens (cache reads and cache writes), for every provider.
 */

/** The name of the operation being performed, e.g. `chat`, `embeddings` (see {@link GenAiOperation}). */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
/** The GenAI provider as identified by the instrumentation, e.g. `openai`, `gcp.gemini` (see `providers.ts`). */
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
/** The model the request asked for, as the application named it. */
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
/** The model that generated the response (often a dated snapshot of the requested one). */
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
/** The provider's unique id of the completion. */
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
/** string[]: why the model stopped generating, one per choice (`stop`, `length`, `tool_calls`, ...). */
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
/** Seconds from the request to the first chunk of a streamed response (double, `s`). */
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';

/** Maximum number of tokens the model may generate (int). */
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
/** Sampling temperature (double). */
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
/** Nucleus sampling (double). */
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
/** Top-k sampling (double). */
export const ATTR_GEN_AI_REQUEST_TOP_K = 'gen_ai.request.top_k';
/** Frequency penalty (double). */
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty';
/** Presence penalty (double). */
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty';
/** string[]: stop sequences. */
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';
/** Requested seed (int). */
export const ATTR_GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';
/** Number of candidate completions requested (int). */
export const ATTR_GEN_AI_REQUEST_CHOICE_COUNT = 'gen_ai.request.choice.count';
/** string[]: encoding formats requested for embeddings (`float`, `base64`). */
export const ATTR_GEN_AI_REQUEST_ENCODING_FORMATS = 'gen_ai.request.encoding_formats';
/** Requested output type: `text`, `json`, `image`, `speech`. */
export const ATTR_GEN_AI_OUTPUT_TYPE = 'gen_ai.output.type';

/** Input (prompt) tokens, INCLUDING cache reads and cache writes (int, `{token}`). */
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
/** Output (completion) tokens, including reasoning tokens (int, `{token}`). */
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
/** Input tokens served from the provider's prompt cache; a part of input tokens (int, `{token}`). */
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
/** Input tokens written to the provider's prompt cache; a part of input tokens (int, `{token}`). */
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
/** Output tokens spent on reasoning; a part of output tokens (int, `{token}`). */
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';

/** The agent's id, for attribution of cost to an agent. */
export const ATTR_GEN_AI_AGENT_ID = 'gen_ai.agent.id';
/** The agent's human-readable name. */
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
/** The conversation (session, thread) the call belongs to. */
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';

/** Opt-in content capture only: the input messages, as JSON. */
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
/** Opt-in content capture only: the output messages, as JSON. */
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
/** Opt-in content capture only: the system instructions, as JSON. */
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';

/** Deprecated (read only): the provider, replaced by `gen_ai.provider.name`. Still emitted by older instrumentations. */
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.system';
/** Deprecated (read only): replaced by `gen_ai.usage.input_tokens`. */
export const ATTR_GEN_AI_USAGE_PROMPT_TOKENS = 'gen_ai.usage.prompt_tokens';
/** Deprecated (read only): replaced by `gen_ai.usage.output_tokens`. */
export const ATTR_GEN_AI_USAGE_COMPLETION_TOKENS = 'gen_ai.usage.completion_tokens';

/** Well-known values of `gen_ai.operation.name` (spec), plus the ones the spec lacks, which tokenledger uses. */
export const GenAiOperation = {
  CHAT: 'chat',
  GENERATE_CONTENT: 'generate_content',
  TEXT_COMPLETION: 'text_completion',
  EMBEDDINGS: 'embeddings',
  CREATE_AGENT: 'create_agent',
  INVOKE_AGENT: 'invoke_agent',
  EXECUTE_TOOL: 'execute_tool',
  /** Not in the spec: image generation, edit or variation. */
  IMAGE_GENERATION: 'image_generation',
  /** Not in the spec: speech to text (transcription or translation). */
  AUDIO_TRANSCRIPTION: 'audio_transcription',
  /** Not in the spec: text to speech. */
  SPEECH: 'speech',
  /** Not in the spec: a payment gateway fee recorded with the manual tracking API. */
  PAYMENT: 'payment',
  /**
   * Not in the spec: a Realtime or Live session. It carries no usage of its own: each response or
   * turn in it is a call of its own (count leaf calls once).
   */
  SESSION: 'session',
  /** Not in the spec: a batch job (its creation, or the reading of its results). No usage of its own: each result is a call. */
  BATCH: 'batch',
} as const;
export type GenAiOperationName = (typeof GenAiOperation)[keyof typeof GenAiOperation];

/** Values of `gen_ai.token.type` on `gen_ai.client.token.usage`. */
export const GenAiTokenType = {
  INPUT: 'input',
  OUTPUT: 'output',
} as const;

/** Values of `gen_ai.output.type`. */
export const GenAiOutputType = {
  TEXT: 'text',
  JSON: 'json',
  IMAGE: 'image',
  SPEECH: 'speech',
} as const;
