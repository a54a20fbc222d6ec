import { type Decimal, fractionToDecimalString, pow10 } from './decimal';
import type { PriceSources } from './compute';
import { isTiered, type Price, type PriceTable, type TokenPriceKey } from './price-table';
import type { PriceSource } from './types';

/**
 * A price table prepared for pricing many usages: each price with its unit divisor, its exact USD
 * price per single unit as text, and — when it is a whole number of pico-USD per unit — that integer,
 * so the common case sums in plain safe integers instead of BigInt fractions.
 */
export interface UnitPrice {
  price: Decimal;
  per: bigint;
  /** Pico-USD (1e-12) per unit, when exact and safe; else null (the exact fraction path is used). */
  picos: number | null;
  unitPriceUsd: string;
  source: PriceSource | undefined;
}

export interface TokenUnitPrice {
  base: UnitPrice;
  /** Ascending by start; the highest tier whose start the input tokens exceed applies to the whole call. */
  tiers: { start: number; price: UnitPrice }[];
}

export interface PricePlan {
  tokens: Partial<Record<TokenPriceKey, TokenUnitPrice>>;
  requests?: UnitPrice;
  audioSeconds?: UnitPrice;
  characters?: UnitPrice;
  images?: Record<string, Record<string, UnitPrice>>;
}

const PICO = 12;

export function unitPrice(price: Decimal, per: bigint, source: PriceSource | undefined): UnitPrice {
  const scaled = price.units * pow10(PICO);
  const den = pow10(price.scale) * per;
  const picos = scaled % den === 0n && scaled / den <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(scaled / den) : null;
  return { price, per, picos, unitPriceUsd: fractionToDecimalString({ num: price.units, den }), source };
}

function tokenPrice(price: Price, source: PriceSource | undefined): TokenUnitPrice {
  if (!isTiered(price)) return { base: unitPrice(price, 1_000_000n, source), tiers: [] };
  return {
    base: unitPrice(price.base, 1_000_000n, source),
    tiers: price.tiers.map((t) => ({ start: t.start, price: unitPrice(t.price, 1_000_000n, source) })),
  };
}

export function tokenPriceFor(price: TokenUnitPrice, inputTokens: number): UnitPrice {
  let chosen = price.base;
  for (const tier of price.tiers) if (inputTokens > tier.start) chosen = tier.price;
  return chosen;
}

export function planFor(table: PriceTable, sources: PriceSources): PricePlan {
  const plan: PricePlan = { tokens: {} };
  for (const [key, price] of Object.entries(table.tokens)) {
    if (price) plan.tokens[key as TokenPriceKey] = tokenPrice(price, sources[key]);
  }
  if (table.requestsKcount) plan.requests = unitPrice(table.requestsKcount, 1000n, sources.requestsKcount);
  if (table.audioHours) plan.audioSeconds = unitPrice(table.audioHours, 3600n, sources.audioHours);
  if (table.inputMchars) plan.characters = unitPrice(table.inputMchars, 1_000_000n, sources.inputMchars);
  if (table.images) {
    plan.images = {};
    for (const [quality, sizes] of Object.entries(table.images)) {
      plan.images[quality] = {};
      for (const [size, price] of Object.entries(sizes)) plan.images[quality][size] = unitPrice(price, 1n, sources.images);
    }
  }
  return plan;
}
