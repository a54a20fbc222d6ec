import { validateFocus } from './focus-rules';

/** One conforming row, column by column: each case below breaks one rule of it. */
const ROW: Record<string, string> = {
  BilledCost: '0.003000000',
  BillingAccountId: 'default',
  BillingAccountName: 'default',
  BillingCurrency: 'USD',
  BillingPeriodEnd: '2026-12-01T00:00:00Z',
  BillingPeriodStart: '2026-11-01T00:00:00Z',
  ChargeCategory: 'Usage',
  ChargeClass: '',
  ChargeDescription: 'gpt-4o input tokens',
  ChargeFrequency: 'Usage-Based',
  ChargePeriodEnd: '2026-11-11T00:00:00Z',
  ChargePeriodStart: '2026-11-10T00:00:00Z',
  ConsumedQuantity: '1500',
  ConsumedUnit: 'Tokens',
  ContractedCost: '0.003000000',
  ContractedUnitPrice: '2',
  EffectiveCost: '0.003000000',
  InvoiceIssuerName: 'OpenAI',
  ListCost: '0.003750000',
  ListUnitPrice: '2.5',
  PricingCategory: 'Standard',
  PricingQuantity: '0.0015',
  PricingUnit: '1000000 Tokens',
  ProviderName: 'OpenAI',
  PublisherName: 'OpenAI',
  ServiceCategory: 'AI and Machine Learning',
  ServiceName: 'OpenAI API',
  ServiceSubcategory: 'Generative AI',
  SkuId: 'openai/gpt-4o/input',
  SkuMeter: 'Input Tokens',
  SkuPriceDetails: '{"x_TokenType":"input"}',
  SkuPriceId: 'openai/gpt-4o/input@2',
  SubAccountId: 'shop',
  SubAccountName: 'shop',
  Tags: '{"team":"search"}',
  x_User: 'alice',
};

const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const file = (row: Record<string, string>) => `${Object.keys(row).join(',')}\r\n${Object.values(row).map(quote).join(',')}\r\n`;

describe('the FOCUS 1.2 column rules the export is checked against', () => {
  it('accept a conforming row', () => {
    expect(validateFocus(file(ROW)).problems).toEqual([]);
  });

  it.each([
    ['a mandatory column missing', () => Object.fromEntries(Object.entries(ROW).filter(([k]) => k !== 'ListCost')), 'header: ListCost is missing'],
    ['a custom column without x_', () => ({ ...ROW, User: 'alice' }), 'header: User is neither a FOCUS 1.2 column nor a custom x_ column'],
    [
      'a FOCUS column after a custom one',
      () => ({ ...Object.fromEntries(Object.entries(ROW).filter(([k]) => k !== 'Tags')), Tags: ROW.Tags }),
      'header: Tags comes after custom columns',
    ],
    ['a null BilledCost', () => ({ ...ROW, BilledCost: '' }), 'row 1, BilledCost: must not be null'],
    ['a currency sign in an amount', () => ({ ...ROW, BilledCost: '$0.003' }), 'row 1, BilledCost: is not NumericFormat'],
    ['a plus sign', () => ({ ...ROW, PricingQuantity: '+0.0015' }), 'row 1, PricingQuantity: is not NumericFormat'],
    ['a date without its Z', () => ({ ...ROW, ChargePeriodStart: '2026-11-10T00:00:00' }), 'row 1, ChargePeriodStart: is not YYYY-MM-DDTHH:mm:ssZ'],
    ['a charge category FOCUS does not allow', () => ({ ...ROW, ChargeCategory: 'Consumption' }), 'row 1, ChargeCategory: is not an allowed value'],
    [
      'a subcategory of another category',
      () => ({ ...ROW, ServiceSubcategory: 'Data Warehouses' }),
      'row 1, ServiceSubcategory: is not an allowed subcategory of its ServiceCategory',
    ],
    ['a usage row without a list unit price', () => ({ ...ROW, ListUnitPrice: '' }), 'row 1, ListUnitPrice: must not be null on a Usage row'],
    [
      'a list cost that is not price × quantity',
      () => ({ ...ROW, ListCost: '0.003750001' }),
      'row 1, ListCost: is not ListUnitPrice 2.5 × PricingQuantity 0.0015',
    ],
    [
      'a contracted cost that is not price × quantity',
      () => ({ ...ROW, ContractedCost: '0.003100000' }),
      'row 1, ContractedCost: is not ContractedUnitPrice 2 × PricingQuantity 0.0015',
    ],
    ['a consumed quantity without its unit', () => ({ ...ROW, ConsumedUnit: '' }), 'row 1, ConsumedUnit: must be null exactly when ConsumedQuantity is'],
    ['a unit not in UnitFormat', () => ({ ...ROW, PricingUnit: 'per 1M tokens' }), 'row 1, PricingUnit: is not UnitFormat'],
    [
      'SKU price details with a property neither FOCUS nor x_',
      () => ({ ...ROW, SkuPriceDetails: '{"TokenType":"input"}' }),
      'row 1, SkuPriceDetails: property TokenType is not FOCUS-defined and not prefixed x_',
    ],
    ['tags that are not a JSON object of scalars', () => ({ ...ROW, Tags: '{"team":["a"]}' }), 'row 1, Tags: value of team is an object or an array'],
    [
      'a charge period outside its billing period',
      () => ({ ...ROW, BillingPeriodEnd: '2026-11-10T12:00:00Z' }),
      'row 1, BillingPeriodStart: the charge period must lie within the billing period',
    ],
    ['a correction class that is not Correction', () => ({ ...ROW, ChargeClass: 'Regular' }), 'row 1, ChargeClass: must be null or Correction'],
  ])('catch %s', (_name, broken, problem) => {
    expect(validateFocus(file(broken())).problems).toContainEqual(expect.stringContaining(problem));
  });
});
