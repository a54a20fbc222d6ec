import {
  addFractions,
  type Decimal,
  decimalAsFraction,
  decimalFromNumber,
  type Fraction,
  fractionToDecimalString,
  multiplyFraction,
  pow10,
} from './decimal';
import { priceFor, type PriceTable, type TokenPriceKey } from './price-table';
import type { PriceLine, PriceSource, UsageInput } from './types';

/** Where each dimension's price came from, after merging operator, supplemental and catalog layers. */
export type PriceSources = Partial<Record<string, PriceSource>>;

export interface ComputedCost {
  total: Fraction;
  lines: PriceLine[];
  unitPrices: Record<string, string>;
  /** Dimensions the usage has but no price covers (→ unpriced, missing_dimension). */
  missing: string[];
  /** Sources of the prices actually used. */
  usedSources: Set<PriceSource>;
}

const PER_MTOK = 1_000_000n;

interface LineSpec {
  unit: string;
  quantity: Decimal;
  price: Decimal;
  per: bigint;
  source: PriceSource | undefined;
}

const whole = (n: number): Decimal => ({ units: BigInt(n), scale: 0 });

/**
 * The exact cost of one usage under one merged price table: each line is quantity × price ÷ per as a
 * fraction; the caller rounds the sum once. Token counts follow the GenAI convention: input
 * includes cache reads, cache writes and audio tokens, which are carved out and priced at their own
 * rates (falling back to the input rate where the provider publishes none).
 */
export function computeCost(usage: UsageInput, table: PriceTable, sources: PriceSources): ComputedCost {
  const lines: LineSpec[] = [];
  const missing: string[] = [];
  const inputTotal = usage.inputTokens ?? 0;
  const tokenPrice = (key: TokenPriceKey) => {
    const price = table.tokens[key];
    return price ? { price: priceFor(price, inputTotal), source: sources[key] } : null;
  };
  const addTokens = (unit: string, count: number, ...keys: TokenPriceKey[]) => {
    if (count <= 0) return;
    for (const key of keys) {
      const found = tokenPrice(key);
      if (found) {
        lines.push({ unit, quantity: whole(count), price: found.price, per: PER_MTOK, source: found.source });
        return;
      }
    }
    missing.push(unit);
  };

  const hasTokens = inputTotal > 0 || (usage.outputTokens ?? 0) > 0;
  const inputAudio = table.tokens.input_audio_mtok ? (usage.inputAudioTokens ?? 0) : 0;
  const outputAudio = table.tokens.output_audio_mtok ? (usage.outputAudioTokens ?? 0) : 0;
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  addTokens('input_tokens', inputTotal - cacheRead - cacheWrite - inputAudio, 'input_mtok');
  addTokens('cache_read_tokens', cacheRead, 'cache_read_mtok', 'input_mtok');
  addTokens('cache_write_tokens', cacheWrite, 'cache_write_mtok', 'input_mtok');
  addTokens('input_audio_tokens', inputAudio, 'input_audio_mtok');
  addTokens('output_tokens', (usage.outputTokens ?? 0) - outputAudio, 'output_mtok');
  addTokens('output_audio_tokens', outputAudio, 'output_audio_mtok');

  if (hasTokens && table.requestsKcount && table.requestsKcount.units > 0n) {
    lines.push({ unit: 'requests', quantity: whole(1), price: table.requestsKcount, per: 1000n, source: sources.requestsKcount });
  }
  if (usage.audioSeconds !== undefined && usage.audioSeconds > 0) {
    if (table.audioHours) {
      lines.push({ unit: 'audio_seconds', quantity: decimalFromNumber(usage.audioSeconds)!, price: table.audioHours, per: 3600n, source: sources.audioHours });
    } else if (!hasTokens) missing.push('audio_seconds');
  }
  if (usage.characters !== undefined && usage.characters > 0) {
    if (table.inputMchars) lines.push({ unit: 'characters', quantity: whole(usage.characters), price: table.inputMchars, per: PER_MTOK, source: sources.inputMchars });
    else if (!hasTokens) missing.push('characters');
  }
  // Token-billed image models report tokens; per-image prices apply only when a call reports none.
  if (usage.images && usage.images.count > 0 && !hasTokens) {
    const price = imagePrice(table, usage.images.quality, usage.images.size);
    if (price) lines.push({ unit: 'images', quantity: whole(usage.images.count), price, per: 1n, source: sources.images });
    else missing.push(`images (${usage.images.quality ?? 'any quality'}, ${usage.images.size ?? 'any size'})`);
  }
  return finish(lines, missing);
}

function imagePrice(table: PriceTable, quality: string | undefined, size: string | undefined): Decimal | null {
  if (!table.images) return null;
  const q = (quality ?? 'standard').toLowerCase();
  const byQuality = table.images[q] ?? (quality === undefined ? table.images.standard : undefined) ?? table.images['*'];
  if (!byQuality) return null;
  return (size ? byQuality[size.toLowerCase()] : undefined) ?? byQuality['*'] ?? null;
}

function finish(specs: LineSpec[], missing: string[]): ComputedCost {
  let total: Fraction = { num: 0n, den: 1n };
  const lines: PriceLine[] = [];
  const unitPrices: Record<string, string> = {};
  const usedSources = new Set<PriceSource>();
  for (const spec of specs) {
    const perUnit: Fraction = { num: spec.price.units, den: pow10(spec.price.scale) * spec.per };
    const cost = multiplyFraction(decimalAsFraction(spec.quantity), perUnit);
    total = addFractions(total, cost);
    const unitPrice = fractionToDecimalString(perUnit);
    unitPrices[spec.unit] = unitPrice;
    lines.push({ unit: spec.unit, quantity: fractionToDecimalString(decimalAsFraction(spec.quantity)), unitPriceUsd: unitPrice, costUsd: fractionToDecimalString(cost) });
    if (spec.source) usedSources.add(spec.source);
  }
  return { total, lines, unitPrices, missing, usedSources };
}

/** A payment gateway's fee: amount × percent ÷ 100 + fixed, exact. */
export function computeGatewayFee(amount: Decimal, percent: Decimal, fixedUsd: Decimal): ComputedCost {
  const specs: LineSpec[] = [{ unit: 'payment_percent', quantity: amount, price: percent, per: 100n, source: 'supplemental' }];
  if (fixedUsd.units > 0n) specs.push({ unit: 'payment_fixed', quantity: whole(1), price: fixedUsd, per: 1n, source: 'supplemental' });
  return finish(specs, []);
}
