import { addSums, type Sums, zeroSums } from '../rollup-measures';
import { ROLLUP_DIMENSIONS } from '../storage.port';
import { type Group, groupRow, rowGroup } from './groups';
import {
  type BucketTotal,
  dayOf,
  type DocRef,
  groupsDoc,
  groupsRef,
  monthSumsOf,
  monthValuesDoc,
  monthValuesRef,
  type NewDoc,
  type RollupDocs,
  totalsDoc,
  totalsRef,
  valuesDoc,
  valuesRef,
} from './rollup-docs';
import { checkStorable, StoredSumTooLargeError, type SumsRow } from './sums-table';

/**
 * One UTC month of a tenant's compacted rollups as a compaction run rebuilds it: the documents the
 * head names, plus the groups of the items the run adds, written back as new documents of the run.
 */
export class CompactedMonth {
  private readonly touched = new Set<number>();

  private constructor(
    private readonly month: string,
    private readonly prior: string | undefined,
    private readonly totals: Map<number, BucketTotal>,
    /** Per dimension (ROLLUP_DIMENSIONS order): JSON of [day, value] → that day's sums for the value. */
    private readonly values: Map<string, SumsRow>[],
    /** Per bucket the run adds to: JSON of a group's key → the group's sums (the head's, plus the run's). */
    private readonly groups: Map<number, Map<string, SumsRow>>,
    private readonly priorGroupsRuns: Map<number, string>,
  ) {}

  /** The month as the head's documents hold it, with the groups of `buckets`; null when a document is gone (a newer head replaced it). */
  static async load(docs: RollupDocs, tenant: string, month: string, prior: string | undefined, buckets: ReadonlySet<number>): Promise<CompactedMonth | null> {
    const [totals, values] = prior
      ? await Promise.all([docs.totals(tenant, month, prior), Promise.all(ROLLUP_DIMENSIONS.map((d) => docs.values(tenant, month, d, prior)))])
      : [new Map<number, BucketTotal>(), ROLLUP_DIMENSIONS.map((): SumsRow[] => [])];
    if (!totals || values.some((v) => v === null)) return null;
    const priorGroupsRuns = new Map([...buckets].filter((b) => totals.has(b)).map((b) => [b, totals.get(b)!.groupsRun]));
    const priorGroups = await docs.groups(tenant, priorGroupsRuns);
    if (!priorGroups) return null;
    // The documents' rows are shared with readers (RollupDocs keeps them): the run sums into copies.
    const own = (row: SumsRow): SumsRow => ({ key: row.key, sums: { ...row.sums } });
    const groups = new Map(
      [...buckets].map((b) => [
        b,
        new Map(
          (priorGroups.get(b) ?? [])
            .map(groupRow)
            .map(own)
            .map((row) => [JSON.stringify(row.key), row]),
        ),
      ]),
    );
    const byKey = values.map((rows) => new Map(rows!.map(own).map((row) => [JSON.stringify(row.key), row])));
    const ownTotals = new Map([...totals].map(([bucket, t]) => [bucket, { sums: { ...t.sums }, groupsRun: t.groupsRun }]));
    return new CompactedMonth(month, prior, ownTotals, byKey, groups, priorGroupsRuns);
  }

  /**
   * Adds groups of this month (sign 1), or takes them back out (-1, after `add` of the same groups).
   * Returns why a sum they touch cannot be stored, or null.
   */
  add(groups: readonly Group[], sign: 1 | -1): string | null {
    let problem: string | null = null;
    const check = (sums: Sums, what: () => string) => {
      if (problem !== null || sign === -1) return;
      try {
        checkStorable(sums, what);
      } catch (err) {
        if (!(err instanceof StoredSumTooLargeError)) throw err;
        problem = err.message;
      }
    };
    for (const g of groups) {
      this.touched.add(g.bucket);
      const row = groupRow(g);
      check(addInto(this.groups.get(g.bucket)!, row.key, g.sums, sign), () => `a group of bucket ${new Date(g.bucket).toISOString()}`);
      let total = this.totals.get(g.bucket);
      if (!total) this.totals.set(g.bucket, (total = { sums: zeroSums(), groupsRun: '' }));
      addSums(total.sums, g.sums, sign);
      check(total.sums, () => `the total of bucket ${new Date(g.bucket).toISOString()}`);
      ROLLUP_DIMENSIONS.forEach((d, i) =>
        check(addInto(this.values[i], [dayOf(g.bucket), g.dims[i]], g.sums, sign), () => `the day's total of ${d} ${g.dims[i]}`),
      );
    }
    return problem;
  }

  /** The month's new documents (under `runId`), and the head's documents they replace. */
  documents(tenant: string, runId: string): { docs: NewDoc[]; replaced: DocRef[] } {
    const docs: NewDoc[] = [];
    const replaced: DocRef[] = [];
    for (const bucket of this.touched) {
      const rows = [...this.groups.get(bucket)!.values()].filter((row) => row.sums.calls !== 0);
      docs.push(groupsDoc(tenant, bucket, runId, rows.map(rowGroup)));
      this.totals.get(bucket)!.groupsRun = runId;
      const before = this.priorGroupsRuns.get(bucket);
      if (before) replaced.push(groupsRef(tenant, bucket, before));
    }
    const totals = new Map([...this.totals].filter(([, t]) => t.sums.calls !== 0));
    docs.push(totalsDoc(tenant, this.month, runId, totals));
    ROLLUP_DIMENSIONS.forEach((d, i) => {
      const days = [...this.values[i].values()].filter((row) => row.sums.calls !== 0);
      docs.push(valuesDoc(tenant, this.month, d, runId, days), monthValuesDoc(tenant, this.month, d, runId, monthSumsOf(days)));
    });
    if (this.prior) {
      const prior = this.prior;
      // A month compacted before month values were written has none to replace: deleting it deletes nothing.
      replaced.push(
        totalsRef(tenant, this.month, prior),
        ...ROLLUP_DIMENSIONS.flatMap((d) => [valuesRef(tenant, this.month, d, prior), monthValuesRef(tenant, this.month, d, prior)]),
      );
    }
    return { docs, replaced };
  }
}

/** Adds `sums` (or takes them away) under `key` in `rows`; returns the row's sums after. */
function addInto(rows: Map<string, SumsRow>, key: SumsRow['key'], sums: Sums, sign: 1 | -1): Sums {
  const id = JSON.stringify(key);
  let row = rows.get(id);
  if (!row) rows.set(id, (row = { key, sums: zeroSums() }));
  addSums(row.sums, sums, sign);
  return row.sums;
}
