import { RollupRowSums } from '../rollup-rows';
import { addSums, addToTotals, type Sums, totalsOf, zeroSums, zeroTotals } from '../rollup-measures';
import {
  type HeldRows,
  ROLLUP_DIMENSIONS,
  type RollupDimension,
  type RollupQuery,
  type RollupRow,
  type ValueRollupQuery,
  type ValueSums,
  type WriteMark,
} from '../storage.port';
import { hasTagFilter, tagSetIncludes } from '../tag-sets';
import { CONVERSATION, isFiltered } from '../value-rollups';
import { dimensionIndex, GROUP_PARTS, type Group, groupRow } from './groups';
import type { Head, HeadChain } from './heads';
import type { PendingItem, PendingItems, PendingListing } from './pending';
import type { MongoWritten } from './batches';
import { type PairName, pairDimensions, pairName, rowsOfPair } from './pair-days';
import {
  CONVERSATION_GROUP,
  conversationColumn,
  conversationGroupOf,
  daysWithoutConversationGroups,
  VALUE_PARTS,
  type ValueKind,
  valueKind,
} from './value-rows';
import type { KeyPart, RowKeep, SumsRow } from './sums-table';
import {
  type BucketTotal,
  conversationPartRefs,
  DAY_MS,
  dayOf,
  type DocRef,
  monthStart,
  monthTotal,
  nextMonthStart,
  NO_CONVERSATION_GROUPS,
  type RollupDocs,
} from './rollup-docs';

/** How a query is answered from the compacted documents: by the totals, by one dimension's day values, by a pair's day rows (where kept), or by the groups. */
type Shape = { kind: 'totals' } | { kind: 'values'; dimension: RollupDimension } | { kind: 'pair'; pair: PairName } | { kind: 'groups' };

/** The pending items a head does not hold, the listing that found them, and whether the head was still the latest after it. */
interface Check {
  latest: boolean;
  pending: PendingItem[];
  listing: PendingListing;
}

/** Reads that met a head replaced meanwhile start again; this many times at most. */
const ATTEMPTS = 10;

/**
 * Answers `aggregate` and `valueSums` from the tenant's latest head (see HeadChain): its compacted
 * documents for the months the range touches, plus every pending item the head does not hold (see
 * `consistently` for why each record counts once). One round trip when nothing changed: the pending
 * items, listed with the marks that say whether a head followed (see PendingItems.listedFor), beside
 * the documents (which this process mostly has in memory: see RollupDocs).
 *
 * A query of no dimension reads each month's totals (every bucket's sums); one of a single dimension
 * reads that dimension's day values for whole UTC days, and the groups of the buckets at the range's
 * edges (or, when the edge covers most of a day, the day's values minus the groups of the buckets
 * outside the range); two dimensions read the same way from the pair rollups of the days that keep
 * that pair (the groups of the days that do not); anything else (tags or tag sets, one dimension per
 * bucket, three dimensions) reads the groups of every bucket in the range.
 */
export class RollupReader {
  /** Per tenant: the check a read began in this turn of the event loop (see `checked`). */
  private readonly checks = new Map<string, { k: number; check: Promise<Check> }>();

  constructor(
    private readonly chain: HeadChain,
    private readonly docs: RollupDocs,
    private readonly pending: PendingItems,
  ) {}

  async aggregate(query: RollupQuery): Promise<RollupRow[]> {
    return (await this.aggregated(query)).rows;
  }

  /**
   * The sums, and whether they hold a batch this process rolled up (see RolledPart), whenever its roll
   * is answered. They hold every batch rolled before the pending items were listed (listed, or
   * compacted into a head no later than the one read, which was still the latest at the listing),
   * and none rolled after. A batch whose roll was answered before the listing was sent, or that the
   * listing found, or that the head read lists as included, was rolled before. Any other was either
   * rolled after, or compacted and then dropped from the included list by a later run before the
   * listing: that takes two heads after the one this process knew when it asked for the roll, so
   * with at most one, it was rolled after (not held); with more, null (cannot tell).
   */
  async aggregateHeld(query: RollupQuery): Promise<HeldRows> {
    const { rows, head, listing } = await this.aggregated(query);
    const holds = (written: WriteMark): boolean | null => {
      const part = (written as MongoWritten).get(query.tenant);
      // No batch of the tenant: none of its records to hold.
      if (!part) return true;
      if (part.rolledAtMs < listing.sentAtMs || listing.ids.has(part.id) || head.included.includes(part.id)) return true;
      return head.k <= part.headK + 1 ? false : null;
    };
    return { rows, holds };
  }

