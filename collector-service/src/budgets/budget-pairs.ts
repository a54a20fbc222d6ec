import type { DimensionPair, StoragePort } from '../storage/storage.port';
import { type Budget, SCOPE_DIMENSIONS } from './budget';
import type { BudgetIndex } from './budget-index';

/** The two dimensions a budget's spend is read by (its scope's, and `user` for perUser), when it is exactly two and no tags. */
export function scopePair(budget: Budget): DimensionPair | null {
  if (budget.scope.tags) return null;
  const dimensions = new Set<(typeof SCOPE_DIMENSIONS)[number]>(SCOPE_DIMENSIONS.filter((d) => budget.scope[d] !== undefined));
  if (budget.scope.perUser) dimensions.add('user');
  if (dimensions.size !== 2) return null;
  const [a, b] = dimensions;
  return [a, b];
}

/**
 * Tells the store which pairs of dimensions each tenant's budgets read spend by (see
 * StoragePort.keepPairRollups), once per change: a store that sums two dimensions from its finest
 * rollups keeps rollups of those pairs, so a two-dimension budget's spend reads like a one-dimension one's.
 */
export class BudgetScopePairs {
  /** Per tenant, the pairs stated last. */
  private readonly stated = new Map<string, string>();

  constructor(private readonly storage: StoragePort) {}

  async state(index: BudgetIndex): Promise<void> {
    const tenants = new Set([...index.tenantsWithBudgets(), ...this.stated.keys()]);
    for (const tenant of tenants) {
      const pairs = new Map<string, DimensionPair>();
      for (const budget of index.of(tenant)) {
        const pair = scopePair(budget);
        if (pair) pairs.set([...pair].sort().join('+'), pair);
      }
      const text = [...pairs.keys()].sort().join(' ');
      if (this.stated.get(tenant) === text) continue;
      await this.storage.keepPairRollups(tenant, [...pairs.values()]);
      this.stated.set(tenant, text);
    }
  }
}
