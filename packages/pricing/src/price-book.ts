import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { catalogProviderId } from '@tokenledger/semconv';
import { CATALOG_PACKAGE, CATALOG_VERSION, type CatalogMatch, catalogModels, catalogPricesAt, findCatalogModel, tableFromCatalogPrices } from './catalog';
import { computeCost, computeGatewayFee, type ComputedCost, formatLines, type PriceSources, SOURCE_BITS } from './compute';
import { planFor, type PricePlan } from './plan';
import { decimalAsFraction, decimalToString, type Fraction, fractionToDecimalString, multiplyFraction, parseDecimal, roundHalfUp } from './decimal';
import { findFineTunedCatalogModel, fineTunedPriceLine, parseFineTuned } from './fine-tuned';
import { matches, modelCandidates } from './match';
import { nearestModel } from './nearest-model';
import { formatUsd } from './money';
import { type Multiplier, type PriceEntry, type PriceFile, readPriceFile } from './price-file';
import type { PriceTable } from './price-table';
import { validateUsage } from './validate';
import type { Priced, PriceLine, PriceResult, PriceSource, UsageInput } from './types';

export const SUPPLEMENTAL_FILE = join(__dirname, '..', 'data', 'supplemental.yaml');

export interface PriceBookOptions {
  /** Operator overrides; defaults to TOKENLEDGER_PRICES_FILE. Pass null for none. */
  pricesFile?: string | null;
}

export interface PriceBookDescription {
  version: string;
  catalog: { package: string; version: string };
  supplemental: { path: string; version: string | null };
  operator: { path: string; sha256: string } | null;
}

interface Resolved {
  plan: PricePlan;
  matched: { provider: string; model: string };
}

/** What the book knows about one (provider, model) name, across all dates; cached per name. */
interface ModelPricing {
  entries: PriceEntry[];
  catalog: CatalogMatch | null;
  /** Merged plans by the set of layers in force (entry ids + catalog price period). */
  plans: Map<string, Resolved>;
  /** The one plan, when no price of this model depends on the date (the common case). */
  timeless: Resolved | null | undefined;
}

const SOURCE_RANK: PriceSource[] = ['operator', 'supplemental', 'catalog'];

/**
 * The versioned price book: operator overrides, then our supplemental data, then the catalog.
 * `price()` is synchronous and exact: costs are computed as fractions and rounded once, half up, to
 * the nano-USD.
 */
export class PriceBook {
  readonly version: string;
  private readonly modelCache = new Map<string, Map<string, ModelPricing>>();
  private cachedModels = 0;
  private readonly sourceVersions: Record<PriceSource, string>;

  private constructor(
    private readonly supplemental: PriceFile,
    private readonly operator: PriceFile | null,
  ) {
    const hash = createHash('sha256')
      .update(`${CATALOG_PACKAGE}@${CATALOG_VERSION}\n`)
      .update(supplemental.content)
      .update('\n--operator--\n')
      .update(operator?.content ?? '');
    this.version = `pb-${hash.digest('hex').slice(0, 16)}`;
    this.sourceVersions = {
      catalog: `catalog:${CATALOG_PACKAGE}@${CATALOG_VERSION}`,
      supplemental: `supplemental:${supplemental.version ?? 'unversioned'}`,
      operator: operator ? `operator:${operator.path}@sha256:${createHash('sha256').update(operator.content).digest('hex').slice(0, 16)}` : '',
    };
  }

  static load(options: PriceBookOptions = {}): PriceBook {
    const pricesFile = options.pricesFile === undefined ? process.env.TOKENLEDGER_PRICES_FILE || null : options.pricesFile;
    return new PriceBook(readPriceFile(SUPPLEMENTAL_FILE, 'supplemental'), pricesFile ? readPriceFile(pricesFile, 'operator') : null);
  }