  private async aggregated(query: RollupQuery): Promise<{ rows: RollupRow[]; head: Head; listing: PendingListing }> {
    const {
      read: rows,
      pending,
      head,
      listing,
    } = await this.consistently(query.tenant, async (head) => {
      const rows = new RollupRowSums(query);
      return (await this.addCompacted(rows, query, head)) ? rows : null;
    });
    const inRange = (bucket: number) => bucket >= query.fromMs && bucket < query.toMs;
    if (keepsEveryGroup(query)) {
      for (const item of pending)
        for (const { bucket, row } of pendingRows(item, query.groupBy)) if (inRange(bucket)) rows.addRow({ ...row, key: { ...row.key } });
    } else {
      const keeps = groupKeeps(query);
      for (const item of pending) for (const g of item.groups) if (inRange(g.bucket) && keeps(groupRow(g).key)) sumGroup(rows, query, g, 1);
    }
    return { rows: rows.values().filter((r) => r.calls !== 0), head, listing };
  }

  /**
   * The breakdown's value rows of the head's value documents for the days of the range, plus those of
   * the pending items. A day some of whose records have no value rows (see BucketTotal.valuesRun) is
   * left out whole, for the caller to sum another way. With filters, see `filteredConversations`.
   */
  async valueSums(query: ValueRollupQuery): Promise<ValueSums> {
    if (isFiltered(query.filters))
      return query.by === CONVERSATION
        ? this.filteredConversations(query)
        : { values: [], more: false, uncovered: [{ fromMs: query.fromMs, toMs: query.toMs }] };
    const kind = valueKind(query.by);
    const { read, pending } = await this.consistently(query.tenant, (head) => this.valueDays(query, head, kind));
    const inRange = (bucket: number) => bucket >= query.fromMs && bucket < query.toMs;
    const uncovered = read.uncovered;
    for (const item of pending) if (item.values === null) for (const g of item.groups) if (inRange(g.bucket)) uncovered.add(dayOf(g.bucket));
    const byValue = new Map<string, Sums>();
    const addValue = (value: string, sums: Sums) => {
      const into = byValue.get(value);
      if (into) addSums(into, sums);
      else byValue.set(value, { ...sums });
    };
    const add = (rows: readonly SumsRow[]) => {
      for (const { key, sums } of rows) {
        const bucket = key[0] as number;
        if (key[1] !== query.by || !inRange(bucket) || uncovered.has(dayOf(bucket))) continue;
        addValue(key[2] as string, sums);
      }
    };
    for (const { day, rows } of read.days) {
      // A whole day in range from its sums per value, made once per document, where those are few.
      const whole = day >= query.fromMs && day + DAY_MS <= query.toMs && !uncovered.has(day) ? daySums(rows, query.by) : null;
      if (whole) for (const [value, sums] of whole) addValue(value, sums);
      else add(rows);
    }
    for (const item of pending) add(item.values ?? []);
    const values = [...byValue].filter(([, sums]) => sums.calls !== 0).map(([value, sums]) => ({ value, totals: totalsOf(sums) }));
    return { values: values.slice(0, query.maxValues), more: values.length > query.maxValues, uncovered: dayRanges(uncovered, query.fromMs, query.toMs) };
  }

