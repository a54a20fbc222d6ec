import { addFractions, type Decimal, decimalAsFraction, decimalFromNumber, type Fraction, fractionToDecimalString, multiplyFraction, pow10 } from './decimal';
import { type PricePlan, tokenPriceFor, type UnitPrice, unitPrice } from './plan';
import type { TokenPriceKey } from './price-table';
import type { PriceLine, PriceSource, TokenDetails, UsageInput } from './types';

/** Where each dimension's price came from, after merging operator, supplemental and catalog layers. */
export type PriceSources = Partial<Record<string, PriceSource>>;

export interface ComputedCost {
  /** Exact total in USD. */
  total: Fraction;
  /** The same total as an integer of pico-USD, when every line was a safe integer (the fast path). */
  totalPicos: number | null;
  /** The priced lines; `formatLines` turns them into text only when asked for (formatting costs more than pricing). */
  items: Line[];
  unitPrices: Record<string, string>;
  /** Dimensions the usage has but no price covers (→ unpriced, missing_dimension). */
  missing: string[];
  /** Bit set of SOURCE_BITS of the prices used. */
  sources: number;
}

export const SOURCE_BITS: Record<PriceSource, number> = { operator: 1, supplemental: 2, catalog: 4 };

export interface Line {
  unit: string;
  /** An integer count, or a decimal (audio seconds, a payment amount). */
  quantity: number | Decimal;
  price: UnitPrice;
}

/**
 * The exact cost of one usage under one price plan. Token counts follow the GenAI convention: input
 * includes cache reads, cache writes and audio tokens, which are carved out and priced at their own
 * rates (falling back to the input rate where the provider publishes none). The caller rounds the
 * total once.
 */
export function computeCost(usage: UsageInput, plan: PricePlan): ComputedCost {
  const lines: Line[] = [];
  const missing: string[] = [];
  const inputTotal = usage.inputTokens ?? 0;
  const outputTotal = usage.outputTokens ?? 0;
  const hasTokens = inputTotal > 0 || outputTotal > 0;
  if (hasTokens) {
    addTokenLines(lines, missing, plan, usage, inputTotal, outputTotal);
    if (plan.requests && plan.requests.price.units > 0n) lines.push({ unit: 'requests', quantity: 1, price: plan.requests });
  }
  if (usage.audioSeconds !== undefined && usage.audioSeconds > 0) {
    if (plan.audioSeconds) {
      const seconds = Number.isInteger(usage.audioSeconds) ? usage.audioSeconds : decimalFromNumber(usage.audioSeconds)!;
      lines.push({ unit: 'audio_seconds', quantity: seconds, price: plan.audioSeconds });
    } else if (!hasTokens) missing.push('audio_seconds');
  }
  if (usage.characters !== undefined && usage.characters > 0) {
    if (plan.characters) lines.push({ unit: 'characters', quantity: usage.characters, price: plan.characters });
    else if (!hasTokens) missing.push('characters');
  }
  // Token-billed image models report tokens; per-image prices apply only when a call reports none.
  if (usage.images && usage.images.count > 0 && !hasTokens) {
    const price = imagePrice(plan, usage.images.quality, usage.images.size);
    if (price) lines.push({ unit: 'images', quantity: usage.images.count, price });
    else missing.push(`images (${usage.images.quality ?? 'any quality'}, ${usage.images.size ?? 'any size'})`);
  }
  return sum(lines, missing);
}

/**
 * Carves the input and output totals into the kinds the plan prices apart. A modality the model has
 * no rate for (audio, image, video) stays in the text count of its kind: audio a model does not price
 * apart is billed as text, a cached audio token as a cached text token. Cache reads and writes fall
 * back to the input rate where the provider publishes none, 1-hour cache writes to the cache write
 * rate, cached audio and images to their uncached rate.
 */
const NO_DETAILS: TokenDetails = Object.freeze({});

function addTokenLines(lines: Line[], missing: string[], plan: PricePlan, usage: UsageInput, inputTotal: number, outputTotal: number): void {
  const t = plan.tokens;
  const d = usage.details ?? NO_DETAILS;
  const audioIn = t.input_audio_mtok ? (usage.inputAudioTokens ?? 0) : 0;
  const audioCached = audioIn > 0 ? (d.cacheAudioReadTokens ?? 0) : 0;
  const imageIn = t.input_image_mtok ? (d.inputImageTokens ?? 0) : 0;
  const imageCached = imageIn > 0 ? (d.cacheImageReadTokens ?? 0) : 0;
  const videoIn = t.input_video_mtok ? (d.inputVideoTokens ?? 0) : 0;
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const write1h = t.cache_write_1h_mtok ? (d.cacheWrite1hTokens ?? 0) : 0;
  const audioOut = t.output_audio_mtok ? (usage.outputAudioTokens ?? 0) : 0;
  const imageOut = t.output_image_mtok ? (d.outputImageTokens ?? 0) : 0;
  const uncachedText = inputTotal - cacheRead - cacheWrite - (audioIn - audioCached) - (imageIn - imageCached) - videoIn;
  addTokens(lines, missing, plan, inputTotal, 'input_tokens', uncachedText, 'input_mtok');
  addTokens(lines, missing, plan, inputTotal, 'cache_read_tokens', cacheRead - audioCached - imageCached, 'cache_read_mtok', 'input_mtok');
  addTokens(lines, missing, plan, inputTotal, 'cache_write_tokens', cacheWrite - write1h, 'cache_write_mtok', 'input_mtok');
  addTokens(lines, missing, plan, inputTotal, 'cache_write_1h_tokens', write1h, 'cache_write_1h_mtok');
  addTokens(lines, missing, plan, inputTotal, 'input_audio_tokens', audioIn - audioCached, 'input_audio_mtok');
  addTokens(lines, missing, plan, inputTotal, 'cache_audio_read_tokens', audioCached, 'cache_audio_read_mtok', 'input_audio_mtok');
  addTokens(lines, missing, plan, inputTotal, 'input_image_tokens', imageIn - imageCached, 'input_image_mtok');
  addTokens(lines, missing, plan, inputTotal, 'cache_image_read_tokens', imageCached, 'cache_image_read_mtok', 'input_image_mtok');
  addTokens(lines, missing, plan, inputTotal, 'input_video_tokens', videoIn, 'input_video_mtok');
  addTokens(lines, missing, plan, inputTotal, 'output_tokens', outputTotal - audioOut - imageOut, 'output_mtok');
  addTokens(lines, missing, plan, inputTotal, 'output_audio_tokens', audioOut, 'output_audio_mtok');
  addTokens(lines, missing, plan, inputTotal, 'output_image_tokens', imageOut, 'output_image_mtok');
}

