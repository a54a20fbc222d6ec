import { type Decimal, parseDecimal, type PriceResult } from '@tokenledger/pricing';
import type { UsageRecord } from '../../usage/usage-record';

/** What one priced unit is as a FOCUS SKU: its meter, token type, and the units it is consumed and priced in. */
export interface SkuKind {
  meter: string;
  /** `x_TokenType`: input, cached_input, cache_write, output, reasoning, audio_input, ... or the unit for non-token SKUs. */
  tokenType: string;
  consumedUnit: string;
  /** As the providers' price lists quote it: tokens per 1M, characters per 1M, the rest one by one. */
  pricingUnit: string;
  /** PricingQuantity = ConsumedQuantity ÷ 10^this. */
  pricingExponent: number;
}

const tokens = (meter: string, tokenType: string): SkuKind => ({ meter, tokenType, consumedUnit: 'Tokens', pricingUnit: '1000000 Tokens', pricingExponent: 6 });

/** The SKU of each unit the price book prices (see @tokenledger/pricing's lines). */
export const SKU_KINDS: Readonly<Record<string, SkuKind>> = {
  input_tokens: tokens('Input Tokens', 'input'),
  cache_read_tokens: tokens('Cached Input Tokens', 'cached_input'),
  cache_write_tokens: tokens('Cache Write Tokens', 'cache_write'),
  cache_write_1h_tokens: tokens('Cache Write Tokens (1 Hour)', 'cache_write_1h'),
  input_audio_tokens: tokens('Audio Input Tokens', 'audio_input'),
  cache_audio_read_tokens: tokens('Cached Audio Input Tokens', 'cached_audio_input'),
  input_image_tokens: tokens('Image Input Tokens', 'image_input'),
  cache_image_read_tokens: tokens('Cached Image Input Tokens', 'cached_image_input'),
  input_video_tokens: tokens('Video Input Tokens', 'video_input'),
  output_tokens: tokens('Output Tokens', 'output'),
  // Reasoning tokens are output tokens, billed at the output rate: a SKU of their own so they show apart.
  reasoning_tokens: tokens('Reasoning Tokens', 'reasoning'),
  output_audio_tokens: tokens('Audio Output Tokens', 'audio_output'),
  output_image_tokens: tokens('Image Output Tokens', 'image_output'),
  requests: { meter: 'Requests', tokenType: 'requests', consumedUnit: 'Requests', pricingUnit: 'Requests', pricingExponent: 0 },
  audio_seconds: { meter: 'Audio Seconds', tokenType: 'audio_seconds', consumedUnit: 'Seconds', pricingUnit: 'Seconds', pricingExponent: 0 },
  characters: { meter: 'Characters', tokenType: 'characters', consumedUnit: 'Characters', pricingUnit: '1000000 Characters', pricingExponent: 6 },
  images: { meter: 'Images', tokenType: 'images', consumedUnit: 'Images', pricingUnit: 'Images', pricingExponent: 0 },
  payment_percent: {
    meter: 'Payment Fee (Percent of Amount)',
    tokenType: 'payment_percent',
    consumedUnit: 'Dollars',
    pricingUnit: 'Dollars',
    pricingExponent: 0,
  },
  payment_fixed: {
    meter: 'Payment Fee (Per Transaction)',
    tokenType: 'payment_fixed',
    consumedUnit: 'Transactions',
    pricingUnit: 'Transactions',
    pricingExponent: 0,
  },
  // A record that cannot be itemised (stored before its quantities were kept, priced since by other prices): the call as a whole.
  calls: { meter: 'Calls', tokenType: 'calls', consumedUnit: 'Calls', pricingUnit: 'Calls', pricingExponent: 0 },
};

export const skuKind = (unit: string): SkuKind =>
  SKU_KINDS[unit] ?? { meter: unit, tokenType: unit, consumedUnit: 'Units', pricingUnit: 'Units', pricingExponent: 0 };

/** One SKU of one call: how much, at what price, and its exact share of the call's cost. */
export interface SkuLine {
  unit: string;
  /** In consumed units (tokens, seconds, ...). */
  quantity: Decimal;
  /** USD per consumed unit as priced for the call, discounts applied: what was contracted. */
  contracted: Decimal;
  /** USD per consumed unit at the published prices (catalog and supplemental data, no operator file). */
  list: Decimal;
  /** The share of the call's exact cost (nano-USD) this line carries; a call's lines sum to its cost. */
  billedNanos: bigint;
}

const ONE: Decimal = { units: 1n, scale: 0 };
const pow10 = (n: number) => 10n ** BigInt(n);

export const multiply = (a: Decimal, b: Decimal): Decimal => ({ units: a.units * b.units, scale: a.scale + b.scale });

export function add(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: a.units * pow10(scale - a.scale) + b.units * pow10(scale - b.scale), scale };
}

/** value × 10^exponent, exactly. */
export function shift(value: Decimal, exponent: number): Decimal {
  const scale = value.scale - exponent;
  return scale >= 0 ? { units: value.units, scale } : { units: value.units * pow10(-scale), scale: 0 };
}