  /**
   * A breakdown by conversation with filters: the conversations per group (see value-rows.ts) whose
   * group the filters keep, summed per conversation. The head's documents are folded one day at a
   * time, decoding only the rows that may match (so a long range holds one document's rows, not the
   * range's), then the pending items' rows; at most maxValues conversations (and one) are held.
   * The days whose conversations per group are not all known (written before them, by the head's
   * documents or a pending item) are left out whole, for the caller to sum from the records.
   */
  private async filteredConversations(query: ValueRollupQuery): Promise<ValueSums> {
    const inRange = (bucket: number) => bucket >= query.fromMs && bucket < query.toMs;
    const conversationOf = conversationKeeps(query);
    const mayMatch = conversationMayMatch(query);
    const keep: RowKeep = Object.assign((key: readonly KeyPart[]) => key[1] === CONVERSATION_GROUP && inRange(key[0] as number) && mayMatch(key), {
      columns: conversationColumns(query),
    });
    /** The days some pending items hold records of without their conversations per group. */
    const withoutGroups = (items: readonly PendingItem[]) => {
      const days = new Set<number>();
      for (const item of items) {
        if (item.values === null) for (const g of item.groups) if (inRange(g.bucket)) days.add(dayOf(g.bucket));
        if (item.values !== null) for (const day of daysWithoutConversationGroups(item.values.filter((row) => inRange(row.key[0] as number)))) days.add(day);
      }
      return days;
    };
    for (let attempt = 1; ; attempt++) {
      const { read, pending } = await this.consistently(query.tenant, async (head) => {
        const [days, items] = await Promise.all([this.dayRuns(query, head), this.pending.itemsNotIn(query.tenant, head)]);
        if (!days) return null;
        const uncovered = new Set([...days.uncovered, ...withoutGroups(items)]);
        const sums = new ValueSumsHeld(query.maxValues);
        const fold = (row: SumsRow) => sums.add(conversationOf(row), row.sums);
        const cache = days.runs.size <= 1;
        /** The parts of the days split by user the read needs (of a user filter, the part holding it), by collection: one query each. */
        const parts = new Map<string, DocRef[]>();
        for (const [day, run] of days.runs) {
          if (uncovered.has(day) || sums.more) continue;
          const written = days.conversationParts.get(day)!;
          // A day whose value documents were written before the conversations per group.
          if (written === NO_CONVERSATION_GROUPS) {
            uncovered.add(day);
            continue;
          }
          if (written !== null) {
            for (const ref of conversationPartRefs(query.tenant, day, run, written, query.filters?.user))
              parts.set(ref.collection, [...(parts.get(ref.collection) ?? []), ref]);
            continue;
          }
          // A day compacted before the parts: one document, or none when its value documents were written
          // before the conversations per group (the head checks tell one gone).
          const [ref] = conversationPartRefs(query.tenant, day, run, null);
          if (!(await this.docs.foldValueDay(ref, keep, cache, fold))) uncovered.add(day);
        }
        // A part the totals name is gone: a newer head replaced it (read again).
        if (!(await this.docs.foldDocs([...parts.values()], keep, fold, cache))) return null;
        return { sums, uncovered };
      });
      // A batch without conversations per group listed after the read: its days were summed from documents, so read again.
      const late = [...withoutGroups(pending)].filter((day) => !read.uncovered.has(day));
      if (late.length > 0) {
        if (attempt === ATTEMPTS) throw new Error(`the batches of tenant ${query.tenant} kept changing during ${ATTEMPTS} reads; try again`);
        continue;
      }
      const { sums, uncovered } = read;
      for (const item of pending)
        for (const row of item.values ?? []) if (keep(row.key) && !uncovered.has(dayOf(row.key[0] as number))) sums.add(conversationOf(row), row.sums);
      return { ...sums.answer(), uncovered: dayRanges(uncovered, query.fromMs, query.toMs) };
    }
  }

  /**
   * The run whose value documents hold each day of the range the head holds calls of, and the parts
   * it wrote the day's conversations per group in (see BucketTotal.conversationParts); the days no one
   * run's do (see BucketTotal.valuesRun); null when a document is gone.
   */
  private async dayRuns(
    query: ValueRollupQuery,
    head: Head,
  ): Promise<{ runs: Map<number, string>; conversationParts: Map<number, number | null>; uncovered: Set<number> } | null> {
    const months = Object.keys(head.months).filter((m) => monthStart(m) < query.toMs && nextMonthStart(m) > query.fromMs);
    const runsByDay = new Map<number, Set<string | null>>();
    const conversationParts = new Map<number, number | null>();
    for (const month of months) {
      const totals = await this.docs.totals(query.tenant, month, head.months[month]);
      if (!totals) return null;
      for (const [bucket, t] of totals) {
        if (bucket < query.fromMs || bucket >= query.toMs) continue;
        const day = dayOf(bucket);
        if (!runsByDay.has(day)) runsByDay.set(day, new Set());
        runsByDay.get(day)!.add(t.valuesRun);
        // The same in every bucket of a day that names one values run.
        conversationParts.set(day, t.conversationParts);
      }
    }
    const runs = new Map<number, string>();
    const uncovered = new Set<number>();
    for (const [day, dayRuns] of runsByDay) {
      const [run] = dayRuns;
      if (dayRuns.size > 1 || run === null) uncovered.add(day);
      else runs.set(day, run);
    }
    return { runs, conversationParts, uncovered };
  }

