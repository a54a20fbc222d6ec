/**
 * The FOCUS 1.2 column rules a usage export must meet, checked row by row: written from the
 * specification's column definitions and attributes (FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec,
 * tag v1.2, specification/columns/*.md and specification/attributes/*.md), independently of the
 * exporter. `validateFocus` returns every broken rule as "row N, Column: what" (empty: the file
 * conforms).
 */
import { parseCsv } from '../support/csv';

/** Columns every FOCUS 1.2 dataset has (feature level Mandatory). */
const MANDATORY = [
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'ContractedCost',
  'EffectiveCost',
  'InvoiceIssuerName',
  'ListCost',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'ServiceCategory',
  'ServiceName',
];

/**
 * Conditional columns whose condition an AI provider meets: it measures usage (ConsumedQuantity/Unit),
 * publishes unit prices and price lists (ListUnitPrice, Sku*), supports negotiated prices
 * (ContractedUnitPrice) and more than one pricing category (PricingCategory), tags (Tags) and sub
 * accounts (SubAccountId/Name); and the Recommended ones this export claims.
 */
const CONDITIONAL = [
  'ConsumedQuantity',
  'ConsumedUnit',
  'ContractedUnitPrice',
  'ListUnitPrice',
  'PricingCategory',
  'SkuId',
  'SkuMeter',
  'SkuPriceDetails',
  'SkuPriceId',
  'SubAccountId',
  'SubAccountName',
  'Tags',
  'ChargeFrequency',
  'ServiceSubcategory',
];

/** Every column FOCUS 1.2 defines: any other column must be a custom one, prefixed `x_`. */
const DEFINED = new Set([
  ...MANDATORY,
  ...CONDITIONAL,
  'AvailabilityZone',
  'BillingAccountType',
  'CapacityReservationId',
  'CapacityReservationStatus',
  'CommitmentDiscountCategory',
  'CommitmentDiscountId',
  'CommitmentDiscountName',
  'CommitmentDiscountQuantity',
  'CommitmentDiscountStatus',
  'CommitmentDiscountType',
  'CommitmentDiscountUnit',
  'InvoiceId',
  'PricingCurrency',
  'PricingCurrencyContractedUnitPrice',
  'PricingCurrencyEffectiveCost',
  'PricingCurrencyListUnitPrice',
  'RegionId',
  'RegionName',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'SubAccountType',
]);

const DECIMALS = ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost', 'ConsumedQuantity', 'PricingQuantity', 'ListUnitPrice', 'ContractedUnitPrice'];
const DATE_TIMES = ['BillingPeriodStart', 'BillingPeriodEnd', 'ChargePeriodStart', 'ChargePeriodEnd'];
const NOT_NULL = [
  'BilledCost',
  'BillingAccountId',
  'BillingCurrency',
  'ChargeCategory',
  'ContractedCost',
  'EffectiveCost',
  'InvoiceIssuerName',
  'ListCost',
  'ProviderName',
  'PublisherName',
  'ServiceCategory',
  'ServiceName',
  'ChargeFrequency',
  'ServiceSubcategory',
  ...DATE_TIMES,
];
/** Not null on a Usage or Purchase row that is not a correction. */
const NOT_NULL_FOR_USAGE = ['ConsumedQuantity', 'ContractedUnitPrice', 'ListUnitPrice', 'PricingCategory', 'PricingQuantity', 'SkuId', 'SkuPriceId'];

const CHARGE_CATEGORIES = ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment'];
const CHARGE_FREQUENCIES = ['One-Time', 'Recurring', 'Usage-Based'];
const PRICING_CATEGORIES = ['Standard', 'Dynamic', 'Committed', 'Other'];
const SERVICE_CATEGORIES = [
  'AI and Machine Learning',
  'Analytics',
  'Business Applications',
  'Compute',
  'Databases',
  'Developer Tools',
  'Multicloud',
  'Identity',
  'Integration',
  'Internet of Things',
  'Management and Governance',
  'Media',
  'Migration',
  'Mobile',
  'Networking',
  'Security',
  'Storage',
  'Web',
  'Other',
];
/** The AI and Machine Learning subcategories (the only parent this export may name). */
const AI_SUBCATEGORIES = ['AI Platforms', 'Bots', 'Generative AI', 'Machine Learning', 'Natural Language Processing', 'Other (AI and Machine Learning)'];

