export * from './types';
export { PriceBook, type PriceBookOptions, type PriceBookDescription, SUPPLEMENTAL_FILE } from './price-book';
export { PriceBookError } from './price-file';
export { formatUsd, parseUsdToNanos, billedAmountToNanos, nanosToUsdNumber, NANOS_PER_USD } from './money';
export { CATALOG_PACKAGE, CATALOG_VERSION } from './catalog';
export { type Decimal, parseDecimal, decimalToString } from './decimal';