  /** The value documents of the range's days the head holds, and the days it holds records of without them; null when one is gone. */
  private async valueDays(
    query: ValueRollupQuery,
    head: Head,
    kind: ValueKind,
  ): Promise<{ days: { day: number; rows: SumsRow[] }[]; uncovered: Set<number> } | null> {
    const days = await this.dayRuns(query, head);
    if (!days) return null;
    const read = await Promise.all([...days.runs].map(async ([day, run]) => ({ day, rows: await this.docs.valueDay(query.tenant, day, kind, run) })));
    return read.every((d) => d.rows !== null) ? { days: read as { day: number; rows: SumsRow[] }[], uncovered: days.uncovered } : null;
  }
  /**
   * What `read` makes of the tenant's latest head (see HeadChain), and the pending items that head
   * does not hold. The head is one known before the pending items are read, and the listing tells
   * whether a run that published a later head deleted items it moved (the marks, see
   * PendingItems.listedFor; without marks, HeadChain.stillLatest once they are read): when none did,
   * every item moved into documents this read did not see is still listed, so each record counts
   * once. Otherwise (or when `read` met a document a newer head replaced: null) the
   * read starts again. The reads of a tenant that begin together (a breakdown's total and values)
   * share the pending items and the check (see `checked`).
   */
  private async consistently<T>(
    tenant: string,
    read: (head: Head) => Promise<T | null>,
  ): Promise<{ read: T; pending: PendingItem[]; head: Head; listing: PendingListing }> {
    // A head this process knew before the pending items are read (the one it saw last, else the latest).
    let head = this.chain.known(tenant) ?? (await this.chain.latest(tenant));
    for (let attempt = 1; ; attempt++) {
      const [{ latest, pending, listing }, result] = await Promise.all([this.checked(tenant, head), read(head)]);
      if (latest && result !== null) return { read: result, pending, head, listing };
      if (attempt === ATTEMPTS) throw new Error(`the rollups of tenant ${tenant} kept changing during ${ATTEMPTS} reads; try again`);
      head = await this.chain.latest(tenant);
    }
  }

  /**
   * The pending items `head` does not hold, and whether it was still the latest once they were read.
   * A read that asks for the same head in the same turn of the event loop as another (before either
   * has sent anything) shares its round trips: both began before the items were listed.
   */
  private checked(tenant: string, head: Head): Promise<Check> {
    const begun = this.checks.get(tenant);
    if (begun && begun.k === head.k) return begun.check;
    // The marks listed with the items tell whether a head followed (see PendingItems.listedFor); only without them is the chain read.
    const check = this.pending
      .listedFor(tenant, head)
      .then(async ({ items, latest, listing }) => ({ pending: items, listing, latest: latest ?? (await this.chain.stillLatest(tenant, head)) }));
    this.checks.set(tenant, { k: head.k, check });
    queueMicrotask(() => {
      if (this.checks.get(tenant)?.check === check) this.checks.delete(tenant);
    });
    return check;
  }

  /** Adds what the head's documents hold for the query; false when one of them is gone (a newer head replaced it). */
  private async addCompacted(rows: RollupRowSums, query: RollupQuery, head: Head): Promise<boolean> {
    const shape = shapeOf(query);
    const months = Object.keys(head.months).filter((m) => monthStart(m) < query.toMs && nextMonthStart(m) > query.fromMs);
    const done = await Promise.all(
      months.map((month) => {
        const from = Math.max(query.fromMs, monthStart(month));
        const to = Math.min(query.toMs, nextMonthStart(month));
        const runId = head.months[month];
        if (shape.kind === 'values') return this.addValues(rows, query, shape.dimension, month, runId, from, to);
        if (shape.kind === 'pair') return this.addPairs(rows, query, shape.pair, month, runId, from, to);
        return this.addBuckets(rows, query, shape, month, runId, from, to);
      }),
    );
    return done.every(Boolean);
  }

  /** From the month's totals, or from the groups of each of its buckets in range. */
  private async addBuckets(rows: RollupRowSums, query: RollupQuery, shape: Shape, month: string, runId: string, from: number, to: number): Promise<boolean> {
    const totals = await this.docs.totals(query.tenant, month, runId);
    if (!totals) return false;
    const inRange = [...totals].filter(([bucket]) => bucket >= from && bucket < to);
    if (shape.kind === 'totals') {
      if (query.groupBy.includes('bucket')) for (const [bucket, t] of inRange) rows.add({ bucket }, t.sums);
      else if (inRange.length > 0) {
        let sums = monthTotal(totals);
        if (inRange.length < totals.size) {
          sums = zeroSums();
          for (const [, t] of inRange) addSums(sums, t.sums);
        }
        rows.add({}, sums);
      }
      return true;
    }
    if (query.groupBy.includes('bucket')) return this.addGroups(rows, query, inRange, 1);
    return this.addDays(rows, query, [...totals], from, to);
  }

