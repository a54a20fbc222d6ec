import type { RollupRow } from './storage.port';

/** A measure as a store reads it: Int64 may arrive as bigint, number or string. */
type Measure = bigint | number | string;

/** One stored group's measures. */
export interface GroupMeasures {
  costNanos: Measure;
  calls: Measure;
  errorCalls: Measure;
  unpricedCalls: Measure;
  input: Measure;
  output: Measure;
  cacheRead: Measure;
  cacheWrite: Measure;
  reasoning: Measure;
  durationMsSum: Measure;
}

/**
 * Sums stored groups into report rows, one per distinct value of the query's groupBy, exactly (money
 * in bigint): for adapters that keep finer groups than a query asks for and sum them in the service.
 */
export class RollupRowSums {
  private readonly rows = new Map<string, RollupRow>();

  constructor(private readonly groupBy: readonly string[]) {}

  add(key: RollupRow['key'], m: GroupMeasures): void {
    const id = JSON.stringify(this.groupBy.map((g) => (key as Record<string, unknown>)[g]));
    let row = this.rows.get(id);
    if (!row) {
      row = { key, costNanos: 0n, calls: 0, errorCalls: 0, unpricedCalls: 0, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, durationMsSum: 0 };
      this.rows.set(id, row);
    }
    row.costNanos += BigInt(m.costNanos);
    row.calls += Number(m.calls);
    row.errorCalls += Number(m.errorCalls);
    row.unpricedCalls += Number(m.unpricedCalls);
    row.tokens.input += Number(m.input);
    row.tokens.output += Number(m.output);
    row.tokens.cacheRead += Number(m.cacheRead);
    row.tokens.cacheWrite += Number(m.cacheWrite);
    row.tokens.reasoning += Number(m.reasoning);
    row.durationMsSum += Number(m.durationMsSum);
  }

  values(): RollupRow[] {
    return [...this.rows.values()];
  }
}
