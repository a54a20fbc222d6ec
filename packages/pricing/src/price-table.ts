import { type Decimal, decimalFromNumber, parseDecimal } from './decimal';

/**
 * A model's prices in force at one moment, normalised from any source (catalog, our supplemental data,
 * the operator file). Keys follow the catalog's naming: the suffix is the unit the price is per
 * (`_mtok` per 1M tokens, `_kcount` per 1,000, `_hours` per 3,600 seconds, `_mchars` per 1M characters).
 */
export interface Tier {
  /** The tier applies when the call's total input tokens exceed this. */
  start: number;
  price: Decimal;
}
export interface TieredPrice {
  base: Decimal;
  tiers: Tier[];
}
export type Price = Decimal | TieredPrice;

export interface PriceTable {
  tokens: Partial<Record<TokenPriceKey, Price>>;
  /** USD per request (catalog `requests_kcount` / 1000). */
  requestsKcount?: Decimal;
  /** USD per hour of audio input (transcription). */
  audioHours?: Decimal;
  /** USD per 1M characters (text to speech). */
  inputMchars?: Decimal;
  /** USD per image by quality then size; `*` matches any quality or size. */
  images?: Record<string, Record<string, Decimal>>;
}

export const TOKEN_PRICE_KEYS = [
  'input_mtok',
  'output_mtok',
  'cache_read_mtok',
  'cache_write_mtok',
  'cache_write_1h_mtok',
  'input_audio_mtok',
  'output_audio_mtok',
  'cache_audio_read_mtok',
  'input_image_mtok',
  'cache_image_read_mtok',
  'output_image_mtok',
  'input_video_mtok',
] as const;
export type TokenPriceKey = (typeof TOKEN_PRICE_KEYS)[number];

export function isTiered(price: Price): price is TieredPrice {
  return 'tiers' in price;
}

/** The price that applies for a call with this many input tokens (the catalog's tier rule: the whole call at the highest tier whose start it exceeds). */
export function priceFor(price: Price, inputTokens: number): Decimal {
  if (!isTiered(price)) return price;
  let chosen = price.base;
  for (const tier of price.tiers) if (inputTokens > tier.start) chosen = tier.price;
  return chosen;
}

/** Reads a catalog-style price value: a number, a decimal string, or `{ base, tiers: [{ start, price }] }`. Returns null when invalid. */
export function readPrice(value: unknown): Price | null {
  const one = (v: unknown): Decimal | null => (typeof v === 'number' ? decimalFromNumber(v) : typeof v === 'string' ? parseDecimal(v) : null);
  if (value !== null && typeof value === 'object' && 'base' in value && 'tiers' in value) {
    const base = one(value.base);
    if (!base || !Array.isArray(value.tiers)) return null;
    const tiers: Tier[] = [];
    for (const t of value.tiers as { start?: unknown; price?: unknown }[]) {
      const price = one(t?.price);
      if (!price || typeof t.start !== 'number' || !Number.isSafeInteger(t.start) || t.start < 0) return null;
      tiers.push({ start: t.start, price });
    }
    return { base, tiers: tiers.sort((a, b) => a.start - b.start) };
  }
  return one(value);
}
