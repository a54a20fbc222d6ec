import { formatUsd, nanosToUsdNumber } from '@tokenledger/pricing';

/**
 * An amount the way the seed APIs answered it — USD as a number, for the apps and dashboards that
 * read it — with the exact decimal string next to it under the same name + `Usd`. The number is for
 * display only; sums must use the string (or the core report API's nanos).
 */
export function usd<K extends string>(name: K, nanos: bigint): Record<K, number> & Record<`${K}Usd`, string> {
  return { [name]: nanosToUsdNumber(nanos), [`${name}Usd`]: formatUsd(nanos) } as Record<K, number> & Record<`${K}Usd`, string>;
}
