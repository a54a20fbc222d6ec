import { ROLLUP_DIMENSIONS, type RollupDimension } from '../storage.port';
import { dimensionIndex, type Group } from './groups';
import type { KeyPart, SumsRow } from './sums-table';

/**
 * Pair rollups: each UTC day's sums per pair of values of two dimensions (a budget scoped by user
 * and feature), kept only for the pairs a tenant asks for (see MongoStore.keepPairRollups), so a
 * query of those two dimensions reads one document per day instead of the groups of every bucket.
 * One document per tenant, UTC day and compaction run holds every kept pair of the day, its rows
 * keyed [pair, first value, second value]; the month's totals name, per bucket, the run whose
 * document holds the bucket's day and which pairs it holds (see BucketTotal.pairs).
 */
export const PAIR_PARTS = 3;

/** A pair's name: its two dimensions in ROLLUP_DIMENSIONS order, joined by '+'. */
export type PairName = string;

export function pairName(a: RollupDimension, b: RollupDimension): PairName {
  return dimensionIndex(a) < dimensionIndex(b) ? `${a}+${b}` : `${b}+${a}`;
}

/** The two dimensions of a pair, in ROLLUP_DIMENSIONS order. */
export function pairDimensions(pair: PairName): [RollupDimension, RollupDimension] {
  const [a, b] = pair.split('+') as [RollupDimension, RollupDimension];
  return [a, b];
}

/** Distinct pairs of two different rollup dimensions, named and sorted; anything else is refused naming it. */
export function pairNames(pairs: readonly (readonly [RollupDimension, RollupDimension])[]): PairName[] {
  const names = new Set<PairName>();
  for (const [a, b] of pairs) {
    if (a === b || !ROLLUP_DIMENSIONS.includes(a) || !ROLLUP_DIMENSIONS.includes(b)) throw new Error(`not a pair of rollup dimensions: ${a}, ${b}`);
    names.add(pairName(a, b));
  }
  return [...names].sort();
}

/** The held pairs as a totals row keeps them (one text part), and back. */
export const heldText = (pairs: readonly PairName[]): string => pairs.join(' ');
export const heldPairs = (text: string | null | undefined): PairName[] => (text ? text.split(' ') : []);

/** A group's rows for each of the pairs: keyed [pair, its value of the first dimension, of the second]. */
export function pairKeys(g: Group, pairs: readonly PairName[]): KeyPart[][] {
  return pairs.map((pair) => {
    const [a, b] = pairDimensions(pair);
    return [pair, g.dims[dimensionIndex(a)], g.dims[dimensionIndex(b)]];
  });
}

/** Each pair day document's rows by pair, made once per decoded document (its rows never change, see RollupDocs). */
const byPair = new WeakMap<readonly SumsRow[], Map<KeyPart, SumsRow[]>>();

/** The rows of one pair of a pair day document. */
export function rowsOfPair(rows: readonly SumsRow[], pair: PairName): readonly SumsRow[] {
  let index = byPair.get(rows);
  if (!index) {
    index = new Map();
    for (const row of rows) {
      const list = index.get(row.key[0]);
      if (list) list.push(row);
      else index.set(row.key[0], [row]);
    }
    byPair.set(rows, index);
  }
  return index.get(pair) ?? [];
}