/** The decimal rounded half up to 9 places, as a string with exactly 9 (how FOCUS amounts are written here). */
export function toNinePlaces(value: Decimal): string {
  const nanos = value.scale <= 9 ? value.units * pow10(9 - value.scale) : (value.units * 2n + pow10(value.scale - 9)) / (2n * pow10(value.scale - 9));
  const digits = nanos.toString().padStart(10, '0');
  return `${digits.slice(0, -9)}.${digits.slice(-9)}`;
}

function decimal(text: string | undefined, what: string): Decimal {
  const value = text === undefined ? null : parseDecimal(text);
  if (!value) throw new TypeError(`${what} is not a decimal: ${JSON.stringify(text)}`);
  return value;
}

/** What was priced, as stored on the record or as the price book priced it again. */
interface Pricing {
  quantities: Record<string, string>;
  unitPrices: Record<string, string>;
  multiplier: string;
}

/**
 * A priced call's SKU lines. Quantities, unit prices and the discount multiplier are the ones the call
 * was priced with (kept on the record), so the lines explain its stored cost exactly; `list` is the
 * published price of the same usage (`listPrice`, the book without the operator file; the contracted
 * price where the published prices do not cover the unit). The call's cost — rounded once when it was
 * priced — is shared out in proportion to each line's exact cost, largest remainders first, so a
 * call's lines always sum to its cost to the nano. A record stored before quantities were kept is
 * itemised by pricing it again (`repriced`) when that gives its stored cost, else as one `calls` line.
 */
export function skuLines(record: UsageRecord, listPrice: PriceResult | null, repriced: () => PriceResult): SkuLine[] {
  if (record.costNanos === null) return [];
  let pricing: Pricing | null =
    record.priceQuantities && record.unitPrices
      ? { quantities: record.priceQuantities, unitPrices: record.unitPrices, multiplier: record.priceMultiplier ?? '1' }
      : null;
  if (!pricing) {
    const again = repriced();
    if (again.status === 'priced' && again.costNanos === record.costNanos) pricing = again;
  }
  if (!pricing) {
    const cost = { units: record.costNanos, scale: 9 };
    return [{ unit: 'calls', quantity: ONE, contracted: cost, list: cost, billedNanos: record.costNanos }];
  }
  const multiplier = decimal(pricing.multiplier, `record ${record.id}'s price multiplier`);
  const listMultiplier = listPrice?.status === 'priced' ? decimal(listPrice.multiplier, 'the list price multiplier') : null;
  const lines: Omit<SkuLine, 'billedNanos'>[] = [];
  for (const [unit, quantityText] of Object.entries(pricing.quantities)) {
    const quantity = decimal(quantityText, `record ${record.id}'s quantity of ${unit}`);
    const contracted = multiply(decimal(pricing.unitPrices[unit], `record ${record.id}'s unit price of ${unit}`), multiplier);
    const listed =
      listPrice?.status === 'priced' && listPrice.unitPrices[unit] !== undefined
        ? multiply(decimal(listPrice.unitPrices[unit], `the list price of ${unit}`), listMultiplier!)
        : contracted;
    const reasoning = unit === 'output_tokens' ? BigInt(Math.min(record.tokens.reasoning, Number(quantity.units / pow10(quantity.scale)))) : 0n;
    if (reasoning > 0n) {
      lines.push({ unit: 'reasoning_tokens', quantity: { units: reasoning, scale: 0 }, contracted, list: listed });
      lines.push({ unit, quantity: add(quantity, { units: -reasoning, scale: 0 }), contracted, list: listed });
    } else lines.push({ unit, quantity, contracted, list: listed });
  }
  return shareOut(record.costNanos, lines);
}

/** Shares `total` nanos among the lines in proportion to quantity × contracted price, exactly (largest remainder). */
function shareOut(total: bigint, lines: Omit<SkuLine, 'billedNanos'>[]): SkuLine[] {
  if (lines.length === 0)
    return total === 0n ? [] : [{ unit: 'calls', quantity: ONE, contracted: { units: total, scale: 9 }, list: { units: total, scale: 9 }, billedNanos: total }];
  const weights = lines.map((l) => multiply(l.quantity, l.contracted));
  const scale = Math.max(...weights.map((w) => w.scale));
  const scaled = weights.map((w) => w.units * pow10(scale - w.scale));
  const sum = scaled.reduce((s, w) => s + w, 0n);
  if (sum === 0n) return lines.map((l, i) => ({ ...l, billedNanos: i === 0 ? total : 0n }));
  const shares = scaled.map((w) => (total * w) / sum);
  let left = total - shares.reduce((s, x) => s + x, 0n);
  const byRemainder = scaled
    .map((w, i) => ({ i, remainder: (total * w) % sum }))
    .sort((a, b) => (a.remainder === b.remainder ? a.i - b.i : a.remainder > b.remainder ? -1 : 1));
  for (const { i } of byRemainder) {
    if (left === 0n) break;
    shares[i]++;
    left--;
  }
  return lines.map((l, i) => ({ ...l, billedNanos: shares[i] }));
}