/** NumericFormat: an integer, a decimal or E notation; no sign for a positive value, no commas, no symbols. */
const NUMERIC = /^-?\d+(\.\d+)?(E-?\d+|e-?\d+)?$/;
/** DateTimeFormat: extended ISO 8601 in UTC, YYYY-MM-DDTHH:mm:ssZ. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** UnitFormat: "<plural-units>", "<quantity> <plural-units>", "<unit>-<time units>", "<units>/<time unit>", capitalised. */
const UNIT = /^(\d+ )?[A-Z][A-Za-z]*( [A-Z(][A-Za-z)]*)*([-/][A-Z][A-Za-z]*)?$/;
/** Column IDs: Pascal case, alphanumeric. */
const PASCAL = /^[A-Z][A-Za-z0-9]*$/;

/** An exact decimal as units × 10^-scale, from NumericFormat text (E notation included). */
export function exact(text: string): { units: bigint; scale: number } {
  const [mantissa, exponent = '0'] = text.toLowerCase().split('e');
  const [whole, fraction = ''] = mantissa.split('.');
  const scale = fraction.length - Number(exponent);
  const units = BigInt(whole + fraction);
  return scale >= 0 ? { units, scale } : { units: units * 10n ** BigInt(-scale), scale: 0 };
}

/** A decimal in nano-units, exactly (throws when it has digits past the ninth place). */
export function nanosOf(text: string): bigint {
  const { units, scale } = exact(text);
  if (scale > 9) throw new Error(`${text} has digits past the nano`);
  return units * 10n ** BigInt(9 - scale);
}

function keyValueProblems(text: string, keysMustBeFocusOrCustom: boolean): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'is not JSON';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'is not a JSON object';
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && typeof v === 'object') return `value of ${k} is an object or an array`;
    if (keysMustBeFocusOrCustom && !k.startsWith('x_')) return `property ${k} is not FOCUS-defined and not prefixed x_`;
  }
  return null;
}

/** Whether unitPrice × quantity matches cost to the cost's written precision (half a unit of its last place). */
function productMatches(unitPrice: string, quantity: string, cost: string): boolean {
  const p = exact(unitPrice);
  const q = exact(quantity);
  const c = exact(cost);
  const scale = Math.max(p.scale + q.scale, c.scale + 1);
  const product = p.units * q.units * 10n ** BigInt(scale - p.scale - q.scale);
  const written = c.units * 10n ** BigInt(scale - c.scale);
  const difference = product > written ? product - written : written - product;
  return difference * 2n <= 10n ** BigInt(scale - c.scale);
}

