import { addTotals, addToTotals, type StoredSums, type Sums, zeroTotals } from './rollup-measures';
import type { RollupQuery, RollupRow } from './storage.port';

/**
 * A query's answer would hold more rows than its `maxRows`: thrown as the row past them is met, before
 * it is held. A RangeError: the query's to answer (see store-faults.ts), not a fault of the store.
 */
export class TooManyRowsError extends RangeError {
  constructor(readonly maxRows: number) {
    super(`the answer holds more than ${maxRows.toLocaleString('en-US')} rows`);
  }
}

/**
 * Sums stored groups into report rows, one per distinct value of the query's groupBy, exactly (money
 * in bigint): for adapters that keep finer groups than a query asks for and sum them in the service.
 */
export class RollupRowSums {
  private readonly rows = new Map<string | number, RollupRow>();

  private readonly groupBy: readonly string[];

  private readonly maxRows: number;

  /** Rows keyed as the query groups them: by its groupBy, and by tag set when it asks for that; at most its maxRows (TooManyRowsError past them). */
  constructor(query: Pick<RollupQuery, 'groupBy' | 'byTagSet' | 'maxRows'>) {
    this.groupBy = query.byTagSet ? [...query.groupBy, 'tags'] : query.groupBy;
    this.maxRows = query.maxRows ?? Infinity;
  }

  /** Adds a group's sums under its key, or takes them away (`sign` -1). */
  add(key: RollupRow['key'], sums: Sums | StoredSums, sign: 1 | -1 = 1): void {
    addToTotals(this.row(key), sums, sign);
  }

  private row(key: RollupRow['key']): RollupRow {
    const id = this.idOf(key);
    let row = this.rows.get(id);
    if (!row) {
      if (this.rows.size >= this.maxRows) throw new TooManyRowsError(this.maxRows);
      this.rows.set(id, (row = { key, ...zeroTotals() }));
    }
    return row;
  }

  /** A row's key as one value: a bucket start itself, else JSON of the groupBy values (strings or null). */
  private idOf(key: RollupRow['key']): string | number {
    const values = key as Record<string, unknown>;
    if (this.groupBy.length === 0) return '';
    if (this.groupBy.length === 1) return this.groupBy[0] === 'bucket' ? (values.bucket as number) : JSON.stringify(values[this.groupBy[0]] ?? null);
    return JSON.stringify(this.groupBy.map((g) => values[g]));
  }

  /** Adds a row another read summed already (its totals) under its key. */
  addRow(row: RollupRow): void {
    addTotals(this.row(row.key), row);
  }

  values(): RollupRow[] {
    return [...this.rows.values()];
  }
}