  /**
   * One dimension: whole UTC days from the month's sums per value, less the day values of the days
   * of the month outside the range that hold calls (or, when those are more than the days in range,
   * from the day values of the days in range); a day the range covers in part from the groups of
   * its buckets in range, or as a whole day less the groups of its buckets out of range, whichever
   * reads fewer buckets.
   */
  private async addValues(
    rows: RollupRowSums,
    query: RollupQuery,
    dimension: RollupDimension,
    month: string,
    runId: string,
    from: number,
    to: number,
  ): Promise<boolean> {
    const days = new Set<number>();
    const plus: [number, number][] = [];
    const minus: [number, number][] = [];
    for (let day = Math.floor(from / DAY_MS) * DAY_MS; day < to; day += DAY_MS) {
      const start = Math.max(from, day);
      const end = Math.min(to, day + DAY_MS);
      if (end - start === DAY_MS) days.add(day);
      else if (end - start <= DAY_MS / 2) plus.push([start, end]);
      else {
        days.add(day);
        minus.push([day, start], [end, day + DAY_MS]);
      }
    }
    const totals = await this.docs.totals(query.tenant, month, runId);
    if (!totals) return false;
    const outside = new Set([...totals.keys()].map(dayOf).filter((day) => !days.has(day)));
    const byMonth = days.size > 0 && outside.size < days.size;
    const [monthValues, dayValues] = await Promise.all([
      byMonth ? this.docs.monthValues(query.tenant, month, dimension, runId) : [],
      days.size > 0 && (!byMonth || outside.size > 0) ? this.docs.values(query.tenant, month, dimension, runId) : [],
    ]);
    if (!monthValues || !dayValues) return false;
    const wanted = query.filters[dimension];
    const byValue = new Map<KeyPart, Sums>();
    const add = (row: SumsRow, sign: 1 | -1) => {
      const value = row.key[row.key.length - 1];
      const into = byValue.get(value);
      if (into) addSums(into, row.sums, sign);
      else {
        const sums = zeroSums();
        addSums(sums, row.sums, sign);
        byValue.set(value, sums);
      }
    };
    const ofValue = (table: readonly SumsRow[]) => (wanted === undefined ? table : (rowsByValue(table).get(wanted) ?? []));
    if (byMonth) {
      for (const row of ofValue(monthValues)) add(row, 1);
      for (const row of ofValue(dayValues)) if (outside.has(row.key[0] as number)) add(row, -1);
    } else for (const row of ofValue(dayValues)) if (days.has(row.key[0] as number)) add(row, 1);
    const grouped = query.groupBy.includes(dimension);
    const netted = nettedRows(query);
    for (const [value, sums] of byValue) if (sums.calls !== 0) netted.add(grouped ? { [dimension]: value as string | null } : {}, sums);
    const within = (ranges: [number, number][]) => [...totals].filter(([bucket]) => ranges.some(([s, e]) => bucket >= s && bucket < e));
    const [added, taken] = await Promise.all([this.addGroups(rows, query, within(plus), 1), this.addGroups(netted, query, within(minus), -1)]);
    addNetted(rows, netted);
    return added && taken;
  }

  /**
   * Two dimensions: each day whose pair document holds the pair from that document, less the groups
   * of its buckets outside the range, or from the groups of its buckets in range when those are fewer
   * (or the day keeps no such pair).
   */
  private async addPairs(rows: RollupRowSums, query: RollupQuery, pair: PairName, month: string, runId: string, from: number, to: number): Promise<boolean> {
    const totals = await this.docs.totals(query.tenant, month, runId);
    if (!totals) return false;
    const byDay = bucketsByDay(totals, from, to);
    const plus: [number, BucketTotal][] = [];
    const minus: [number, BucketTotal][] = [];
    const unheld: [number, BucketTotal][] = [];
    const pairDays: Promise<SumsRow[] | null>[] = [];
    for (const [day, buckets] of byDay) {
      const inRange = buckets.filter(([bucket]) => bucket >= from && bucket < to);
      const outside = buckets.filter(([bucket]) => bucket < from || bucket >= to);
      const run = buckets[0][1].pairsRun;
      const held = run !== null && buckets[0][1].pairs.includes(pair);
      if (!held) unheld.push(...buckets);
      else if (inRange.length <= outside.length) plus.push(...inRange);
      else {
        pairDays.push(this.docs.pairDay(query.tenant, day, run));
        minus.push(...outside);
      }
    }
    const [a, b] = pairDimensions(pair);
    const wantedA = query.filters[a];
    const wantedB = query.filters[b];
    const netted = nettedRows(query);
    for (const dayRows of await Promise.all(pairDays)) {
      if (!dayRows) return false;
      for (const row of rowsOfPair(dayRows, pair)) {
        const [, valueA, valueB] = row.key as [string, string | null, string | null];
        if ((wantedA !== undefined && valueA !== wantedA) || (wantedB !== undefined && valueB !== wantedB)) continue;
        const key: RollupRow['key'] = {};
        if (query.groupBy.includes(a)) key[a] = valueA;
        if (query.groupBy.includes(b)) key[b] = valueB;
        netted.add(key, row.sums);
      }
    }
    const done = await Promise.all([
      this.addGroups(rows, query, plus, 1),
      this.addGroups(netted, query, minus, -1),
      this.addDays(rows, query, unheld, from, to),
    ]);
    addNetted(rows, netted);
    return done.every(Boolean);
  }