export function validateFocus(text: string): { problems: string[]; header: string[]; rows: Record<string, string | null>[] } {
  const [header, ...body] = parseCsv(text);
  const problems: string[] = [];
  for (const column of [...MANDATORY, ...CONDITIONAL]) if (!header.includes(column)) problems.push(`header: ${column} is missing`);
  let seenCustom = false;
  for (const column of header) {
    if (column.startsWith('x_')) seenCustom = true;
    else if (!DEFINED.has(column)) problems.push(`header: ${column} is neither a FOCUS 1.2 column nor a custom x_ column`);
    else if (!PASCAL.test(column)) problems.push(`header: ${column} is not Pascal case`);
    else if (seenCustom) problems.push(`header: ${column} comes after custom columns`);
  }
  if (new Set(header).size !== header.length) problems.push('header: a column appears twice');
  const rows = body.map((values, n) => {
    if (values.length !== header.length) problems.push(`row ${n + 1}: ${values.length} fields for ${header.length} columns`);
    // NullHandling: an empty field is null; no empty strings, no placeholders.
    return Object.fromEntries(header.map((h, i) => [h, values[i] === '' ? null : values[i]]));
  });
  rows.forEach((r, n) => {
    const bad = (column: string, what: string) => problems.push(`row ${n + 1}, ${column}: ${what} (${JSON.stringify(r[column])})`);
    for (const c of NOT_NULL) if (r[c] === null) bad(c, 'must not be null');
    for (const c of DECIMALS) if (r[c] !== null && !NUMERIC.test(r[c])) bad(c, 'is not NumericFormat');
    for (const c of DATE_TIMES) if (r[c] !== null && !DATE_TIME.test(r[c])) bad(c, 'is not YYYY-MM-DDTHH:mm:ssZ');
    for (const c of ['ListUnitPrice', 'ContractedUnitPrice']) if (r[c]?.startsWith('-')) bad(c, 'must not be negative');
    for (const [c, v] of Object.entries(r)) if (v !== null && v.trim() === '') bad(c, 'is only spaces');
    if (r.BillingCurrency !== null && !/^[A-Z]{3}$/.test(r.BillingCurrency)) bad('BillingCurrency', 'is not an ISO 4217 code');
    if (!CHARGE_CATEGORIES.includes(r.ChargeCategory ?? '')) bad('ChargeCategory', 'is not an allowed value');
    if (r.ChargeClass !== null && r.ChargeClass !== 'Correction') bad('ChargeClass', 'must be null or Correction');
    if (!CHARGE_FREQUENCIES.includes(r.ChargeFrequency ?? '')) bad('ChargeFrequency', 'is not an allowed value');
    if (r.ChargeCategory === 'Purchase' && r.ChargeFrequency === 'Usage-Based') bad('ChargeFrequency', 'must not be Usage-Based for a Purchase');
    if (!SERVICE_CATEGORIES.includes(r.ServiceCategory ?? '')) bad('ServiceCategory', 'is not an allowed value');
    if (r.ServiceSubcategory !== null && (r.ServiceCategory !== 'AI and Machine Learning' || !AI_SUBCATEGORIES.includes(r.ServiceSubcategory)))
      bad('ServiceSubcategory', 'is not an allowed subcategory of its ServiceCategory');
    const usage = (r.ChargeCategory === 'Usage' || r.ChargeCategory === 'Purchase') && r.ChargeClass !== 'Correction';
    if (usage) for (const c of NOT_NULL_FOR_USAGE) if (r[c] === null) bad(c, `must not be null on a ${r.ChargeCategory} row`);
    if (r.ChargeCategory === 'Tax')
      for (const c of ['ListUnitPrice', 'ContractedUnitPrice', 'PricingCategory', 'PricingQuantity', 'SkuId', 'SkuPriceId'])
        if (r[c] !== null) bad(c, 'must be null on a Tax row');
    if (r.PricingCategory !== null && !PRICING_CATEGORIES.includes(r.PricingCategory)) bad('PricingCategory', 'is not an allowed value');
    if ((r.PricingUnit === null) !== (r.PricingQuantity === null)) bad('PricingUnit', 'must be null exactly when PricingQuantity is');
    if ((r.ConsumedUnit === null) !== (r.ConsumedQuantity === null)) bad('ConsumedUnit', 'must be null exactly when ConsumedQuantity is');
    for (const c of ['PricingUnit', 'ConsumedUnit']) if (r[c] !== null && !UNIT.test(r[c])) bad(c, 'is not UnitFormat');
    if (r.ChargeCategory !== 'Usage' && r.ConsumedQuantity !== null) bad('ConsumedQuantity', 'must be null when ChargeCategory is not Usage');
    if (r.SkuId === null && r.SkuMeter !== null) bad('SkuMeter', 'must be null when SkuId is');
    if (r.SkuPriceId === null && r.SkuPriceDetails !== null) bad('SkuPriceDetails', 'must be null when SkuPriceId is');
    if (r.SkuPriceDetails !== null) {
      const problem = keyValueProblems(r.SkuPriceDetails, true);
      if (problem) bad('SkuPriceDetails', problem);
    }
    if (r.Tags !== null) {
      const problem = keyValueProblems(r.Tags, false);
      if (problem) bad('Tags', problem);
    }
    if (r.ListUnitPrice && r.PricingQuantity && r.ListCost && r.ChargeClass !== 'Correction' && !productMatches(r.ListUnitPrice, r.PricingQuantity, r.ListCost))
      bad('ListCost', `is not ListUnitPrice ${r.ListUnitPrice} × PricingQuantity ${r.PricingQuantity}`);
    if (
      r.ContractedUnitPrice &&
      r.PricingQuantity &&
      r.ContractedCost &&
      r.ChargeClass !== 'Correction' &&
      !productMatches(r.ContractedUnitPrice, r.PricingQuantity, r.ContractedCost)
    )
      bad('ContractedCost', `is not ContractedUnitPrice ${r.ContractedUnitPrice} × PricingQuantity ${r.PricingQuantity}`);
    if (r.ChargePeriodStart !== null && r.ChargePeriodEnd !== null && !(r.ChargePeriodStart < r.ChargePeriodEnd))
      bad('ChargePeriodEnd', 'must be after ChargePeriodStart (exclusive end)');
    if (
      r.BillingPeriodStart !== null &&
      r.BillingPeriodEnd !== null &&
      !(r.BillingPeriodStart <= r.ChargePeriodStart! && r.ChargePeriodEnd! <= r.BillingPeriodEnd)
    )
      bad('BillingPeriodStart', 'the charge period must lie within the billing period');
    if (r.SubAccountId === null && r.SubAccountName !== null) bad('SubAccountName', 'must be null when SubAccountId is');
    if (r.SubAccountId !== null && r.SubAccountName === null) bad('SubAccountName', 'must not be null when SubAccountId is not');
  });
  return { problems, header, rows };
}
