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
  pairDayDoc,
  pairDayRef,
  type RollupDocs,
  totalsDoc,
  totalsRef,
  valueDayDoc,
  valueDayRef,
  valuesDoc,
  valuesRef,
} from './rollup-docs';
import { type PairName, pairKeys } from './pair-days';
import { checkStorable, StoredSumTooLargeError, type SumsRow } from './sums-table';
import { VALUE_KINDS, type ValueKind, valueKind } from './value-rows';

/**
 * A day's value rows as a run rebuilds them: per kind, JSON of a row's key → its sums. Not complete
 * when the day holds records whose value rows were never written (rolled before they existed): then
 * the day gets no value documents, and its value breakdowns are summed otherwise.
 */
interface ValueDay {
  complete: boolean;
  prior: string | null;
  rows: Record<ValueKind, Map<string, SumsRow>>;
}

/** A day's pair rows as a run rebuilds them (see pair-days.ts): JSON of a row's key → its sums. */
interface PairDay {
  /** The run whose pair day document the run replaces. */
  prior: string | null;
  pairs: PairName[];
  rows: Map<string, SumsRow>;
}

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
    /** The days of the buckets the run adds to. */
    private readonly valueDays: Map<number, ValueDay>,
    /** The days of the buckets the run adds to, and those it rewrites for pairs they lack, while the tenant keeps pairs or they hold some. */
    private readonly pairDays: Map<number, PairDay>,
  ) {}

  /**
   * The month as the head's documents hold it, with the groups of `buckets`, and the pair rows of
   * their days and of `pairDays` holding the pairs in `keep`; null when a document is gone (a newer
   * head replaced it).
   */
  static async load(
    docs: RollupDocs,
    tenant: string,
    month: string,
    prior: string | undefined,
    buckets: ReadonlySet<number>,
    keep: readonly PairName[] = [],
    pairDays: ReadonlySet<number> = new Set(),
  ): Promise<CompactedMonth | null> {
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
    const ownTotals = new Map([...totals].map(([bucket, t]) => [bucket, { ...t, sums: { ...t.sums } }]));
    const valueDays = await loadValueDays(docs, tenant, ownTotals, new Set([...buckets].map(dayOf)), own);
    if (!valueDays) return null;
    const pairs = await loadPairDays(docs, tenant, ownTotals, new Set([...buckets].map(dayOf).concat([...pairDays])), keep);
    if (!pairs) return null;
    return new CompactedMonth(month, prior, ownTotals, byKey, groups, priorGroupsRuns, valueDays, pairs);
  }

  /**
   * Adds groups of this month (sign 1), or takes them back out (-1, after `add` of the same groups).
   * Returns why a sum they touch cannot be stored, or null.
   */
  add(groups: readonly Group[], values: readonly SumsRow[] | null, sign: 1 | -1): string | null {
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
      if (!total) this.totals.set(g.bucket, (total = { sums: zeroSums(), groupsRun: '', valuesRun: null, pairsRun: null, pairs: [] }));
      // A pair's day sums are no larger than its first value's day sums, checked below.
      const pairDay = this.pairDays.get(dayOf(g.bucket));
      if (pairDay) for (const key of pairKeys(g, pairDay.pairs)) addInto(pairDay.rows, key, g.sums, sign);
      // Records without value rows: their day's value breakdowns can no longer be told from these documents.
      if (values === null) this.valueDays.get(dayOf(g.bucket))!.complete = false;
      addSums(total.sums, g.sums, sign);
      check(total.sums, () => `the total of bucket ${new Date(g.bucket).toISOString()}`);
      ROLLUP_DIMENSIONS.forEach((d, i) =>
        check(addInto(this.values[i], [dayOf(g.bucket), g.dims[i]], g.sums, sign), () => `the day's total of ${d} ${g.dims[i]}`),
      );
    }
    // A value's sums never pass its bucket's total, checked above.
    for (const row of values ?? []) {
      const day = this.valueDays.get(dayOf(row.key[0] as number))!;
      addInto(day.rows[valueKind(row.key[1] as string)], row.key, row.sums, sign);
    }
    return problem;
  }

  /**
   * Gives a day the head holds no value documents for (rolled before value rows existed) the value
   * rows summed from its raw records, once the caller has checked those records are exactly the
   * ones the head counts (see Compactor.addValueDay): from then on its breakdowns read them.
   */
  fillValueDay(day: number, rows: readonly SumsRow[]): void {
    const filled: ValueDay = { complete: true, prior: null, rows: { conversation: new Map(), tags: new Map() } };
    for (const row of rows) filled.rows[valueKind(row.key[1] as string)].set(JSON.stringify(row.key), row);
    this.valueDays.set(day, filled);
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
    for (const [day, values] of this.valueDays) {
      if (values.prior) replaced.push(...VALUE_KINDS.map((kind) => valueDayRef(tenant, day, kind, values.prior!)));
      if (values.complete)
        for (const kind of VALUE_KINDS)
          docs.push(
            valueDayDoc(
              tenant,
              day,
              kind,
              runId,
              [...values.rows[kind].values()].filter((row) => row.sums.calls !== 0),
            ),
          );
      for (const [bucket, total] of this.totals) if (dayOf(bucket) === day) total.valuesRun = values.complete ? runId : null;
    }
    for (const [day, pairDay] of this.pairDays) {
      if (pairDay.prior) replaced.push(pairDayRef(tenant, day, pairDay.prior));
      const held = pairDay.pairs.length > 0;
      if (held)
        docs.push(
          pairDayDoc(
            tenant,
            day,
            runId,
            [...pairDay.rows.values()].filter((row) => row.sums.calls !== 0),
          ),
        );
      for (const [bucket, total] of this.totals)
        if (dayOf(bucket) === day) {
          total.pairsRun = held ? runId : null;
          total.pairs = pairDay.pairs;
        }
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

/**
 * The value rows of some days as the head's documents hold them: complete for a day the totals hold
 * nothing of yet, or whose buckets all name the run of its value documents.
 */
async function loadValueDays(
  docs: RollupDocs,
  tenant: string,
  totals: ReadonlyMap<number, BucketTotal>,
  days: ReadonlySet<number>,
  own: (row: SumsRow) => SumsRow,
): Promise<Map<number, ValueDay> | null> {
  const runsByDay = new Map<number, Set<string | null>>([...days].map((day) => [day, new Set()]));
  for (const [bucket, t] of totals) runsByDay.get(dayOf(bucket))?.add(t.valuesRun);
  const loaded = new Map<number, ValueDay>();
  for (const [day, runs] of runsByDay) {
    const rows = { conversation: new Map<string, SumsRow>(), tags: new Map<string, SumsRow>() };
    const [run] = runs;
    if (runs.size === 0) loaded.set(day, { complete: true, prior: null, rows });
    else if (runs.size > 1 || run === null) loaded.set(day, { complete: false, prior: null, rows });
    else {
      for (const kind of VALUE_KINDS) {
        const held = await docs.valueDay(tenant, day, kind, run);
        if (!held) return null;
        for (const row of held.map(own)) rows[kind].set(JSON.stringify(row.key), row);
      }
      loaded.set(day, { complete: true, prior: run, rows });
    }
  }
  return loaded;
}

/**
 * The pair rows of some days as the run rewrites them, holding the pairs in `keep`: those the day's
 * document held, read from it; the others summed from the groups of every bucket of the day. A day
 * without pairs to keep or held is left out (its buckets keep naming no pair document).
 */
async function loadPairDays(
  docs: RollupDocs,
  tenant: string,
  totals: ReadonlyMap<number, BucketTotal>,
  days: ReadonlySet<number>,
  keep: readonly PairName[],
): Promise<Map<number, PairDay> | null> {
  const loaded = new Map<number, PairDay>();
  for (const day of days) {
    const buckets = [...totals].filter(([bucket]) => dayOf(bucket) === day);
    const runs = new Set(buckets.map(([, t]) => t.pairsRun));
    const [run] = runs;
    // Every run that writes a day's document names it in each bucket of the day: one run, or none.
    const prior = runs.size === 1 && run !== null ? run : null;
    const held = prior === null ? [] : buckets[0][1].pairs;
    if (keep.length === 0 && prior === null) continue;
    const rows = new Map<string, SumsRow>();
    const carried = keep.filter((pair) => held.includes(pair));
    if (carried.length > 0) {
      const stored = await docs.pairDay(tenant, day, prior!);
      if (!stored) return null;
      for (const row of stored) if (carried.includes(row.key[0] as string)) rows.set(JSON.stringify(row.key), { key: row.key, sums: { ...row.sums } });
    }
    const missing = keep.filter((pair) => !held.includes(pair));
    if (missing.length > 0 && buckets.length > 0) {
      const groups = await docs.groups(tenant, new Map(buckets.map(([bucket, t]) => [bucket, t.groupsRun])));
      if (!groups) return null;
      for (const bucketGroups of groups.values()) for (const g of bucketGroups) for (const key of pairKeys(g, missing)) addInto(rows, key, g.sums, 1);
    }
    loaded.set(day, { prior, pairs: [...keep], rows });
  }
  return loaded;
}

/** Adds `sums` (or takes them away) under `key` in `rows`; returns the row's sums after. */
function addInto(rows: Map<string, SumsRow>, key: SumsRow['key'], sums: Sums, sign: 1 | -1): Sums {
  const id = JSON.stringify(key);
  let row = rows.get(id);
  if (!row) rows.set(id, (row = { key, sums: zeroSums() }));
  addSums(row.sums, sums, sign);
  return row.sums;
}