  describe(): PriceBookDescription {
    return {
      version: this.version,
      catalog: { package: CATALOG_PACKAGE, version: CATALOG_VERSION },
      supplemental: { path: this.supplemental.path, version: this.supplemental.version },
      operator: this.operator ? { path: this.operator.path, sha256: createHash('sha256').update(this.operator.content).digest('hex') } : null,
    };
  }

  price(usage: UsageInput): PriceResult {
    const invalid = validateUsage(usage);
    if (invalid) return { status: 'unpriced', reason: 'invalid_usage', detail: invalid, priceBookVersion: this.version };
    const at = usage.timestamp === undefined ? Date.now() : typeof usage.timestamp === 'number' ? usage.timestamp : usage.timestamp.getTime();
    if (usage.payment || usage.operation === 'payment') return this.priceFee(usage);

    const provider = catalogProviderId(usage.provider);
    const resolved = this.resolve(provider, usage.model, at);
    if (!resolved && parseFineTuned(usage.model)) {
      return {
        status: 'unpriced',
        reason: 'fine_tuned_unpriced',
        detail: `no price for fine-tuned model "${usage.model}" of provider "${usage.provider}": the price book has no fine-tuned rates for its base model "${parseFineTuned(usage.model)!.base}"; add them to the operator price file (TOKENLEDGER_PRICES_FILE)`,
        suggestion: fineTunedPriceLine(provider, usage.model, at),
        priceBookVersion: this.version,
      };
    }
    if (!resolved) {
      return {
        status: 'unpriced',
        reason: 'unknown_model',
        detail: `no price for model "${usage.model}" of provider "${usage.provider}"`,
        priceBookVersion: this.version,
      };
    }
    const cost = computeCost(usage, resolved.plan);
    if (cost.missing.length > 0) {
      return {
        status: 'unpriced',
        reason: 'missing_dimension',
        detail: `model "${resolved.matched.model}" has no price for ${cost.missing.join(', ')}`,
        priceBookVersion: this.version,
      };
    }
    let multiplier: Fraction = { num: 1n, den: 1n };
    const applied: string[] = [];
    const batch = usage.batch ? findMultiplier(this.supplemental.batch, provider, usage.model, at) : null;
    if (batch) multiplier = multiplyFraction(multiplier, decimalAsFraction(batch.multiplier));
    if (batch) applied.push(decimalToString(batch.multiplier));
    const discount = this.operator ? findMultiplier(this.operator.discounts, provider, usage.model, at) : null;
    if (discount) multiplier = multiplyFraction(multiplier, decimalAsFraction(discount.multiplier));
    if (discount) applied.push(decimalToString(discount.multiplier));
    return this.priced(cost, multiplier, resolved.matched, applied.length > 0 ? applied.join(' × ') : undefined);
  }

  /** Every model with a price: the operator's, ours, and the catalog's. */
  models(provider?: string): { provider: string; model: string; source: PriceSource }[] {
    const wanted = provider === undefined ? undefined : catalogProviderId(provider);
    const fromFile = (file: PriceFile | null) =>
      (file?.entries ?? [])
        .filter((e) => wanted === undefined || e.provider === wanted)
        .map((e) => ({ provider: e.provider, model: e.label, source: e.source }));
    return [...fromFile(this.operator), ...fromFile(this.supplemental), ...catalogModels(wanted).map((m) => ({ ...m, source: 'catalog' as const }))];
  }

  /** The priced model name nearest to one the book does not know, for "did you mean" (null when none is close). */
  nearestModel(provider: string, model: string): string | null {
    const names = this.models(provider)
      .map((m) => m.model)
      .filter((name) => !/[*|/]/.test(name));
    return nearestModel(model, names);
  }

  private priced(cost: ComputedCost, multiplier: Fraction, matched: { provider: string; model: string }, discount?: string): PriceResult {
    const nanos =
      cost.totalPicos !== null && multiplier.num === multiplier.den
        ? picosToNanos(cost.totalPicos)
        : roundHalfUp(multiplyFraction(multiplyFraction(cost.total, multiplier), { num: 1_000_000_000n, den: 1n }));
    const source = SOURCE_RANK.find((s) => (cost.sources & SOURCE_BITS[s]) !== 0) ?? 'catalog';
    return new PricedResult(nanos, cost, multiplier, source, this.sourceVersions[source], this.version, matched, discount);
  }

