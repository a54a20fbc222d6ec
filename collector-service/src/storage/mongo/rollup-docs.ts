import type { Binary, Db } from 'mongodb';
import { addSums, type Sums } from '../rollup-measures';
import type { RollupDimension } from '../storage.port';
import { GROUP_PARTS, type Group, groupRow, rowGroup } from './groups';
import { type KeyPart, packRows, type SumsRow, unpackRows } from './sums-table';
import { heldPairs, heldText, PAIR_PARTS, type PairName } from './pair-days';
import { VALUE_PARTS, type ValueKind } from './value-rows';

/**
 * The compacted rollups: immutable documents, each written once by one compaction run (its `runId`
 * is part of the id) and found through the tenant's latest head (see HeadChain):
 * - totals, one per tenant and UTC month: every bucket's sums, and which run wrote that bucket's groups;
 * - values, one per tenant, UTC month and dimension: each UTC day's sums per value of the dimension;
 * - month values, one per tenant, UTC month and dimension: the month's sums per value, so a report
 *   over whole months sums one row per value, not one per value and day (a store written before
 *   them has none: its month values are summed from the day values, see RollupDocs.monthValues);
 * - groups, one per tenant and bucket: every group of the bucket (all dimensions and the tag set);
 * - value days, two per tenant and UTC day (conversations; tag values): the day's value rows per
 *   bucket (value-rows.ts), for the breakdowns by conversation and by tag key;
 * - pair days, one per tenant and UTC day while the tenant keeps pair rollups: the day's sums per
 *   pair of values of each kept pair of dimensions (pair-days.ts).
 * Collections are per month (totals, values, value days, pair days) and per UTC day (groups), so a read touches
 * only the period it asks for: FerretDB answers every query by reading its whole collection.
 */
export interface RollupDoc {
  _id: string;
  tenant: string;
  runId: string;
  rows: Binary;
}

/** Where a compacted document is. */
export interface DocRef {
  collection: string;
  id: string;
}

/** A bucket's total, the run whose groups document holds the bucket, and the run whose value documents hold its day. */
export interface BucketTotal {
  sums: Sums;
  groupsRun: string;
  /**
   * Null when no value documents hold the day: it holds records rolled before value rows existed
   * (totals written before, or a batch without them), so its value breakdowns are summed otherwise.
   */
  valuesRun: string | null;
  /** The run whose pair day document holds the bucket's day; null when none does (no pair was kept when the day was written). */
  pairsRun: string | null;
  /** The pairs that document holds. */
  pairs: PairName[];
}

export const DAY_MS = 86_400_000;

/** 'YYYY-MM' of the UTC month an instant is in. */
export const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);

export const monthStart = (month: string) => Date.parse(`${month}-01T00:00:00Z`);

