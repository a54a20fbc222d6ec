/**
 * The price book's public contract. Money is integer nano-USD (1e-9 USD) as bigint; unit prices are
 * exact decimal strings in USD per one unit (a token, an image, a second, a character, a request).
 */

/** A normalised usage to price. Token counts follow the GenAI convention: inputTokens INCLUDES cache reads and writes. */
export interface UsageInput {
  /** Provider in any spelling the semconv alias table knows (`openai`, `gcp.gemini`, `google`, `anthropic`, ...). */
  provider: string;
  /** Model as reported (response model preferred): dated snapshots, `models/` prefixes and `vendor/model` forms are matched. */
  model: string;
  /** `gen_ai.operation.name` (chat, embeddings, image_generation, audio_transcription, speech, payment, ...). */
  operation?: string;
  /** When the usage happened; the price in force then applies. Defaults to now. */
  timestamp?: Date | number;
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
  /** Input tokens that were audio (part of inputTokens), priced at the audio rate where the model has one. */
  inputAudioTokens?: number;
  /** Output tokens that were audio (part of outputTokens). */
  outputAudioTokens?: number;
  /** Finer token details, each priced at its own rate where the model has one (see TokenDetails). */
  details?: TokenDetails;
  /** Image generation: how many, `WxH`, and quality (`standard`, `hd`, `low`, `medium`, `high`). */
  images?: { count: number; size?: string; quality?: string };
  audioSeconds?: number;
  /** Characters of text to speech. */
  characters?: number;
  /** A payment gateway fee: the amount charged in USD as a decimal string, and the gateway (`stripe`, `mercadopago`). */
  payment?: { amountUsd: string; gateway: string };
  /** Sent through the provider's batch API (batch discount applies). */
  batch?: boolean;
}

/**
 * Token details beyond audio, each a part of a count of the usage. Kept in one object: most usages
 * have none, and then pricing looks at one field instead of six.
 */
export interface TokenDetails {
  /** Cached audio input tokens: part of inputAudioTokens and of cacheReadTokens. */
  cacheAudioReadTokens?: number;
  /** Input tokens that were images (part of inputTokens). */
  inputImageTokens?: number;
  /** Cached image input tokens: part of inputImageTokens and of cacheReadTokens. */
  cacheImageReadTokens?: number;
  /** Input tokens that were video (part of inputTokens). */
  inputVideoTokens?: number;
  /** Cache writes kept for an hour (Anthropic's 1-hour TTL): part of cacheWriteTokens, priced apart from 5-minute writes. */
  cacheWrite1hTokens?: number;
  /** Output tokens that were images (part of outputTokens). */
  outputImageTokens?: number;
}

export type PriceSource = 'operator' | 'supplemental' | 'catalog';

export interface PriceLine {
  /** What was counted: `input_tokens`, `cache_read_tokens`, `output_tokens`, `images`, `audio_seconds`, `characters`, `payment_percent`, `payment_fixed`, ... */
  unit: string;
  /** How many of the unit (tokens, images, seconds, characters; for a percentage fee, the amount in USD). */
  quantity: string;
  /** USD per one unit, exact decimal string. */
  unitPriceUsd: string;
  /** This line's exact cost in USD as a decimal string (not rounded; the total is rounded once). */
  costUsd: string;
}

export interface Priced {
  status: 'priced';
  /** Total cost, rounded once, half up, to the nano-USD. */
  costNanos: bigint;
  /** Same, as a USD decimal string with 9 decimal places. */
  costUsd: string;
  lines: PriceLine[];
  /** Unit prices used, by unit (USD per one unit, exact decimal strings). */
  unitPrices: Record<string, string>;
  /** How many of each unit were priced (the same keys as unitPrices), as decimal strings. */
  quantities: Record<string, string>;
  /**
   * What the sum of quantity × unit price was multiplied by before rounding: the batch discount times
   * the operator's discount, as an exact decimal string ("1" when neither applied).
   */
  multiplier: string;
  source: PriceSource;
  /** e.g. `catalog:@pydantic/genai-prices@0.1.8`, `supplemental:2026-11-01`, `operator:/etc/prices.yaml@sha256:…`. */
  sourceVersion: string;
  /** The price book version id: a content hash of every price source in force. */
  priceBookVersion: string;
  /** The provider and model entry that matched. */
  matched: { provider: string; model: string };
  /** Multiplier applied from an operator discount, as a decimal string, when one applied. */
  discount?: string;
}

export type UnpricedReason = 'unknown_model' | 'fine_tuned_unpriced' | 'missing_dimension' | 'invalid_usage';

export interface Unpriced {
  status: 'unpriced';
  reason: UnpricedReason;
  /** A sentence saying what was missing. */
  detail: string;
  /** For `fine_tuned_unpriced`: the operator price-file entry (YAML) that would price the model. */
  suggestion?: string;
  priceBookVersion: string;
}

export type PriceResult = Priced | Unpriced;
