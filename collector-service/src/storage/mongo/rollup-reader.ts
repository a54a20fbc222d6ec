import { RollupRowSums } from '../rollup-rows';
import { addSums, type Sums, totalsOf, zeroSums } from '../rollup-measures';
import { ROLLUP_DIMENSIONS, type RollupDimension, type RollupQuery, type RollupRow, type ValueRollupQuery, type ValueSums } from '../storage.port';
import { hasTagFilter, tagSetIncludes } from '../tag-sets';
import { dimensionIndex, GROUP_PARTS, type Group, groupRow } from './groups';
import type { Head, HeadChain } from './heads';
import type { PendingItem, PendingItems } from './pending';
import { type PairName, pairDimensions, pairName, rowsOfPair } from './pair-days';
import { type ValueKind, valueKind } from './value-rows';
import type { KeyPart, SumsRow } from './sums-table';
import { type BucketTotal, DAY_MS, dayOf, monthStart, nextMonthStart, type RollupDocs } from './rollup-docs';

/** How a query is answered from the compacted documents: by the totals, by one dimension's day values, by a pair's day rows (where kept), or by the groups. */
type Shape = { kind: 'totals' } | { kind: 'values'; dimension: RollupDimension } | { kind: 'pair'; pair: PairName } | { kind: 'groups' };

/** Reads that met a head replaced meanwhile start again; this many times at most. */
const ATTEMPTS = 10;

/**
 * Answers `aggregate` and `valueSums` from the tenant's latest head (see HeadChain): its compacted
 * documents for the months the range touches, plus every pending item the head does not hold (see
 * `consistently` for why each record counts once). Two round trips when nothing changed (the head
 * check, documents and pending items at once; the last check).
 *
 * A query of no dimension reads each month's totals (every bucket's sums); one of a single dimension
 * reads that dimension's day values for whole UTC days, and the groups of the buckets at the range's
 * edges (or, when the edge covers most of a day, the day's values minus the groups of the buckets
 * outside the range); two dimensions read the same way from the pair rollups of the days that keep
 * that pair (the groups of the days that do not); anything else (tags or tag sets, one dimension per
 * bucket, three dimensions) reads the groups of every bucket in the range.
 */
export class RollupReader {
  constructor(
    private readonly chain: HeadChain,
    private readonly docs: RollupDocs,
    private readonly pending: PendingItems,
  ) {}

  async aggregate(query: RollupQuery): Promise<RollupRow[]> {
    const { read: rows, pending } = await this.consistently(query.tenant, async (head) => {
      const rows = new RollupRowSums(query);
      return (await this.addCompacted(rows, query, head)) ? rows : null;
    });
    const keeps = groupKeeps(query);
    for (const item of pending)
      for (const g of item.groups) if (g.bucket >= query.fromMs && g.bucket < query.toMs && keeps(groupRow(g).key)) sumGroup(rows, query, g, 1);
    return rows.values().filter((r) => r.calls !== 0);
  }

  /**
   * The breakdown's value rows of the head's value documents for the days of the range, plus those of
   * the pending items. A day some of whose records have no value rows (see BucketTotal.valuesRun) is
   * left out whole, for the caller to sum another way.
   */
  async valueSums(query: ValueRollupQuery): Promise<ValueSums> {
    const kind = valueKind(query.by);
    const { read, pending } = await this.consistently(query.tenant, (head) => this.valueDays(query, head, kind));
    const inRange = (bucket: number) => bucket >= query.fromMs && bucket < query.toMs;
    const uncovered = read.uncovered;
    for (const item of pending) if (item.values === null) for (const g of item.groups) if (inRange(g.bucket)) uncovered.add(dayOf(g.bucket));
    const byValue = new Map<string, Sums>();
    const add = (rows: readonly SumsRow[]) => {
      for (const { key, sums } of rows) {
        const bucket = key[0] as number;
        if (key[1] !== query.by || !inRange(bucket) || uncovered.has(dayOf(bucket))) continue;
        const into = byValue.get(key[2] as string);
        if (into) addSums(into, sums);
        else byValue.set(key[2] as string, { ...sums });
      }
    };
    for (const rows of read.rows) add(rows);
    for (const item of pending) add(item.values ?? []);
    const values = [...byValue].filter(([, sums]) => sums.calls !== 0).map(([value, sums]) => ({ value, totals: totalsOf(sums) }));
    return { values: values.slice(0, query.maxValues), more: values.length > query.maxValues, uncovered: dayRanges(uncovered, query.fromMs, query.toMs) };
  }

  /** The value documents of the range's days the head holds, and the days it holds records of without them; null when one is gone. */
  private async valueDays(query: ValueRollupQuery, head: Head, kind: ValueKind): Promise<{ rows: SumsRow[][]; uncovered: Set<number> } | null> {
    const months = Object.keys(head.months).filter((m) => monthStart(m) < query.toMs && nextMonthStart(m) > query.fromMs);
    const runsByDay = new Map<number, Set<string | null>>();
    for (const month of months) {
      const totals = await this.docs.totals(query.tenant, month, head.months[month]);
      if (!totals) return null;
      for (const [bucket, t] of totals) {
        if (bucket < query.fromMs || bucket >= query.toMs) continue;
        const day = dayOf(bucket);
        if (!runsByDay.has(day)) runsByDay.set(day, new Set());
        runsByDay.get(day)!.add(t.valuesRun);
      }
    }
    const uncovered = new Set<number>();
    const reads: Promise<SumsRow[] | null>[] = [];
    for (const [day, runs] of runsByDay) {
      const [run] = runs;
      if (runs.size > 1 || run === null) uncovered.add(day);
      else reads.push(this.docs.valueDay(query.tenant, day, kind, run));
    }
    const rows = await Promise.all(reads);
    return rows.every((r) => r !== null) ? { rows: rows, uncovered } : null;
  }

