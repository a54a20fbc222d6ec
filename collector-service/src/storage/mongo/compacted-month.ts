import { addSums, type Sums, zeroSums } from '../rollup-measures';
import { ROLLUP_DIMENSIONS } from '../storage.port';
import { type Group, groupRow, rowGroup } from './groups';
import {
  type BucketTotal,
  dayOf,
  type DocRef,
  ALL_GROUP_DAY_PARTS,
  conversationPartDocs,
  conversationPartRefs,
  conversationsUnsplit,
  NO_CONVERSATION_GROUPS,
  groupDayDocs,
  groupDayRefs,
  groupFeatureDayDocs,
  groupFeatureDayRefs,
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
import { daysWithoutConversationGroups, VALUE_KINDS, type ValueKind, valueKind } from './value-rows';

/**
 * A day's value rows as a run rebuilds them: per kind, JSON of a row's key → its sums. Not complete
 * when the day holds records whose value rows were never written (rolled before they existed): then
 * the day gets no value documents, and its value breakdowns are summed otherwise.
 */
interface ValueDay {
  complete: boolean;
  /**
   * Whether the day's conversations per group are all known: not when the day's value documents were
   * written without them, or it holds records whose value rows were written before them. Then the
   * day gets no such document, and its filtered breakdowns by conversation read the raw records.
   */
  grouped: boolean;
  prior: string | null;
  /** The parts the prior run wrote the day's conversations per group in (see BucketTotal.conversationParts). */
  priorParts: number | null;
  rows: Record<ValueKind, Map<string, SumsRow>>;
}

const emptyValueRows = (): Record<ValueKind, Map<string, SumsRow>> => ({ conversation: new Map(), tags: new Map(), 'conversation groups': new Map() });

/** A day's pair rows as a run rebuilds them (see pair-days.ts): JSON of a row's key → its sums. */
interface PairDay {
  /** The run whose pair day document the run replaces. */
  prior: string | null;
  pairs: PairName[];
  rows: Map<string, SumsRow>;
}

/** A day's groups as a run rebuilds them: JSON of a row's key (a group's, the day for bucket) → its sums. */
interface GroupDay {
  /** The runs whose group day documents the run replaces. */
  priors: string[];
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
    /** The days of the buckets the run adds to, and those it rewrites whose conversations per group are one document. */
    private readonly valueDays: Map<number, ValueDay>,
    /** The days of the buckets the run adds to, and those it rewrites for pairs they lack, while the tenant keeps pairs or they hold some. */
    private readonly pairDays: Map<number, PairDay>,
    /** The days of the buckets the run adds to, and those it rewrites. */
    private readonly groupDays: Map<number, GroupDay>,
  ) {}

  /**
   * The month as the head's documents hold it, with the groups of `buckets`, the pair rows of their
   * days and of `days` holding the pairs in `keep`, and the group days of both; null when a document
   * is gone (a newer head replaced it).
   */
  static async load(
    docs: RollupDocs,
    tenant: string,
    month: string,
    prior: string | undefined,
    buckets: ReadonlySet<number>,
    keep: readonly PairName[] = [],
    days: ReadonlySet<number> = new Set(),
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
    const rewritten = new Set([...buckets].map(dayOf).concat([...days]));
    // Of the days rewritten, those whose conversations per group are one document (or parts without a
    // column per dimension) get their parts too (see Compactor.addConversationParts).
    const unsplit = [...ownTotals].filter(([bucket, t]) => days.has(dayOf(bucket)) && conversationsUnsplit(t)).map(([b]) => dayOf(b));
    const valueDays = await loadValueDays(docs, tenant, ownTotals, new Set([...buckets].map(dayOf).concat(unsplit)), own);
    if (!valueDays) return null;
    const pairs = await loadPairDays(docs, tenant, ownTotals, rewritten, keep);
    if (!pairs) return null;
    const groupDays = await loadGroupDays(docs, tenant, ownTotals, rewritten);
    if (!groupDays) return null;
    return new CompactedMonth(month, prior, ownTotals, byKey, groups, priorGroupsRuns, valueDays, pairs, groupDays);
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
      if (!total)
        this.totals.set(
          g.bucket,
          (total = {
            sums: zeroSums(),
            groupsRun: '',
            valuesRun: null,
            pairsRun: null,
            pairs: [],
            groupDaysRun: null,
            groupDayParts: 0,
            groupDaysColumns: false,
            groupDayFeatureParts: null,
            conversationParts: null,
            conversationColumns: false,
          }),
        );
      // A group's day sums are no larger than its first value's day sums, checked below.
      addInto(this.groupDays.get(dayOf(g.bucket))!.rows, [dayOf(g.bucket), ...row.key.slice(1)], g.sums, sign);
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
    for (const day of daysWithoutConversationGroups(values ?? [])) this.valueDays.get(day)!.grouped = false;
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
    const filled: ValueDay = { complete: true, grouped: true, prior: null, priorParts: null, rows: emptyValueRows() };
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
      // A day compacted before the parts: its conversations per group are the one document of their kind.
      if (values.prior)
        replaced.push(
          ...VALUE_KINDS.map((kind) => valueDayRef(tenant, day, kind, values.prior!)),
          ...(values.priorParts === null ? [] : conversationPartRefs(tenant, day, values.prior, values.priorParts)),
        );
      const held = (kind: ValueKind) => [...values.rows[kind].values()].filter((row) => row.sums.calls !== 0);
      let conversationParts: number | null = null;
      if (values.complete) {
        conversationParts = NO_CONVERSATION_GROUPS;
        docs.push(valueDayDoc(tenant, day, 'conversation', runId, held('conversation')), valueDayDoc(tenant, day, 'tags', runId, held('tags')));
        if (values.grouped) {
          const written = conversationPartDocs(tenant, day, runId, held('conversation groups'));
          docs.push(...written.docs);
          conversationParts = written.written;
        }
      }
      for (const [bucket, total] of this.totals)
        if (dayOf(bucket) === day) {
          total.valuesRun = values.complete ? runId : null;
          total.conversationParts = conversationParts;
          total.conversationColumns = conversationParts !== null && conversationParts !== NO_CONVERSATION_GROUPS;
        }
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
    for (const [day, groupDay] of this.groupDays) {
      replaced.push(
        ...groupDay.priors.flatMap((run) => [
          ...groupDayRefs(tenant, day, run, ALL_GROUP_DAY_PARTS),
          ...groupFeatureDayRefs(tenant, day, run, ALL_GROUP_DAY_PARTS),
        ]),
      );
      const buckets = [...this.totals].filter(([bucket, t]) => dayOf(bucket) === day && t.sums.calls !== 0);
      if (buckets.length === 0) continue;
      const rows = [...groupDay.rows.values()].filter((row) => row.sums.calls !== 0);
      const byUser = groupDayDocs(tenant, day, runId, rows);
      const byFeature = groupFeatureDayDocs(tenant, day, runId, rows);
      docs.push(...byUser.docs, ...byFeature.docs);
      for (const [, total] of buckets) {
        total.groupDaysRun = runId;
        total.groupDayParts = byUser.written;
        total.groupDaysColumns = true;
        total.groupDayFeatureParts = byFeature.written;
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
  /** Per day, the parts its values run wrote its conversations per group in (the same in each bucket of the day that names the run). */
  const partsByDay = new Map<number, number | null>();
  for (const [bucket, t] of totals) {
    runsByDay.get(dayOf(bucket))?.add(t.valuesRun);
    partsByDay.set(dayOf(bucket), t.conversationParts);
  }
  const loaded = new Map<number, ValueDay>();
  for (const [day, runs] of runsByDay) {
    const rows = emptyValueRows();
    const [run] = runs;
    if (runs.size === 0) loaded.set(day, { complete: true, grouped: true, prior: null, priorParts: null, rows });
    else if (runs.size > 1 || run === null) loaded.set(day, { complete: false, grouped: false, prior: null, priorParts: null, rows });
    else {
      const parts = partsByDay.get(day) ?? null;
      let grouped = parts !== NO_CONVERSATION_GROUPS;
      for (const kind of VALUE_KINDS.filter((k) => grouped || k !== 'conversation groups')) {
        const held = kind === 'conversation groups' ? await docs.conversationGroups(tenant, day, run, parts) : await docs.valueDay(tenant, day, kind, run);
        // Value documents written before the conversations per group have none: the day stays without.
        // (One gone because a newer head replaced it makes the run's head not the latest: it is not published.)
        if (!held && kind === 'conversation groups' && parts === null) grouped = false;
        else if (!held) return null;
        else for (const row of held.map(own)) rows[kind].set(JSON.stringify(row.key), row);
      }
      loaded.set(day, { complete: true, grouped, prior: run, priorParts: parts, rows });
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

/**
 * The groups of some days as the head's documents hold them: from the day's group day documents when
 * every bucket of the day names the same run of them, else (a day compacted before them) summed from
 * the groups of every bucket of the day.
 */
async function loadGroupDays(
  docs: RollupDocs,
  tenant: string,
  totals: ReadonlyMap<number, BucketTotal>,
  days: ReadonlySet<number>,
): Promise<Map<number, GroupDay> | null> {
  const loaded = new Map<number, GroupDay>();
  for (const day of days) {
    const buckets = [...totals].filter(([bucket]) => dayOf(bucket) === day);
    const runs = new Set(buckets.map(([, t]) => t.groupDaysRun));
    const [run] = runs;
    const rows = new Map<string, SumsRow>();
    if (runs.size === 1 && run !== null) {
      const held = await docs.groupDay(tenant, day, run, buckets[0][1].groupDayParts);
      if (!held) return null;
      for (const row of held) rows.set(JSON.stringify(row.key), { key: row.key, sums: { ...row.sums } });
    } else if (buckets.length > 0) {
      const groups = await docs.groups(tenant, new Map(buckets.map(([bucket, t]) => [bucket, t.groupsRun])));
      if (!groups) return null;
      for (const bucketGroups of groups.values()) for (const g of bucketGroups) addInto(rows, [day, ...groupRow(g).key.slice(1)], g.sums, 1);
    }
    loaded.set(day, { priors: [...runs].filter((r): r is string => r !== null), rows });
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