  /**
   * The groups of the buckets of `totals` in [from, to) the query keeps, by day: a day whose buckets
   * name one run of group days from those (see RollupDocs.eachGroupOfDays: one part of the day when
   * the query filters on a user or a feature), less the groups of its buckets outside the range, when those are
   * fewer than the buckets in range; else from the groups of its buckets in range.
   */
  private async addDays(rows: RollupRowSums, query: RollupQuery, totals: [number, BucketTotal][], from: number, to: number): Promise<boolean> {
    const byDay = bucketsByDay(totals, from, to);
    const plus: [number, BucketTotal][] = [];
    const minus: [number, BucketTotal][] = [];
    const days = new Map<number, { run: string; written: number; byFeature: number | null }>();
    for (const [day, buckets] of byDay) {
      const inRange = buckets.filter(([bucket]) => bucket >= from && bucket < to);
      const outside = buckets.filter(([bucket]) => bucket < from || bucket >= to);
      const runs = new Set(buckets.map(([, t]) => t.groupDaysRun));
      const [run] = runs;
      if (runs.size > 1 || run === null || inRange.length <= outside.length) plus.push(...inRange);
      else {
        days.set(day, { run, written: buckets[0][1].groupDayParts, byFeature: buckets[0][1].groupDayFeatureParts });
        minus.push(...outside);
      }
    }
    const keeps = groupKeeps(query);
    // Whole days less their buckets outside the range, netted before they count against maxRows.
    const netted = nettedRows(query);
    const done = await Promise.all([
      this.addGroups(rows, query, plus, 1),
      this.addGroups(netted, query, minus, -1),
      days.size === 0 || this.docs.eachGroupOfDays(query.tenant, days, query.filters, keeps, (g) => sumGroup(netted, query, g, 1)),
    ]);
    addNetted(rows, netted);
    return done.every(Boolean);
  }

  /** Folds the groups of the buckets the query keeps into the rows as they are read (see RollupDocs.eachGroup); false when one is gone. */
  private async addGroups(rows: RollupRowSums, query: RollupQuery, buckets: [number, BucketTotal][], sign: 1 | -1): Promise<boolean> {
    if (buckets.length === 0) return true;
    const keeps = groupKeeps(query);
    return this.docs.eachGroup(query.tenant, new Map(buckets.map(([bucket, t]) => [bucket, t.groupsRun])), keeps, (g) => sumGroup(rows, query, g, sign));
  }
}

/**
 * Rows of whole days (a month's or a day's values) before the buckets outside the range are taken
 * away: not bounded by the query's maxRows, since values met only outside the range net to nothing.
 * They hold no more rows than the documents they are read from, which are in memory already.
 */
const nettedRows = (query: RollupQuery) => new RollupRowSums({ groupBy: query.groupBy, byTagSet: query.byTagSet });

/** The buckets of the days that overlap [from, to), by day. */
function bucketsByDay(totals: Iterable<[number, BucketTotal]>, from: number, to: number): Map<number, [number, BucketTotal][]> {
  const byDay = new Map<number, [number, BucketTotal][]>();
  for (const entry of totals) {
    const day = dayOf(entry[0]);
    if (day + DAY_MS <= from || day >= to) continue;
    if (!byDay.has(day)) byDay.set(day, []);
    byDay.get(day)!.push(entry);
  }
  return byDay;
}

/** Adds the netted rows that hold calls in range to the query's rows, which count them against its maxRows. */
function addNetted(rows: RollupRowSums, netted: RollupRowSums): void {
  for (const row of netted.values()) if (row.calls !== 0) rows.addRow(row);
}

/** Days (UTC day starts) as ranges within [fromMs, toMs), adjacent days joined, in order. */
function dayRanges(days: ReadonlySet<number>, fromMs: number, toMs: number): { fromMs: number; toMs: number }[] {
  const ranges: { fromMs: number; toMs: number }[] = [];
  for (const day of [...days].sort((a, b) => a - b)) {
    const range = { fromMs: Math.max(fromMs, day), toMs: Math.min(toMs, day + DAY_MS) };
    const last = ranges.at(-1);
    if (last && last.toMs === range.fromMs) last.toMs = range.toMs;
    else ranges.push(range);
  }
  return ranges;
}

/** Per value day document (its rows: see RollupDocs.valueDay) and breakdown: the day's sums per value, or null where those are not few. */
const daySumsByDoc = new WeakMap<readonly SumsRow[], Map<string, Map<string, Sums> | null>>();