function addTokens(
  lines: Line[],
  missing: string[],
  plan: PricePlan,
  inputTotal: number,
  unit: string,
  count: number,
  key: TokenPriceKey,
  fallback?: TokenPriceKey,
): void {
  if (count <= 0) return;
  const price = plan.tokens[key] ?? (fallback ? plan.tokens[fallback] : undefined);
  if (price) lines.push({ unit, quantity: count, price: price.tiers.length === 0 ? price.base : tokenPriceFor(price, inputTotal) });
  else missing.push(unit);
}

function imagePrice(plan: PricePlan, quality: string | undefined, size: string | undefined): UnitPrice | null {
  if (!plan.images) return null;
  const byQuality =
    own(plan.images, (quality ?? 'standard').toLowerCase()) ?? (quality === undefined ? own(plan.images, 'standard') : undefined) ?? own(plan.images, '*');
  if (!byQuality) return null;
  return (size ? own(byQuality, size.toLowerCase()) : undefined) ?? own(byQuality, '*') ?? null;
}

/** A table's own entry: a quality or size named `constructor` or `__proto__` (span input) finds nothing. */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Pico-USD as a trimmed USD decimal string. */
function picosToUsd(picos: number): string {
  const digits = String(picos).padStart(13, '0');
  const fraction = digits.slice(-12).replace(/0+$/, '');
  return fraction ? `${digits.slice(0, -12)}.${fraction}` : digits.slice(0, -12);
}

function sum(items: Line[], missing: string[]): ComputedCost {
  const unitPrices: Record<string, string> = {};
  let sources = 0;
  // Fast path: whole quantities × whole pico prices, all safe integers.
  let totalPicos: number | null = 0;
  for (let i = 0; i < items.length; i++) {
    const { unit, quantity, price } = items[i];
    unitPrices[unit] = price.unitPriceUsd;
    if (price.source) sources |= SOURCE_BITS[price.source];
    if (totalPicos === null) continue;
    const picos = typeof quantity === 'number' && price.picos !== null ? quantity * price.picos : NaN;
    totalPicos = Number.isSafeInteger(picos) && Number.isSafeInteger(totalPicos + picos) ? totalPicos + picos : null;
  }
  if (totalPicos !== null) return { total: { num: BigInt(totalPicos), den: PICOS_PER_USD }, totalPicos, items, unitPrices, missing, sources };
  // Exact fractions for everything else (fractional seconds, sub-pico prices, huge counts).
  let total: Fraction = { num: 0n, den: 1n };
  for (const item of items) total = addFractions(total, lineCost(item));
  return { total, totalPicos: null, items, unitPrices, missing, sources };
}

function lineCost({ quantity, price }: Line): Fraction {
  const q = typeof quantity === 'number' ? { num: BigInt(quantity), den: 1n } : decimalAsFraction(quantity);
  return multiplyFraction(q, { num: price.price.units, den: pow10(price.price.scale) * price.per });
}

/** The lines as text, for the CLI, the API and audits. */
export function formatLines(cost: ComputedCost): PriceLine[] {
  return cost.items.map((item) => {
    const { unit, quantity, price } = item;
    const q = typeof quantity === 'number' ? String(quantity) : fractionToDecimalString(decimalAsFraction(quantity));
    if (cost.totalPicos !== null) {
      return { unit, quantity: q, unitPriceUsd: price.unitPriceUsd, costUsd: picosToUsd((quantity as number) * price.picos!) };
    }
    return { unit, quantity: q, unitPriceUsd: price.unitPriceUsd, costUsd: fractionToDecimalString(lineCost(item)) };
  });
}

const PICOS_PER_USD = pow10(12);

/** A payment gateway's fee: amount × percent ÷ 100 + fixed, exact. */
export function computeGatewayFee(amount: Decimal, percent: Decimal, fixedUsd: Decimal, source: PriceSource): ComputedCost {
  const lines: Line[] = [{ unit: 'payment_percent', quantity: amount, price: unitPrice(percent, 100n, source) }];
  if (fixedUsd.units > 0n) lines.push({ unit: 'payment_fixed', quantity: 1, price: unitPrice(fixedUsd, 1n, source) });
  return sum(lines, []);
}
