import type { CostTypeName } from '@tokenledger/semconv';

/** Token counts of one call, GenAI-convention style: `input` INCLUDES cacheRead and cacheWrite; `output` INCLUDES reasoning. */
export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

/** Audio tokens of one call, each a part of the input or output token count (priced at the audio rates). */
export interface AudioTokens {
  input: number;
  output: number;
}

/**
 * Token details priced at their own rates where the model has them, each a part of another count:
 * cached audio and image tokens of the audio and image input and of `tokens.cacheRead`, image and
 * video tokens of `tokens.input`, image tokens of `tokens.output`, 1-hour cache writes of
 * `tokens.cacheWrite`.
 */
export interface TokenDetails {
  audioCacheRead: number;
  imageInput: number;
  imageCacheRead: number;
  videoInput: number;
  imageOutput: number;
  cacheWrite1h: number;
}

export const NO_TOKEN_DETAILS: Readonly<TokenDetails> = Object.freeze({
  audioCacheRead: 0,
  imageInput: 0,
  imageCacheRead: 0,
  videoInput: 0,
  imageOutput: 0,
  cacheWrite1h: 0,
});

export const TOKEN_KINDS = ['input', 'output', 'cacheRead', 'cacheWrite', 'reasoning'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/**
 * One AI call (or manual tracking event), normalised from whichever instrumentation emitted its span,
 * and priced. Its identity is the span: `id` = trace id + span id (lower-case hex), so a span
 * delivered twice is one record.
 */
/** A record's pricing as a re-pricing found it, kept on the record when it was replaced. */
export interface PriorPricing {
  /** nano-USD as a decimal string; null when the call was unpriced. */
  costNanos: string | null;
  unpricedReason: string | null;
  unitPrices: Record<string, string> | null;
  priceSource: string | null;
  priceBookVersion: string | null;
  /** When the re-pricing that replaced it ran. */
  repricedAtMs: number;
}

/** How many re-pricings replaced the record's pricing: the revision a correction of it starts from. */
export const revisionOf = (record: UsageRecord): number => record.priorPricings.length;

export interface UsageRecord {
  /** traceId (32 hex) + spanId (16 hex). */
  id: string;
  traceId: string;
  spanId: string;
  tenant: string;
  /** Span start, epoch milliseconds (UTC). */
  timeMs: number;
  service: string;
  environment: string | null;
  /** `gen_ai.provider.name` value (semconv canonical). */
  provider: string;
  /** Response model if the span has one, else the request model. */
  model: string;
  requestModel: string | null;
  /** `gen_ai.operation.name`. */
  operation: string;
  costType: CostTypeName;
  tokens: TokenCounts;
  /** Audio tokens within `tokens.input` / `tokens.output`; null when the call had none (and in records stored before it was read). */
  audioTokens: AudioTokens | null;
  /** Cached audio, image, video and 1-hour cache write tokens; null when the call had none (and in records stored before they were read). */
  tokenDetails: TokenDetails | null;
  imageCount: number | null;
  imageSize: string | null;
  imageQuality: string | null;
  audioSeconds: number | null;
  characters: number | null;
  /** Payment fee events: the amount charged (USD decimal string) and the gateway. */
  paymentAmountUsd: string | null;
  paymentGateway: string | null;
  user: string | null;
  agent: string | null;
  conversation: string | null;
  feature: string | null;
  tags: Record<string, string>;
  status: 'ok' | 'error';
  errorType: string | null;
  durationMs: number;
  /** Exact cost in nano-USD; null when unpriced. */
  costNanos: bigint | null;
  /** Why there is no cost (`unknown_model`, `missing_dimension`, `invalid_usage`); null when priced. */
  unpricedReason: string | null;
  /** USD per unit, exact decimal strings, as priced. */
  unitPrices: Record<string, string> | null;
  /**
   * How many of each unit of `unitPrices` were priced (decimal strings), so the cost can be itemised
   * (FOCUS rows, audits): cost = (Σ quantity × unit price) × priceMultiplier, rounded once. Null when
   * unpriced (and in records stored before they were kept).
   */
  priceQuantities: Record<string, string> | null;
  /** The batch and operator discounts the sum was multiplied by, an exact decimal ("1": none); null when unpriced or stored before it was kept. */
  priceMultiplier: string | null;
  /** `operator` | `supplemental` | `catalog` + version, e.g. `catalog:@pydantic/genai-prices@0.1.8`. */
  priceSource: string | null;
  priceBookVersion: string | null;
  /**
   * How the call was priced before each re-pricing replaced it, oldest first (the audit trail); empty
   * when it never was. Its length is the record's revision: a correction applies to one revision once.
   */
  priorPricings: PriorPricing[];
  /** A cost the emitter supplied (manual tracking `cost`, OpenLIT `gen_ai.usage.cost`), nano-USD. Kept, never trusted as ours. */
  providedCostNanos: bigint | null;
  /** Token counts were estimated by the instrumentation (the provider reported none). */
  estimated: boolean;
  /** Sent through a batch API. */
  batch: boolean;
  /** The provider's id of the batch job the call was a result of; null otherwise (and in records stored before it was read). */
  batchId: string | null;
  /** Which mapping recognised the span: `tokenledger`, `genai-semconv`, `openllmetry`, `openinference`, `vercel-ai`, `openlit`. */
  source: string;
}