  /**
   * What `read` makes of the tenant's latest head (see HeadChain), and the pending items that head
   * does not hold. The head is one known before the pending items are read, it is checked to be the
   * latest while they are read, and checked again after: when no run published a head in between, no
   * item moved from pending into documents this read did not see, so each record counts once.
   * Otherwise (or when `read` met a document a newer head replaced: null) the read starts again.
   */
  private async consistently<T>(tenant: string, read: (head: Head) => Promise<T | null>): Promise<{ read: T; pending: PendingItem[] }> {
    // A head this process knew before the pending items are read (the one it saw last, else the latest).
    let head = this.chain.known(tenant) ?? (await this.chain.latest(tenant));
    for (let attempt = 1; ; attempt++) {
      const [latest, result, pending] = await Promise.all([this.chain.stillLatest(tenant, head), read(head), this.pending.itemsNotIn(tenant, head)]);
      if (latest && result !== null && (await this.chain.isLatest(tenant, head))) return { read: result, pending };
      if (attempt === ATTEMPTS) throw new Error(`the rollups of tenant ${tenant} kept changing during ${ATTEMPTS} reads; try again`);
      head = await this.chain.latest(tenant);
    }
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
      const byBucket = query.groupBy.includes('bucket');
      for (const [bucket, t] of inRange) rows.add(byBucket ? { bucket } : {}, t.sums);
      return true;
    }
    return this.addGroups(rows, query, inRange, 1);
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
    for (const [value, sums] of byValue) rows.add(grouped ? { [dimension]: value as string | null } : {}, sums);
    const within = (ranges: [number, number][]) => [...totals].filter(([bucket]) => ranges.some(([s, e]) => bucket >= s && bucket < e));
    const [added, taken] = await Promise.all([this.addGroups(rows, query, within(plus), 1), this.addGroups(rows, query, within(minus), -1)]);
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
    const byDay = new Map<number, [number, BucketTotal][]>();
    for (const entry of totals) {
      const day = dayOf(entry[0]);
      if (day + DAY_MS <= from || day >= to) continue;
      if (!byDay.has(day)) byDay.set(day, []);
      byDay.get(day)!.push(entry);
    }
    const plus: [number, BucketTotal][] = [];
    const minus: [number, BucketTotal][] = [];
    const pairDays: Promise<SumsRow[] | null>[] = [];
    for (const [day, buckets] of byDay) {
      const inRange = buckets.filter(([bucket]) => bucket >= from && bucket < to);
      const outside = buckets.filter(([bucket]) => bucket < from || bucket >= to);
      const run = buckets[0][1].pairsRun;
      const held = run !== null && buckets[0][1].pairs.includes(pair);
      if (!held || inRange.length <= outside.length) plus.push(...inRange);
      else {
        pairDays.push(this.docs.pairDay(query.tenant, day, run));
        minus.push(...outside);
      }
    }
    const [a, b] = pairDimensions(pair);
    const wantedA = query.filters[a];
    const wantedB = query.filters[b];
    for (const dayRows of await Promise.all(pairDays)) {
      if (!dayRows) return false;
      for (const row of rowsOfPair(dayRows, pair)) {
        const [, valueA, valueB] = row.key as [string, string | null, string | null];
        if ((wantedA !== undefined && valueA !== wantedA) || (wantedB !== undefined && valueB !== wantedB)) continue;
        const key: RollupRow['key'] = {};
        if (query.groupBy.includes(a)) key[a] = valueA;
        if (query.groupBy.includes(b)) key[b] = valueB;
        rows.add(key, row.sums);
      }
    }
    const [added, taken] = await Promise.all([this.addGroups(rows, query, plus, 1), this.addGroups(rows, query, minus, -1)]);
    return added && taken;
  }

  /** Folds the groups of the buckets the query keeps into the rows as they are read (see RollupDocs.eachGroup); false when one is gone. */
  private async addGroups(rows: RollupRowSums, query: RollupQuery, buckets: [number, BucketTotal][], sign: 1 | -1): Promise<boolean> {
    if (buckets.length === 0) return true;
    const keeps = groupKeeps(query);
    return this.docs.eachGroup(query.tenant, new Map(buckets.map(([bucket, t]) => [bucket, t.groupsRun])), keeps, (g) => sumGroup(rows, query, g, sign));
  }
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

/** Tag sets whose match a groups read remembers; past this many it forgets them and starts again. */
const REMEMBERED_TAG_SETS = 10_000;

/**
 * Whether a group (its row key: see groupRow) matches the query's dimension filters and tags (and,
 * for a breakdown by tag set, has one), asked of each row as a groups document is decoded, so the
 * rows a filter drops are never made.
 */
function groupKeeps(query: RollupQuery): (key: readonly KeyPart[]) => boolean {
  const wanted = ROLLUP_DIMENSIONS.flatMap((d) => (query.filters[d] === undefined ? [] : [[1 + dimensionIndex(d), query.filters[d]] as const]));
  const tagFilter = hasTagFilter(query.tags);
  const tagged = tagFilter || query.byTagSet === true;
  const included = new Map<string, boolean>();
  return (key) => {
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
}

/** Adds a group the query keeps to the rows (or takes it away) under the key the query groups by. */
function sumGroup(rows: RollupRowSums, query: RollupQuery, g: Group, sign: 1 | -1): void {
  const key: RollupRow['key'] = {};
  if (query.byTagSet) key.tags = g.tags!;
  for (const part of query.groupBy) {
    if (part === 'bucket') key.bucket = g.bucket;
    else key[part] = g.dims[dimensionIndex(part)] ?? null;
  }
  rows.add(key, g.sums, sign);
}
