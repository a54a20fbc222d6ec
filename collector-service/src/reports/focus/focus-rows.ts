import { type Decimal, decimalToString, formatUsd, type PriceResult } from '@tokenledger/pricing';
import { providerDisplayName } from '@tokenledger/semconv';
import { canonicalTagSet } from '../../storage/tag-sets';
import type { UsageRecord } from '../../usage/usage-record';
import { add, multiply, shift, skuKind, skuLines, toNinePlaces } from './sku-lines';
import { DAY_MS } from '../../time/utc-days';

/** One FOCUS row: a UTC day's usage of one SKU at one price, by one tenant, service and attribution. */
export interface FocusRow {
  dayMs: number;
  tenant: string;
  provider: string;
  model: string;
  service: string;
  user: string | null;
  agent: string | null;
  feature: string | null;
  /** canonicalTagSet of the calls' tags, null when they have none. */
  tags: string | null;
  batch: boolean;
  unit: string;
  contracted: Decimal;
  list: Decimal;
  quantity: Decimal;
  billedNanos: bigint;
  calls: number;
}

/**
 * Sums calls into FOCUS rows, one UTC day at a time: a row per (day, tenant, provider, model, SKU,
 * price, service, user, agent, feature, tags). A row's unit prices are one price, so its list and
 * contracted costs are that price × the row's quantity.
 */
export class FocusDay {
  private readonly rows = new Map<string, FocusRow>();
  dayMs: number | null = null;

  /** Adds a call, priced at its published (`listPrice`) and its own prices; `repriced` itemises a record stored without its quantities. */
  add(record: UsageRecord, listPrice: PriceResult | null, repriced: () => PriceResult): void {
    const dayMs = Math.floor(record.timeMs / DAY_MS) * DAY_MS;
    const tags = canonicalTagSet(record.tags);
    for (const line of skuLines(record, listPrice, repriced)) {
      const key = JSON.stringify([
        record.tenant,
        record.provider,
        record.model,
        line.unit,
        decimalToString(line.contracted),
        decimalToString(line.list),
        record.batch,
        record.service,
        record.user,
        record.agent,
        record.feature,
        tags,
      ]);
      const row = this.rows.get(key);
      if (row) {
        row.quantity = add(row.quantity, line.quantity);
        row.billedNanos += line.billedNanos;
        row.calls++;
      } else {
        this.rows.set(key, {
          dayMs,
          tenant: record.tenant,
          provider: record.provider,
          model: record.model,
          service: record.service,
          user: record.user,
          agent: record.agent,
          feature: record.feature,
          tags,
          batch: record.batch,
          ...line,
          calls: 1,
        });
      }
    }
  }

  /** The day's rows in a stable order, and a fresh day. */
  take(): FocusRow[] {
    const rows = [...this.rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
    this.rows.clear();
    return rows;
  }
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const monthStart = (ms: number) => Date.UTC(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth(), 1);
const nextMonth = (ms: number) => Date.UTC(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth() + 1, 1);

/** A FOCUS column: its id, and its value in a row (null: the column's null, written as an empty field). */
type Column = [id: string, value: (r: FocusRow) => string | null];

const skuId = (r: FocusRow) => `${r.provider}/${r.model}/${skuKind(r.unit).tokenType}`;
const perPricingUnit = (price: Decimal, r: FocusRow) => shift(price, skuKind(r.unit).pricingExponent);
const pricingQuantity = (r: FocusRow) => shift(r.quantity, -skuKind(r.unit).pricingExponent);

/**
 * The FOCUS 1.2 columns this export fills, alphabetical, then its custom `x_` columns. Money is USD
 * with 9 decimal places. BilledCost and EffectiveCost are tokenledger's exact cost (there are no
 * prepaid commitments to amortise); ContractedCost is the price the call was priced with (operator
 * prices and discounts included) × PricingQuantity, ListCost the published price × PricingQuantity.
 * ProviderName is FOCUS 1.2's; FOCUS 1.3 calls it ServiceProviderName, which a 1.2 file may only
 * carry as a custom column: x_ServiceProviderName.
 */
export const FOCUS_COLUMNS: Column[] = [
  ['BilledCost', (r) => formatUsd(r.billedNanos)],
  ['BillingAccountId', (r) => r.tenant],
  ['BillingAccountName', (r) => r.tenant],
  ['BillingCurrency', () => 'USD'],
  ['BillingPeriodEnd', (r) => iso(nextMonth(r.dayMs))],
  ['BillingPeriodStart', (r) => iso(monthStart(r.dayMs))],
  ['ChargeCategory', () => 'Usage'],
  ['ChargeClass', () => null],
  ['ChargeDescription', (r) => `${r.model} ${skuKind(r.unit).meter.toLowerCase()}${r.batch ? ' (batch)' : ''}`],
  ['ChargeFrequency', () => 'Usage-Based'],
  ['ChargePeriodEnd', (r) => iso(r.dayMs + DAY_MS)],
  ['ChargePeriodStart', (r) => iso(r.dayMs)],
  ['ConsumedQuantity', (r) => decimalToString(r.quantity)],
  ['ConsumedUnit', (r) => skuKind(r.unit).consumedUnit],
  ['ContractedCost', (r) => toNinePlaces(multiply(r.contracted, r.quantity))],
  ['ContractedUnitPrice', (r) => decimalToString(perPricingUnit(r.contracted, r))],
  ['EffectiveCost', (r) => formatUsd(r.billedNanos)],
  ['InvoiceIssuerName', (r) => providerDisplayName(r.provider)],
  ['ListCost', (r) => toNinePlaces(multiply(r.list, r.quantity))],
  ['ListUnitPrice', (r) => decimalToString(perPricingUnit(r.list, r))],
  ['PricingCategory', () => 'Standard'],
  ['PricingQuantity', (r) => decimalToString(pricingQuantity(r))],
  ['PricingUnit', (r) => skuKind(r.unit).pricingUnit],
  ['ProviderName', (r) => providerDisplayName(r.provider)],
  ['PublisherName', (r) => providerDisplayName(r.provider)],
  ['ServiceCategory', () => 'AI and Machine Learning'],
  ['ServiceName', (r) => `${providerDisplayName(r.provider)} API`],
  ['ServiceSubcategory', () => 'Generative AI'],
  ['SkuId', skuId],
  ['SkuMeter', (r) => skuKind(r.unit).meter],
  ['SkuPriceDetails', (r) => JSON.stringify({ x_TokenType: skuKind(r.unit).tokenType, x_Batch: r.batch })],
  ['SkuPriceId', (r) => `${skuId(r)}@${decimalToString(perPricingUnit(r.contracted, r))}${r.batch ? '/batch' : ''}`],
  ['SubAccountId', (r) => r.service],
  ['SubAccountName', (r) => r.service],
  ['Tags', (r) => (r.tags === null ? null : JSON.stringify(Object.fromEntries(JSON.parse(r.tags) as [string, string][])))],
  ['x_Agent', (r) => r.agent],
  ['x_Calls', (r) => String(r.calls)],
  ['x_Feature', (r) => r.feature],
  ['x_Model', (r) => r.model],
  ['x_Provider', (r) => r.provider],
  ['x_ServiceProviderName', (r) => providerDisplayName(r.provider)],
  ['x_TokenType', (r) => skuKind(r.unit).tokenType],
  ['x_User', (r) => r.user],
];
