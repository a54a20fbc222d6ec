export * from './types';
export { PriceBook, type PriceBookOptions, type PriceBookDescription, SUPPLEMENTAL_FILE } from './price-book';
export { PriceBookError } from './price-file';
export { formatUsd, parseUsdToNanos, nanosToUsdNumber, NANOS_PER_USD } from './money';
export { CATALOG_PACKAGE, CATALOG_VERSION } from './catalog';
