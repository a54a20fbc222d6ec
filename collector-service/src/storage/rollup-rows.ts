import { addTotals, addToTotals, type StoredSums, type Sums, zeroTotals } from './rollup-measures';
import type { RollupQuery, RollupRow } from './storage.port';

/**
 * Sums stored groups into report rows, one per distinct value of the query's groupBy, exactly (money
 * in bigint): for adapters that keep finer groups than a query asks for and sum them in the service.
 */
export class RollupRowSums {
  private readonly rows = new Map<string, RollupRow>();

  private readonly groupBy: readonly string[];

  /** Rows keyed as the query groups them: by its groupBy, and by tag set when it asks for that. */
  constructor(query: Pick<RollupQuery, 'groupBy' | 'byTagSet'>) {
    this.groupBy = query.byTagSet ? [...query.groupBy, 'tags'] : query.groupBy;
  }

  /** Adds a group's sums under its key, or takes them away (`sign` -1). */
  add(key: RollupRow['key'], sums: Sums | StoredSums, sign: 1 | -1 = 1): void {
    addToTotals(this.row(key), sums, sign);
  }

  private row(key: RollupRow['key']): RollupRow {
    const id = JSON.stringify(this.groupBy.map((g) => (key as Record<string, unknown>)[g]));
    let row = this.rows.get(id);
    if (!row) this.rows.set(id, (row = { key, ...zeroTotals() }));
    return row;
  }

  /** Adds a row another read summed already (its totals) under its key. */
  addRow(row: RollupRow): void {
    addTotals(this.row(row.key), row);
  }

  values(): RollupRow[] {
    return [...this.rows.values()];
  }
}