  private priceFee(usage: UsageInput): PriceResult {
    const gateway = (usage.payment?.gateway ?? usage.provider).toLowerCase();
    const fee = [...(this.operator?.gateways ?? []), ...this.supplemental.gateways].find((g) => g.gateway === gateway);
    if (!fee) {
      return { status: 'unpriced', reason: 'unknown_model', detail: `no fee schedule for payment gateway "${gateway}"`, priceBookVersion: this.version };
    }
    const amount = usage.payment ? parseDecimal(usage.payment.amountUsd) : null;
    if (!amount) {
      return {
        status: 'unpriced',
        reason: 'missing_dimension',
        detail: 'a payment fee needs payment.amountUsd (a decimal string)',
        priceBookVersion: this.version,
      };
    }
    const cost = computeGatewayFee(amount, fee.percent, fee.fixedUsd, this.operator?.gateways.includes(fee) ? 'operator' : 'supplemental');
    return this.priced(cost, { num: 1n, den: 1n }, { provider: gateway, model: gateway });
  }

  /** Merges the layers that know this model: each dimension's price from the first layer that has it. */
  private resolve(provider: string, model: string, time: number): Resolved | null {
    const pricing = this.pricingFor(provider, model);
    return pricing.timeless !== undefined ? pricing.timeless : this.resolveAt(pricing, model, time);
  }

  private resolveAt(pricing: ModelPricing, model: string, time: number): Resolved | null {
    const entries = pricing.entries.filter((e) => time >= e.effectiveFrom && time < e.effectiveTo);
    if (entries.length === 0 && !pricing.catalog) return null;
    const catalogPrices = pricing.catalog ? catalogPricesAt(pricing.catalog.model, time) : null;
    const key = `${entries.map((e) => this.entryIds.get(e)).join(',')}|${pricing.catalog && Array.isArray(pricing.catalog.model.prices) ? pricing.catalog.model.prices.findIndex((p) => p.prices === catalogPrices) : 0}`;
    let resolved = pricing.plans.get(key);
    if (!resolved) {
      const layers: { table: PriceTable; source: PriceSource }[] = entries.map((e) => ({ table: e.prices, source: e.source }));
      if (catalogPrices) layers.push({ table: tableFromCatalogPrices(catalogPrices), source: 'catalog' });
      const { table, sources } = mergeLayers(layers);
      const first = entries[0];
      resolved = {
        plan: planFor(table, sources),
        matched: first ? { provider: first.provider, model: model } : { provider: pricing.catalog!.provider, model: pricing.catalog!.model.id },
      };
      pricing.plans.set(key, resolved);
    }
    return resolved;
  }

  private readonly entryIds = new Map<PriceEntry, number>();

  private pricingFor(provider: string, model: string): ModelPricing {
    let byModel = this.modelCache.get(provider);
    let found = byModel?.get(model);
    if (!found) {
      const names = modelCandidates(model);
      const all = [...(this.operator?.entries ?? []), ...this.supplemental.entries];
      for (const e of all) if (!this.entryIds.has(e)) this.entryIds.set(e, this.entryIds.size);
      found = {
        entries: all.filter((e) => e.provider === provider && names.some((n) => matches(e.match, n))),
        catalog: findCatalogModel(provider, model) ?? findFineTunedCatalogModel(provider, model),
        plans: new Map(),
        timeless: undefined,
      };
      const dated = found.entries.some((e) => e.effectiveFrom !== -Infinity || e.effectiveTo !== Infinity) || Array.isArray(found.catalog?.model.prices);
      if (!dated) found.timeless = this.resolveAt(found, model, 0);
      // Bounded: model names come from spans, so a flood of distinct names must not grow memory forever.
      if (this.cachedModels >= 10_000) {
        this.modelCache.clear();
        this.cachedModels = 0;
      }
      if (!byModel || !this.modelCache.has(provider)) this.modelCache.set(provider, (byModel = new Map<string, ModelPricing>()));
      byModel.set(model, found);
      this.cachedModels++;
    }
    return found;
  }
}

