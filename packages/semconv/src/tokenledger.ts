/**
 * tokenledger's own attributes, for what the GenAI semantic conventions do not cover yet: units that
 * are not tokens (images, audio seconds, speech characters), audio tokens, payment fees, and attribution beyond
 * user/agent/conversation. Source: this project (documented in packages/semconv/README.md).
 */

/** Number of images generated, edited or varied (int, `{image}`). */
export const ATTR_TOKENLEDGER_IMAGE_COUNT = 'tokenledger.image.count';
/** Image size as `WIDTHxHEIGHT`, e.g. `1024x1792` (string). */
export const ATTR_TOKENLEDGER_IMAGE_SIZE = 'tokenledger.image.size';
/** Image quality as the provider names it: `standard`, `hd`, `low`, `medium`, `high` (string). */
export const ATTR_TOKENLEDGER_IMAGE_QUALITY = 'tokenledger.image.quality';
/** Seconds of audio transcribed or translated (double, `s`). */
export const ATTR_TOKENLEDGER_AUDIO_SECONDS = 'tokenledger.audio.seconds';
/** Characters of text turned into speech (int, `{character}`). */
export const ATTR_TOKENLEDGER_SPEECH_CHARACTERS = 'tokenledger.speech.characters';
/** Amount charged through a payment gateway, in USD, as a decimal string (e.g. `"10.00"`). */
export const ATTR_TOKENLEDGER_PAYMENT_AMOUNT = 'tokenledger.payment.amount';
/** The payment gateway that charged a fee: `stripe`, `mercadopago`, ... (string). */
export const ATTR_TOKENLEDGER_PAYMENT_GATEWAY = 'tokenledger.payment.gateway';
/** The product feature that caused the call, for attribution (string). */
export const ATTR_TOKENLEDGER_FEATURE = 'tokenledger.feature';
/** Resource or span attribute: the tenant the usage belongs to (string). */
export const ATTR_TOKENLEDGER_TENANT = 'tokenledger.tenant';
/** Prefix of free-form attribution tags: `tokenledger.tag.<name>` (string values). */
export const ATTR_TOKENLEDGER_TAG_PREFIX = 'tokenledger.tag.';
/**
 * Input tokens that were audio (priced at the model's audio input rate); a part of
 * `gen_ai.usage.input_tokens`, as OpenAI reports `prompt_tokens_details.audio_tokens` and
 * `input_token_details.audio_tokens` (int, `{token}`). The GenAI conventions have no audio token attribute yet.
 */
export const ATTR_TOKENLEDGER_USAGE_AUDIO_INPUT_TOKENS = 'tokenledger.usage.audio.input_tokens';
/**
 * Output tokens that were audio (priced at the model's audio output rate); a part of
 * `gen_ai.usage.output_tokens`, as OpenAI reports `completion_tokens_details.audio_tokens` (int, `{token}`).
 */
export const ATTR_TOKENLEDGER_USAGE_AUDIO_OUTPUT_TOKENS = 'tokenledger.usage.audio.output_tokens';
/** Cached audio input tokens: a part of `tokenledger.usage.audio.input_tokens` and of `gen_ai.usage.cache_read.input_tokens` (int, `{token}`). */
export const ATTR_TOKENLEDGER_USAGE_AUDIO_CACHE_READ_INPUT_TOKENS = 'tokenledger.usage.audio.cache_read.input_tokens';
/** Input tokens that were images; a part of `gen_ai.usage.input_tokens` (int, `{token}`). */
export const ATTR_TOKENLEDGER_USAGE_IMAGE_INPUT_TOKENS = 'tokenledger.usage.image.input_tokens';
/** Cached image input tokens: a part of `tokenledger.usage.image.input_tokens` and of `gen_ai.usage.cache_read.input_tokens` (int, `{token}`). */
export const ATTR_TOKENLEDGER_USAGE_IMAGE_CACHE_READ_INPUT_TOKENS = 'tokenledger.usage.image.cache_read.input_tokens';
/** Input tokens that were video, not read from the cache (cached video stays in the cache reads); a part of `gen_ai.usage.input_tokens` (int, `{token}`). */
export const ATTR_TOKENLEDGER_USAGE_VIDEO_INPUT_TOKENS = 'tokenledger.usage.video.input_tokens';
/** Output tokens that were images; a part of `gen_ai.usage.output_tokens` (int, `{token}`). */
export const ATTR_TOKENLEDGER_USAGE_IMAGE_OUTPUT_TOKENS = 'tokenledger.usage.image.output_tokens';
/**
 * Cache writes kept for an hour (Anthropic's 1-hour TTL, priced apart from 5-minute writes); a part of
 * `gen_ai.usage.cache_creation.input_tokens` (int, `{token}`).
 */
export const ATTR_TOKENLEDGER_USAGE_CACHE_CREATION_1H_INPUT_TOKENS = 'tokenledger.usage.cache_creation_1h.input_tokens';
/** true when token counts were estimated with a tokenizer because the provider reported none (boolean). */
export const ATTR_TOKENLEDGER_USAGE_ESTIMATED = 'tokenledger.usage.estimated';
/** A cost the application supplied itself, in USD, as a decimal string; kept as the *provided* cost. */
export const ATTR_TOKENLEDGER_COST_PROVIDED_USD = 'tokenledger.cost.provided_usd';
/** The cost type when the operation name alone does not say it: `llm`, `embedding`, `image`, `audio`, `speech`, `payment`, `other`. */
export const ATTR_TOKENLEDGER_COST_TYPE = 'tokenledger.cost.type';
/** true when the call went through a provider's batch API (priced at the batch discount) (boolean). */
export const ATTR_TOKENLEDGER_BATCH = 'tokenledger.batch';
/** The provider's id of the batch job a call was part of (`batch_abc`, `msgbatch_abc`, `batches/abc`) (string). */
export const ATTR_TOKENLEDGER_BATCH_ID = 'tokenledger.batch.id';
/** The app's id of one request within its batch job (`custom_id`, or the key of an inlined request) (string). */
export const ATTR_TOKENLEDGER_BATCH_REQUEST_ID = 'tokenledger.batch.request_id';
/** Free-form metadata of a manual tracking call, as a JSON object string. */
export const ATTR_TOKENLEDGER_METADATA = 'tokenledger.metadata';

/** Values of {@link ATTR_TOKENLEDGER_COST_TYPE}: how reports group cost. */
export const CostType = {
  LLM: 'llm',
  EMBEDDING: 'embedding',
  IMAGE: 'image',
  AUDIO: 'audio',
  SPEECH: 'speech',
  PAYMENT: 'payment',
  OTHER: 'other',
} as const;
export type CostTypeName = (typeof CostType)[keyof typeof CostType];
export const COST_TYPES: readonly CostTypeName[] = Object.values(CostType);