/**
 * The sums per value of `by` over a whole day of a value day document (rows keyed [bucket, by,
 * value]), made once per decoded document (its rows never change, see RollupDocs): a month by tag
 * key adds 30 days × its few values, not 30 days × 96 buckets × the values. Null when the values are
 * more than a quarter of the rows (conversations, each in a bucket or two): then the rows are summed
 * as they are, and nothing is kept beside them.
 */
function daySums(rows: readonly SumsRow[], by: string): Map<string, Sums> | null {
  let byBreakdown = daySumsByDoc.get(rows);
  if (!byBreakdown) daySumsByDoc.set(rows, (byBreakdown = new Map<string, Map<string, Sums> | null>()));
  let sums = byBreakdown.get(by);
  if (sums === undefined) {
    const byValue = new Map<string, Sums>();
    let count = 0;
    for (const { key, sums: rowSums } of rows) {
      if (key[1] !== by) continue;
      count++;
      const into = byValue.get(key[2] as string);
      if (into) addSums(into, rowSums);
      else byValue.set(key[2] as string, { ...rowSums });
    }
    byBreakdown.set(by, (sums = byValue.size * 4 <= count ? byValue : null));
  }
  return sums;
}

/** Each values document's rows by value, made once per decoded document (its rows never change, see RollupDocs). */
const valueIndexes = new WeakMap<readonly SumsRow[], Map<KeyPart, SumsRow[]>>();

/**
 * The rows of one value of a values document (its last key part): a single user's month reads its
 * 30 rows, not the 30 days × every user the document holds.
 */
function rowsByValue(values: readonly SumsRow[]): Map<KeyPart, SumsRow[]> {
  let index = valueIndexes.get(values);
  if (!index) {
    index = new Map();
    for (const row of values) {
      const value = row.key[row.key.length - 1];
      const rows = index.get(value);
      if (rows) rows.push(row);
      else index.set(value, [row]);
    }
    valueIndexes.set(values, index);
  }
  return index;
}

function shapeOf(query: RollupQuery): Shape {
  const dimensions = new Set<RollupDimension>(query.groupBy.filter((g): g is RollupDimension => g !== 'bucket'));
  for (const d of ROLLUP_DIMENSIONS) if (query.filters[d] !== undefined) dimensions.add(d);
  if (hasTagFilter(query.tags) || query.byTagSet || dimensions.size > 2 || (dimensions.size > 0 && query.groupBy.includes('bucket'))) return { kind: 'groups' };
  if (dimensions.size === 2) {
    const [a, b] = dimensions;
    return { kind: 'pair', pair: pairName(a, b) };
  }
  return dimensions.size === 0 ? { kind: 'totals' } : { kind: 'values', dimension: [...dimensions][0] };
}

/** A conversation-per-group row's conversation when the query's filters keep its group, else null. */
function conversationKeeps(query: ValueRollupQuery): (row: SumsRow) => string | null {
  const keeps = groupKeeps({ tenant: query.tenant, fromMs: query.fromMs, toMs: query.toMs, filters: query.filters ?? {}, groupBy: [] });
  return (row) => {
    const { conversation, group } = conversationGroupOf(row);
    return keeps(group) ? conversation : null;
  };
}

/**
 * Whether a conversation-per-group row's key may match the filters: keyed a column per dimension (see
 * CONVERSATION_COLUMNS), it holds each wanted value in its column; keyed as a batch's, its JSON holds
 * every wanted value, so a row that cannot match is dropped before it is parsed.
 */
function conversationMayMatch(query: ValueRollupQuery): (key: readonly KeyPart[]) => boolean {
  const wanted = conversationColumns(query);
  const needles = wanted.map(([, value]) => JSON.stringify(value));
  return (key) => (key.length === VALUE_PARTS ? needles.every((n) => (key[2] as string).includes(n)) : wanted.every(([part, value]) => key[part] === value));
}

/** The filters' values as the columns of conversation-per-group rows keyed a column per dimension (see RowKeep; a table keyed as a batch's has no such column). */
const conversationColumns = (query: ValueRollupQuery): [part: number, value: KeyPart][] =>
  ROLLUP_DIMENSIONS.flatMap((d) => (query.filters?.[d] === undefined ? [] : [[conversationColumn(d), query.filters[d]] as [number, KeyPart]]));

/** Sums per value, holding at most `max` values and one: past them, the answer is only that there are more. */
class ValueSumsHeld {
  private readonly byValue = new Map<string, Sums>();
  more = false;

  constructor(private readonly max: number) {}

  add(value: string | null, sums: Sums): void {
    if (value === null || this.more) return;
    const into = this.byValue.get(value);
    if (into) {
      addSums(into, sums);
      return;
    }
    this.byValue.set(value, { ...sums });
    if (this.byValue.size <= this.max + 1) return;
    // Values netted to no calls (a correction) are dropped before counting.
    for (const [v, s] of this.byValue) if (s.calls === 0) this.byValue.delete(v);
    this.more = this.byValue.size > this.max;
  }

