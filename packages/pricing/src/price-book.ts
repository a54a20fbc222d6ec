import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { catalogProviderId } from '@tokenledger/semconv';
import { CATALOG_PACKAGE, CATALOG_VERSION, catalogModels, catalogPricesAt, findCatalogModel, tableFromCatalogPrices } from './catalog';
import { computeCost, computeGatewayFee, type ComputedCost, type PriceSources } from './compute';
import { decimalAsFraction, decimalToString, type Fraction, multiplyFraction, parseDecimal, roundHalfUp } from './decimal';
import { matches, modelCandidates } from './match';
import { formatUsd } from './money';
import { type Multiplier, type PriceEntry, type PriceFile, readPriceFile } from './price-file';
import type { PriceTable } from './price-table';
import { validateUsage } from './validate';
import type { PriceResult, PriceSource, UsageInput } from './types';

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
  table: PriceTable;
  sources: PriceSources;
  matched: { provider: string; model: string };
}

const SOURCE_RANK: PriceSource[] = ['operator', 'supplemental', 'catalog'];

/**
 * The versioned price book: operator overrides, then our supplemental data, then the catalog.
 * `price()` is synchronous and exact: costs are computed as fractions and rounded once, half up, to
 * the nano-USD.
 */
export class PriceBook {
  readonly version: string;
  private readonly entryCache = new Map<string, PriceEntry[]>();

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
    const at = usage.timestamp === undefined ? new Date() : new Date(usage.timestamp);
    if (usage.payment || usage.operation === 'payment') return this.priceFee(usage);

    const provider = catalogProviderId(usage.provider);
    const resolved = this.resolve(provider, usage.model, at);
    if (!resolved) {
      return { status: 'unpriced', reason: 'unknown_model', detail: `no price for model "${usage.model}" of provider "${usage.provider}"`, priceBookVersion: this.version };
    }
    const cost = computeCost(usage, resolved.table, resolved.sources);
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
      (file?.entries ?? []).filter((e) => wanted === undefined || e.provider === wanted).map((e) => ({ provider: e.provider, model: e.label, source: e.source }));
    return [
      ...fromFile(this.operator),
      ...fromFile(this.supplemental),
      ...catalogModels(wanted).map((m) => ({ ...m, source: 'catalog' as const })),
    ];
  }

  private priced(cost: ComputedCost, multiplier: Fraction, matched: { provider: string; model: string }, discount?: string): PriceResult {
    const nanos = roundHalfUp(multiplyFraction(multiplyFraction(cost.total, multiplier), { num: 1_000_000_000n, den: 1n }));
    const source = SOURCE_RANK.find((s) => cost.usedSources.has(s)) ?? 'catalog';
    return {
      status: 'priced',
      costNanos: nanos,
      costUsd: formatUsd(nanos),
      lines: cost.lines,
      unitPrices: cost.unitPrices,
      source,
      sourceVersion: this.sourceVersion(source),
      priceBookVersion: this.version,
      matched,
      ...(discount ? { discount } : {}),
    };
  }

  private sourceVersion(source: PriceSource): string {
    if (source === 'catalog') return `catalog:${CATALOG_PACKAGE}@${CATALOG_VERSION}`;
    if (source === 'supplemental') return `supplemental:${this.supplemental.version ?? 'unversioned'}`;
    return `operator:${this.operator!.path}@sha256:${createHash('sha256').update(this.operator!.content).digest('hex').slice(0, 16)}`;
  }

  private priceFee(usage: UsageInput): PriceResult {
    const gateway = (usage.payment?.gateway ?? usage.provider).toLowerCase();
    const fee = [...(this.operator?.gateways ?? []), ...this.supplemental.gateways].find((g) => g.gateway === gateway);
    if (!fee) {
      return { status: 'unpriced', reason: 'unknown_model', detail: `no fee schedule for payment gateway "${gateway}"`, priceBookVersion: this.version };
    }
    const amount = usage.payment ? parseDecimal(usage.payment.amountUsd) : null;
    if (!amount) {
      return { status: 'unpriced', reason: 'missing_dimension', detail: 'a payment fee needs payment.amountUsd (a decimal string)', priceBookVersion: this.version };
    }
    const cost = computeGatewayFee(amount, fee.percent, fee.fixedUsd);
    const fromOperator = this.operator?.gateways.includes(fee) ?? false;
    if (fromOperator) cost.usedSources = new Set(['operator']);
    return this.priced(cost, { num: 1n, den: 1n }, { provider: gateway, model: gateway });
  }

  /** Merges the layers that know this model: each dimension's price from the first layer that has it. */
  private resolve(provider: string, model: string, at: Date): Resolved | null {
    const time = at.getTime();
    const entries = this.entriesFor(provider, model).filter((e) => time >= e.effectiveFrom && time < e.effectiveTo);
    const catalog = findCatalogModel(provider, model);
    if (entries.length === 0 && !catalog) return null;
    const table: PriceTable = { tokens: {} };
    const sources: PriceSources = {};
    const layers: { table: PriceTable; source: PriceSource }[] = entries.map((e) => ({ table: e.prices, source: e.source }));
    if (catalog) layers.push({ table: tableFromCatalogPrices(catalogPricesAt(catalog.model, at)), source: 'catalog' });
    for (const layer of layers) {
      for (const [key, price] of Object.entries(layer.table.tokens)) {
        if (!(key in table.tokens)) {
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
    const first = entries[0];
    return { table, sources, matched: first ? { provider: first.provider, model: first.label } : { provider: catalog!.provider, model: catalog!.model.id } };
  }

  private entriesFor(provider: string, model: string): PriceEntry[] {
    const key = `${provider}\u0000${model}`;
    let found = this.entryCache.get(key);
    if (!found) {
      const names = modelCandidates(model);
      const all = [...(this.operator?.entries ?? []), ...this.supplemental.entries];
      found = all.filter((e) => e.provider === provider && names.some((n) => matches(e.match, n)));
      if (this.entryCache.size > 10_000) this.entryCache.clear();
      this.entryCache.set(key, found);
    }
    return found;
  }
}

function findMultiplier(list: Multiplier[], provider: string, model: string, at: Date): Multiplier | null {
  const time = at.getTime();
  const live = list.filter((m) => (m.provider === null || m.provider === provider) && time >= m.effectiveFrom && time < m.effectiveTo);
  const names = modelCandidates(model);
  return live.find((m) => m.match && names.some((n) => matches(m.match!, n))) ?? live.find((m) => m.match === null) ?? null;
}