/**
 * A priced result. `costUsd` and `lines` are computed when read: formatting text costs more than
 * pricing, and ingest only stores the integer cost and the unit prices.
 */
class PricedResult implements Priced {
  readonly status = 'priced' as const;
  readonly unitPrices: Record<string, string>;
  readonly #cost: ComputedCost;
  readonly #multiplier: Fraction;

  constructor(
    readonly costNanos: bigint,
    cost: ComputedCost,
    multiplier: Fraction,
    readonly source: PriceSource,
    readonly sourceVersion: string,
    readonly priceBookVersion: string,
    readonly matched: { provider: string; model: string },
    discount?: string,
  ) {
    this.#cost = cost;
    this.#multiplier = multiplier;
    this.unitPrices = cost.unitPrices;
    if (discount !== undefined) this.discount = discount;
  }

  readonly discount?: string;

  get costUsd(): string {
    return formatUsd(this.costNanos);
  }

  get lines(): PriceLine[] {
    return formatLines(this.#cost);
  }

  get quantities(): Record<string, string> {
    const quantities: Record<string, string> = {};
    for (const { unit, quantity } of this.#cost.items) quantities[unit] = typeof quantity === 'number' ? String(quantity) : decimalToString(quantity);
    return quantities;
  }

  get multiplier(): string {
    // A product of decimal multipliers is a decimal: exact.
    return fractionToDecimalString(this.#multiplier);
  }

  toJSON(): Omit<Priced, 'costNanos'> & { costNanos: string } {
    const { status, costNanos, costUsd, lines, unitPrices, quantities, multiplier, source, sourceVersion, priceBookVersion, matched, discount } = this;
    return {
      status,
      costNanos: costNanos.toString(),
      costUsd,
      lines,
      unitPrices,
      quantities,
      multiplier,
      source,
      sourceVersion,
      priceBookVersion,
      matched,
      ...(discount ? { discount } : {}),
    };
  }
}

function mergeLayers(layers: { table: PriceTable; source: PriceSource }[]): { table: PriceTable; sources: PriceSources } {
  const table: PriceTable = { tokens: {} };
  const sources: PriceSources = {};
  for (const layer of layers) {
    for (const [key, price] of Object.entries(layer.table.tokens)) {
      if (price && !(key in table.tokens)) {
        table.tokens[key as keyof PriceTable['tokens']] = price;
        sources[key] = layer.source;
      }
    }
    for (const key of ['requestsKcount', 'audioHours', 'inputMchars', 'images'] as const) {
      if (table[key] === undefined && layer.table[key] !== undefined) {
        (table as unknown as Record<string, unknown>)[key] = layer.table[key];
        sources[key] = layer.source;
      }
    }
  }
  return { table, sources };
}

/** Pico-USD (a safe integer) to nano-USD, rounded half up, in integer arithmetic. */
function picosToNanos(picos: number): bigint {
  let nanos = Math.floor(picos / 1000);
  let remainder = picos - nanos * 1000;
  // The float quotient can land one off near 2^53; the integer remainder says which way.
  if (remainder < 0) [nanos, remainder] = [nanos - 1, remainder + 1000];
  else if (remainder >= 1000) [nanos, remainder] = [nanos + 1, remainder - 1000];
  return BigInt(remainder >= 500 ? nanos + 1 : nanos);
}

function findMultiplier(list: Multiplier[], provider: string, model: string, time: number): Multiplier | null {
  const live = list.filter((m) => (m.provider === null || m.provider === provider) && time >= m.effectiveFrom && time < m.effectiveTo);
  const names = modelCandidates(model);
  return live.find((m) => m.match && names.some((n) => matches(m.match!, n))) ?? live.find((m) => m.match === null) ?? null;
}