  answer(): { values: ValueSums['values']; more: boolean } {
    const values = [...this.byValue].filter(([, sums]) => sums.calls !== 0).map(([value, sums]) => ({ value, totals: totalsOf(sums) }));
    return { values: values.slice(0, this.max), more: this.more || values.length > this.max };
  }
}

/** Tag sets whose match a groups read remembers; past this many it forgets them and starts again. */
const REMEMBERED_TAG_SETS = 10_000;

/**
 * Whether a group (its row key: see groupRow) matches the query's dimension filters and tags (and,
 * for a breakdown by tag set, has one), asked of each row as a groups document is decoded, so the
 * rows a filter drops are never made; its `columns` are the dimension filters, which a packed table
 * checks on its columns alone (see RowKeep).
 */
function groupKeeps(query: RollupQuery): RowKeep {
  const wanted = ROLLUP_DIMENSIONS.flatMap((d) => (query.filters[d] === undefined ? [] : [[1 + dimensionIndex(d), query.filters[d]] as const]));
  const tagFilter = hasTagFilter(query.tags);
  const tagged = tagFilter || query.byTagSet === true;
  const included = new Map<string, boolean>();
  const keep = (key: readonly KeyPart[]) => {
    for (const [part, value] of wanted) if (key[part] !== value) return false;
    if (!tagged) return true;
    const tags = key[GROUP_PARTS - 1] as string | null;
    if (tags === null) return false;
    if (!tagFilter) return true;
    let keep = included.get(tags);
    if (keep === undefined) {
      if (included.size >= REMEMBERED_TAG_SETS) included.clear();
      included.set(tags, (keep = tagSetIncludes(tags, query.tags)));
    }
    return keep;
  };
  return Object.assign(keep, { columns: wanted });
}

/** Adds a group the query keeps to the rows (or takes it away) under the key the query groups by. */
function sumGroup(rows: RollupRowSums, query: RollupQuery, g: Group, sign: 1 | -1): void {
  const key = groupKey(query.groupBy, g);
  if (query.byTagSet) key.tags = g.tags!;
  rows.add(key, g.sums, sign);
}

/** A group's key in rows grouped by `groupBy`. */
function groupKey(groupBy: RollupQuery['groupBy'], g: Group): RollupRow['key'] {
  const key: RollupRow['key'] = {};
  for (const part of groupBy) {
    if (part === 'bucket') key.bucket = g.bucket;
    else key[part] = g.dims[dimensionIndex(part)] ?? null;
  }
  return key;
}

/** Whether a query keeps every group (no filter, no tags, no breakdown by tag set): then a pending item is added from its rows per bucket (see pendingRows). */
const keepsEveryGroup = (query: RollupQuery) => !query.byTagSet && !hasTagFilter(query.tags) && ROLLUP_DIMENSIONS.every((d) => query.filters[d] === undefined);

/** A pending item's groups summed per bucket and groupBy key: a row and the bucket it is of. */
interface PendingRow {
  bucket: number;
  row: RollupRow;
}

/** Per pending item (its groups never change, see PendingItems): its rows per bucket, by groupBy (joined). */
const pendingRowsByItem = new WeakMap<PendingItem, Map<string, readonly PendingRow[]>>();

/**
 * A pending item's groups summed per bucket under the key `groupBy` makes (in the order the keys
 * first come), made once per item and groupBy: every report read under ingest adds the same pending
 * items, and a summary or a timeseries adds a row or two per item instead of each of its groups.
 * Taken before the query's range, which holds whole buckets.
 */
function pendingRows(item: PendingItem, groupBy: RollupQuery['groupBy']): readonly PendingRow[] {
  let byGrouping = pendingRowsByItem.get(item);
  if (!byGrouping) pendingRowsByItem.set(item, (byGrouping = new Map<string, readonly PendingRow[]>()));
  const grouping = groupBy.join();
  let rows = byGrouping.get(grouping);
  if (!rows) {
    const byKey = new Map<string, PendingRow>();
    for (const g of item.groups) {
      const key = groupKey(groupBy, g);
      const id = JSON.stringify([g.bucket, ...groupBy.map((part) => key[part as keyof RollupRow['key']])]);
      let row = byKey.get(id);
      if (!row) byKey.set(id, (row = { bucket: g.bucket, row: { key, ...zeroTotals() } }));
      addToTotals(row.row, g.sums);
    }
    byGrouping.set(grouping, (rows = [...byKey.values()]));
  }
  return rows;
}