export function nextMonthStart(month: string): number {
  const d = new Date(monthStart(month));
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export const dayOf = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

const suffix = (iso: string) => iso.replaceAll('-', '_');
export const totalsCollection = (month: string) => `rollup_totals_${suffix(month)}`;
export const valuesCollection = (month: string) => `rollup_values_${suffix(month)}`;
export const valueDaysCollection = (day: number) => `rollup_value_days_${suffix(monthOf(day))}`;
export const pairDaysCollection = (day: number) => `rollup_pair_days_${suffix(monthOf(day))}`;
export const groupsCollection = (bucket: number) => `rollup_groups_${suffix(new Date(bucket).toISOString().slice(0, 10))}`;

export const totalsRef = (tenant: string, month: string, runId: string): DocRef => ({
  collection: totalsCollection(month),
  id: JSON.stringify([tenant, runId]),
});
export const valuesRef = (tenant: string, month: string, dimension: RollupDimension, runId: string): DocRef => ({
  collection: valuesCollection(month),
  id: JSON.stringify([tenant, dimension, runId]),
});
export const monthValuesRef = (tenant: string, month: string, dimension: RollupDimension, runId: string): DocRef => ({
  collection: valuesCollection(month),
  id: JSON.stringify([tenant, dimension, runId, 'month']),
});
export const groupsRef = (tenant: string, bucket: number, runId: string): DocRef => ({
  collection: groupsCollection(bucket),
  id: JSON.stringify([tenant, bucket, runId]),
});

export const valueDayRef = (tenant: string, day: number, kind: ValueKind, runId: string): DocRef => ({
  collection: valueDaysCollection(day),
  id: JSON.stringify([tenant, day, kind, runId]),
});

export const pairDayRef = (tenant: string, day: number, runId: string): DocRef => ({
  collection: pairDaysCollection(day),
  id: JSON.stringify([tenant, day, runId]),
});

/** A compacted document to insert. */
export interface NewDoc {
  ref: DocRef;
  doc: RollupDoc;
}

export function totalsDoc(tenant: string, month: string, runId: string, buckets: Map<number, BucketTotal>): NewDoc {
  const ref = totalsRef(tenant, month, runId);
  const rows: SumsRow[] = [...buckets].map(([bucket, t]) => ({ key: [bucket, t.groupsRun, t.valuesRun, t.pairsRun, heldText(t.pairs)], sums: t.sums }));
  return { ref, doc: { _id: ref.id, tenant, runId, rows: packRows(rows, 5, () => `tenant ${tenant}, ${month}, a bucket's total`) } };
}

export function valuesDoc(tenant: string, month: string, dimension: RollupDimension, runId: string, rows: Iterable<SumsRow>): NewDoc {
  const ref = valuesRef(tenant, month, dimension, runId);
  return { ref, doc: { _id: ref.id, tenant, runId, rows: packRows([...rows], 2, () => `tenant ${tenant}, ${month}, a day's total per ${dimension}`) } };
}

/** The month's sums per value (rows keyed [value]) of a month's day values (rows keyed [day, value]). */
export function monthSumsOf(dayValues: Iterable<SumsRow>): SumsRow[] {
  const byValue = new Map<KeyPart, SumsRow>();
  for (const { key, sums } of dayValues) {
    const row = byValue.get(key[1]);
    if (row) addSums(row.sums, sums);
    else byValue.set(key[1], { key: [key[1]], sums: { ...sums } });
  }
  return [...byValue.values()].filter((row) => row.sums.calls !== 0);
}

export function monthValuesDoc(tenant: string, month: string, dimension: RollupDimension, runId: string, rows: readonly SumsRow[]): NewDoc {
  const ref = monthValuesRef(tenant, month, dimension, runId);
  return { ref, doc: { _id: ref.id, tenant, runId, rows: packRows(rows, 1, () => `tenant ${tenant}, ${month}, the month's total per ${dimension}`) } };
}

export function valueDayDoc(tenant: string, day: number, kind: ValueKind, runId: string, rows: readonly SumsRow[]): NewDoc {
  const ref = valueDayRef(tenant, day, kind, runId);
  const what = () => `tenant ${tenant}, ${new Date(day).toISOString().slice(0, 10)}, a ${kind} value`;
  return { ref, doc: { _id: ref.id, tenant, runId, rows: packRows(rows, VALUE_PARTS, what) } };
}

export function pairDayDoc(tenant: string, day: number, runId: string, rows: readonly SumsRow[]): NewDoc {
  const ref = pairDayRef(tenant, day, runId);
  const what = () => `tenant ${tenant}, ${new Date(day).toISOString().slice(0, 10)}, a pair's total`;
  return { ref, doc: { _id: ref.id, tenant, runId, rows: packRows(rows, PAIR_PARTS, what) } };
}

export function groupsDoc(tenant: string, bucket: number, runId: string, groups: Iterable<Group>): NewDoc {
  const ref = groupsRef(tenant, bucket, runId);
  const what = () => `tenant ${tenant}, bucket ${new Date(bucket).toISOString()}, a group`;
  return { ref, doc: { _id: ref.id, tenant, runId, rows: packRows([...groups].map(groupRow), GROUP_PARTS, what) } };
}

/** Rows of decoded documents kept at most (about 100 MB of rows): a month's day values of a dimension of 1,000 values are 30,000. */
const CACHED_ROWS = 400_000;

/** A groups read of at most this many buckets (a day's: a report's edges) keeps what it decodes; a longer one would flush the cache. */
const CACHED_GROUP_BUCKETS = 96;

/**
 * Collections a groups read reads at once. Each is a UTC day's, so one query answers at most 96
 * documents (a tenant's buckets of the day) in one round trip: what the read holds undecoded is at
 * most this many days' documents, whatever the range.
 */
const GROUP_READERS = 4;

/**
 * Reads compacted documents; null for one that is gone (a newer head replaced it and it was collected).
 * A compacted document never changes once written (a run writes new ones under its own id), so the
 * rows of one read before are answered from memory: no round trip, nothing to decode. Whether the
 * document is still current is the reader's business (the head checks), as for one just read. The
 * rows are shared: callers never change them.
 */
export class RollupDocs {
  /** Most recently used last. */
  private readonly decoded = new Map<string, SumsRow[]>();
  private cachedRows = 0;

  /** Group rows decoded and not yet folded by `eachGroup`, now and at most so far: what a groups read holds. */
  readonly groupReads = { held: 0, mostHeld: 0 };

  constructor(
    private readonly db: Db,
    private readonly maxCachedRows = CACHED_ROWS,
  ) {}

  async totals(tenant: string, month: string, runId: string): Promise<Map<number, BucketTotal> | null> {
    const rows = await this.rows(totalsRef(tenant, month, runId));
    return (
      rows &&
      new Map(
        rows.map((r) => [
          r.key[0] as number,
          {
            sums: r.sums,
            groupsRun: r.key[1] as string,
            // Totals written before value rows or pair rollups existed have fewer parts.
            valuesRun: (r.key[2] as string | undefined) ?? null,
            pairsRun: (r.key[3] as string | undefined) ?? null,
            pairs: heldPairs(r.key[4] as string | undefined),
          },
        ]),
      )
    );
  }

  /** A day's value rows of one kind: keyed [bucket, by, value]. */
  valueDay(tenant: string, day: number, kind: ValueKind, runId: string): Promise<SumsRow[] | null> {
    return this.rows(valueDayRef(tenant, day, kind, runId));
  }

  /** A day's sums per pair of values of the kept pairs: rows keyed [pair, value, value]. */
  pairDay(tenant: string, day: number, runId: string): Promise<SumsRow[] | null> {
    return this.rows(pairDayRef(tenant, day, runId));
  }

  /** Day sums per value: rows keyed [day, value]. */
  values(tenant: string, month: string, dimension: RollupDimension, runId: string): Promise<SumsRow[] | null> {
    return this.rows(valuesRef(tenant, month, dimension, runId));
  }

  /**
   * Month sums per value: rows keyed [value]. A month compacted before month values were written has
   * no such document: its day values (the same run's, so the same sums) are summed once and kept.
   */
  async monthValues(tenant: string, month: string, dimension: RollupDimension, runId: string): Promise<SumsRow[] | null> {
    const ref = monthValuesRef(tenant, month, dimension, runId);
    const stored = await this.rows(ref);
    if (stored) return stored;
    const days = await this.values(tenant, month, dimension, runId);
    return days && this.remember(ref, monthSumsOf(days));
  }

  /**
   * The groups of some buckets, each from the run the month's totals name. One query per UTC day
   * (so per collection), not one per bucket: FerretDB reads the whole collection for either.
   */
  async groups(tenant: string, buckets: ReadonlyMap<number, string>): Promise<Map<number, Group[]> | null> {
    const found = new Map<number, Group[]>();
    const byCollection = new Map<string, DocRef[]>();
    for (const [bucket, runId] of buckets) {
      const ref = groupsRef(tenant, bucket, runId);
      const known = this.cached(ref);
      if (known) found.set(bucket, known.map(rowGroup));
      else {
        if (!byCollection.has(ref.collection)) byCollection.set(ref.collection, []);
        byCollection.get(ref.collection)!.push(ref);
      }
    }
    await Promise.all(
      [...byCollection].map(async ([collection, refs]) => {
        const docs = await this.db
          .collection<RollupDoc>(collection)
          .find({ _id: refs.length === 1 ? refs[0].id : { $in: refs.map((r) => r.id) } })
          .toArray();
        for (const doc of docs)
          found.set((JSON.parse(doc._id) as unknown[])[1] as number, this.remember({ collection, id: doc._id }, unpackRows(doc.rows)).map(rowGroup));
      }),
    );
    return found.size === buckets.size ? found : null;
  }

  /**
   * Folds the groups of some buckets that `keep` keeps (a group row's key: see groupRow) into `fold`,
   * each from the run the month's totals name; false when one is gone (a newer head replaced it).
   * One document at a time: a few UTC days' collections are read at once (GROUP_READERS), and each
   * document's rows are decoded only where `keep` keeps them and folded before the next is decoded, so
   * what is held is a few days' documents and one document's rows, however many days the range holds.
   * A read of up to a day's buckets (a report's edges) keeps its documents decoded whole (see `rows`);
   * a longer one leaves the cache as it was, which it would otherwise flush.
   */
  async eachGroup(
    tenant: string,
    buckets: ReadonlyMap<number, string>,
    keep: (key: readonly KeyPart[]) => boolean,
    fold: (g: Group) => void,
  ): Promise<boolean> {
    const cache = buckets.size <= CACHED_GROUP_BUCKETS;
    const foldRows = (rows: readonly SumsRow[]) => {
      this.groupReads.held += rows.length;
      this.groupReads.mostHeld = Math.max(this.groupReads.mostHeld, this.groupReads.held);
      try {
        for (const row of rows) if (keep(row.key)) fold(rowGroup(row));
      } finally {
        this.groupReads.held -= rows.length;
      }
    };
    let found = 0;
    const byCollection = new Map<string, string[]>();
    for (const [bucket, runId] of buckets) {
      const ref = groupsRef(tenant, bucket, runId);
      const known = this.cached(ref);
      if (known) {
        found++;
        foldRows(known);
      } else {
        if (!byCollection.has(ref.collection)) byCollection.set(ref.collection, []);
        byCollection.get(ref.collection)!.push(ref.id);
      }
    }
    const collections = [...byCollection];
    let failed = false;
    const readCollections = async () => {
      for (let next = collections.shift(); next && !failed; next = collections.shift()) {
        const [collection, ids] = next;
        const cursor = this.db.collection<RollupDoc>(collection).find({ _id: ids.length === 1 ? ids[0] : { $in: ids } });
        for await (const doc of cursor) {
          if (failed) break;
          found++;
          foldRows(cache ? this.remember({ collection, id: doc._id }, unpackRows(doc.rows)) : unpackRows(doc.rows, keep));
        }
      }
    };
    // A fold that throws (an answer past its maxRows) stops the other readers too, and closes their cursors.
    const reading = (read: () => Promise<void>) =>
      read().catch((e: unknown) => {
        failed = true;
        throw e;
      });
    await Promise.all(Array.from({ length: Math.min(GROUP_READERS, collections.length) }, () => reading(readCollections)));
    return found === buckets.size;
  }

  private async rows(ref: DocRef): Promise<SumsRow[] | null> {
    const known = this.cached(ref);
    if (known) return known;
    const doc = await this.db.collection<RollupDoc>(ref.collection).findOne({ _id: ref.id });
    return doc ? this.remember(ref, unpackRows(doc.rows)) : null;
  }

  private cached(ref: DocRef): SumsRow[] | undefined {
    const key = cacheKey(ref);
    const rows = this.decoded.get(key);
    if (rows) {
      this.decoded.delete(key);
      this.decoded.set(key, rows);
    }
    return rows;
  }

  private remember(ref: DocRef, rows: SumsRow[]): SumsRow[] {
    if (rows.length > this.maxCachedRows) return rows;
    const key = cacheKey(ref);
    if (!this.decoded.has(key)) this.cachedRows += rows.length;
    this.decoded.set(key, rows);
    for (const [oldest, old] of this.decoded) {
      if (this.cachedRows <= this.maxCachedRows) break;
      this.decoded.delete(oldest);
      this.cachedRows -= old.length;
    }
    return rows;
  }
}

const cacheKey = (ref: DocRef) => `${ref.collection}\u0000${ref.id}`;
