import type { Binary, Db } from 'mongodb';
import { addSums, type Sums, zeroSums } from '../rollup-measures';
import type { RollupDimension } from '../storage.port';
import { GROUP_DAY_PARTS, GROUP_PARTS, type Group, groupRow, rowFeaturePart, rowGroup, rowUserPart, valuePart } from './groups';
import { eachRow, type KeyPart, packRows, type RowKeep, type SumsRow, unpackRows } from './sums-table';
import { heldPairs, heldText, PAIR_PARTS, type PairName } from './pair-days';
import { CONVERSATION_COLUMNS, conversationColumnRow, conversationRowUserPart, conversationValueRow, VALUE_PARTS, type ValueKind } from './value-rows';

/**
 * The compacted rollups: immutable documents, each written once by one compaction run (its `runId`
 * is part of the id) and found through the tenant's latest head (see HeadChain):
 * - totals, one per tenant and UTC month: every bucket's sums, and which run wrote that bucket's groups;
 * - values, one per tenant, UTC month and dimension: each UTC day's sums per value of the dimension;
 * - month values, one per tenant, UTC month and dimension: the month's sums per value, so a report
 *   over whole months sums one row per value, not one per value and day (a store written before
 *   them has none: its month values are summed from the day values, see RollupDocs.monthValues);
 * - groups, one per tenant and bucket: every group of the bucket (all dimensions and the tag set);
 * - group days, GROUP_DAY_PARTS per tenant and UTC day: the day's groups (its buckets' merged, keyed
 *   as a bucket's with the day for bucket), split by a hash of the user, so a filtered or tagged
 *   breakdown over whole days reads a document per day (one part of it for one user), not 96;
 * - group feature days, GROUP_DAY_PARTS per tenant and UTC day: the same groups split by a hash of
 *   the feature, so a read filtered on a feature and no user reads one part of each day, not all;
 * - value days, per tenant and UTC day: the day's value rows per bucket (value-rows.ts), for the
 *   breakdowns by conversation and by tag key, one document each (conversations; tag values), and the
 *   conversations per group, for those breakdowns with filters, in GROUP_DAY_PARTS parts split by
 *   user as group days are (a day compacted before they were split: one document);
 * - pair days, one per tenant and UTC day while the tenant keeps pair rollups: the day's sums per
 *   pair of values of each kept pair of dimensions (pair-days.ts).
 * Collections are per month (totals, values, value days, pair days) and per UTC day (groups, group days,
 * group feature days, the parts of conversations per group), so a read touches
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
  /** The run whose group day documents hold the bucket's day; null when none do (a day compacted before them). */
  groupDaysRun: string | null;
  /** Which parts of the day that run wrote (bit `part`): one without groups has no document. */
  groupDayParts: number;
  /**
   * Whether that run packed them as dictionary columns (see packRows), which a filtered read decodes
   * only where the filter keeps a row; false for a day written before (JSON columns, read whole).
   */
  groupDaysColumns: boolean;
  /**
   * Which parts of the day's groups split by feature (see groupFeatureDayDocs) that run wrote (bit
   * `part`); null when it wrote none (a day written before them: a read of a feature reads the parts
   * split by user).
   */
  groupDayFeatureParts: number | null;
  /**
   * Which parts of the day's conversations per group the values run wrote (bit `part`, split by user
   * as group days are, see conversationPartRefs); NO_CONVERSATION_GROUPS when it wrote none (see
   * CompactedMonth's ValueDay.grouped); null when the day was compacted before they were split (one
   * document, or none: see Compactor.addConversationParts).
   */
  conversationParts: number | null;
  /**
   * Whether those parts key their rows a column per dimension (see CONVERSATION_COLUMNS), which a
   * filtered read decodes only where the filter keeps a row; false for a day written before (the
   * group as one JSON column, every row made and parsed).
   */
  conversationColumns: boolean;
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
export const conversationDaysCollection = (day: number) => `rollup_conversation_days_${suffix(new Date(day).toISOString().slice(0, 10))}`;
export const groupDaysCollection = (day: number) => `rollup_group_days_${suffix(new Date(day).toISOString().slice(0, 10))}`;
export const groupFeatureDaysCollection = (day: number) => `rollup_group_feature_days_${suffix(new Date(day).toISOString().slice(0, 10))}`;
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

export const groupDayRef = (tenant: string, day: number, part: number, runId: string): DocRef => ({
  collection: groupDaysCollection(day),
  id: JSON.stringify([tenant, day, part, runId]),
});

/**
 * The parts of a day (see valuePart) a read needs, of those `written` (a mask: bit `part`): the part
 * of `value` when it filters on a value of the dimension the parts are split by, else all.
 */
function partsRead(written: number, value?: string | null): number[] {
  const parts = value === undefined ? Array.from({ length: GROUP_DAY_PARTS }, (_, part) => part) : [valuePart(value)];
  return parts.filter((part) => (written >>> part) & 1);
}

/** The refs of the documents of a day's groups a read needs, of the parts `written` (see partsRead). */
export const groupDayRefs = (tenant: string, day: number, runId: string, written: number, user?: string | null): DocRef[] =>
  partsRead(written, user).map((part) => groupDayRef(tenant, day, part, runId));

export const groupFeatureDayRef = (tenant: string, day: number, part: number, runId: string): DocRef => ({
  collection: groupFeatureDaysCollection(day),
  id: JSON.stringify([tenant, day, part, runId]),
});

/** The refs of the documents of a day's groups split by feature a read of `feature` needs (see partsRead), of the parts `written`. */
export const groupFeatureDayRefs = (tenant: string, day: number, runId: string, written: number, feature?: string | null): DocRef[] =>
  partsRead(written, feature).map((part) => groupFeatureDayRef(tenant, day, part, runId));

/** Every part of a day's groups, written or not (what a run replacing them deletes). */
export const ALL_GROUP_DAY_PARTS = 2 ** GROUP_DAY_PARTS - 1;

export const valueDayRef = (tenant: string, day: number, kind: ValueKind, runId: string): DocRef => ({
  collection: valueDaysCollection(day),
  id: JSON.stringify([tenant, day, kind, runId]),
});

/**
 * A part of a day's conversations per group (see conversationPartRefs), in a collection of the day as
 * group days are: a read of a day's parts is one query of the day's few documents (FerretDB reads the
 * whole collection for a query other than one `_id`).
 */
export const conversationPartRef = (tenant: string, day: number, part: number, runId: string): DocRef => ({
  collection: conversationDaysCollection(day),
  id: JSON.stringify([tenant, day, 'conversation groups', runId, part]),
});

/** BucketTotal.conversationParts of a day whose values run wrote no conversations per group. */
export const NO_CONVERSATION_GROUPS = -1;

/**
 * Whether a bucket's day has conversations per group compaction is to write again (see
 * Compactor.addConversationParts): one document, not parts, or parts without a column per dimension.
 */
export const conversationsUnsplit = (t: BucketTotal): boolean =>
  t.valuesRun !== null && (t.conversationParts === null || (t.conversationParts !== NO_CONVERSATION_GROUPS && !t.conversationColumns));

/**
 * The refs of the documents of a day's conversations per group a read needs: with `written` a mask
 * (see BucketTotal.conversationParts) those of its parts a read of `user` needs (see partsRead); with
 * null, the one document a day compacted before they were split holds them in (if any).
 */
export function conversationPartRefs(tenant: string, day: number, runId: string, written: number | null, user?: string | null): DocRef[] {
  if (written === null) return [valueDayRef(tenant, day, 'conversation groups', runId)];
  if (written === NO_CONVERSATION_GROUPS) return [];
  return partsRead(written, user).map((part) => conversationPartRef(tenant, day, part, runId));
}

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
  const rows: SumsRow[] = [...buckets].map(([bucket, t]) => ({
    key: [
      bucket,
      t.groupsRun,
      t.valuesRun,
      t.pairsRun,
      heldText(t.pairs),
      t.groupDaysRun,
      t.groupDayParts,
      t.conversationParts,
      t.groupDaysColumns ? 1 : 0,
      t.groupDayFeatureParts,
      t.conversationColumns ? 1 : 0,
    ],
    sums: t.sums,
  }));
  return { ref, doc: { _id: ref.id, tenant, runId, rows: packRows(rows, 11, () => `tenant ${tenant}, ${month}, a bucket's total`) } };
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

/** Rows as documents of GROUP_DAY_PARTS parts, by the part `partOf` says (see valuePart), none for a part without rows; and which parts it wrote. */
function partDocs(
  tenant: string,
  runId: string,
  rows: Iterable<SumsRow>,
  partOf: (key: readonly KeyPart[]) => number,
  ref: (part: number) => DocRef,
  keyParts: number,
  what: () => string,
): { docs: NewDoc[]; written: number } {
  const parts: SumsRow[][] = Array.from({ length: GROUP_DAY_PARTS }, () => []);
  for (const row of rows) parts[partOf(row.key)].push(row);
  const docs: NewDoc[] = [];
  let written = 0;
  parts.forEach((partRows, part) => {
    if (partRows.length === 0) return;
    const { collection, id } = ref(part);
    docs.push({ ref: { collection, id }, doc: { _id: id, tenant, runId, rows: packRows(partRows, keyParts, what) } });
    written = (written | (1 << part)) >>> 0;
  });
  return { docs, written };
}

/** A day's groups (rows keyed as groupRow, the day for bucket) as documents of parts, each the rows of its users (see valuePart); and which parts it wrote. */
export const groupDayDocs = (tenant: string, day: number, runId: string, rows: Iterable<SumsRow>): { docs: NewDoc[]; written: number } =>
  partDocs(
    tenant,
    runId,
    rows,
    rowUserPart,
    (part) => groupDayRef(tenant, day, part, runId),
    GROUP_PARTS,
    () => `tenant ${tenant}, ${new Date(day).toISOString().slice(0, 10)}, a group`,
  );

/** A day's groups as groupDayDocs makes them, split by feature instead of user (see rowFeaturePart); and which parts it wrote. */
export const groupFeatureDayDocs = (tenant: string, day: number, runId: string, rows: Iterable<SumsRow>): { docs: NewDoc[]; written: number } =>
  partDocs(
    tenant,
    runId,
    rows,
    rowFeaturePart,
    (part) => groupFeatureDayRef(tenant, day, part, runId),
    GROUP_PARTS,
    () => `tenant ${tenant}, ${new Date(day).toISOString().slice(0, 10)}, a group`,
  );

/**
 * A day's conversations per group (value rows, see value-rows.ts) as documents of parts, each the rows
 * of its users, keyed a column per dimension (see CONVERSATION_COLUMNS); and which parts it wrote.
 */
export const conversationPartDocs = (tenant: string, day: number, runId: string, rows: Iterable<SumsRow>): { docs: NewDoc[]; written: number } =>
  partDocs(
    tenant,
    runId,
    [...rows].map(conversationColumnRow),
    conversationRowUserPart,
    (part) => conversationPartRef(tenant, day, part, runId),
    CONVERSATION_COLUMNS,
    () => `tenant ${tenant}, ${new Date(day).toISOString().slice(0, 10)}, a conversation groups value`,
  );

export function groupsDoc(tenant: string, bucket: number, runId: string, groups: Iterable<Group>): NewDoc {
  const ref = groupsRef(tenant, bucket, runId);
  const what = () => `tenant ${tenant}, bucket ${new Date(bucket).toISOString()}, a group`;
  return { ref, doc: { _id: ref.id, tenant, runId, rows: packRows([...groups].map(groupRow), GROUP_PARTS, what) } };
}

/**
 * Rows of decoded documents kept at most by default (about 100 MB of rows; TOKENLEDGER_MONGO_CACHED_ROWS):
 * a month's day values of a dimension of 1,000 values are 30,000.
 */
export const CACHED_ROWS = 400_000;

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

  /** Every bucket's total of a month, made once per decoded document (see monthTotal); shared: callers never change it. */
  async totals(tenant: string, month: string, runId: string): Promise<ReadonlyMap<number, BucketTotal> | null> {
    const rows = await this.rows(totalsRef(tenant, month, runId));
    return rows && totalsOf(rows);
  }

  /** A day's value rows of one kind: keyed [bucket, by, value]. */
  valueDay(tenant: string, day: number, kind: ValueKind, runId: string): Promise<SumsRow[] | null> {
    return this.rows(valueDayRef(tenant, day, kind, runId));
  }

  /**
   * Folds the rows `keep` keeps of a day's value document (one kind, or a part of the conversations
   * per group: see conversationPartRefs) into `fold`; false when there is none. Decoded only where `keep` keeps a row and not kept after, so a read of many days holds
   * one document's rows at a time; with `cache` (a read of a day or less: a report's edges) the
   * document is kept decoded whole, as `valueDay` keeps it, and read from memory the next time.
   */
  async foldValueDay(ref: DocRef, keep: RowKeep, cache: boolean, fold: (row: SumsRow) => void): Promise<boolean> {
    const known = this.cached(ref) ?? (cache ? await this.rows(ref) : null);
    if (known) {
      for (const row of known) if (keep(row.key)) fold(row);
      return true;
    }
    if (cache) return false;
    const doc = await this.db.collection<RollupDoc>(ref.collection).findOne({ _id: ref.id });
    if (!doc) return false;
    for (const row of unpackRows(doc.rows, keep)) fold(row);
    return true;
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
   * document's rows are decoded only where `keep` keeps them, each folded as it is made, so what is
   * held is a few days' documents undecoded and one document's columns, however many days the range holds.
   * A read of up to a day's buckets (a report's edges) keeps its documents decoded whole (see `rows`);
   * a longer one leaves the cache as it was, which it would otherwise flush.
   */
  eachGroup(tenant: string, buckets: ReadonlyMap<number, string>, keep: RowKeep, fold: (g: Group) => void): Promise<boolean> {
    const byDay = new Map<number, DocRef[]>();
    for (const [bucket, runId] of buckets) {
      const day = Math.floor(bucket / DAY_MS) * DAY_MS;
      if (!byDay.has(day)) byDay.set(day, []);
      byDay.get(day)!.push(groupsRef(tenant, bucket, runId));
    }
    return this.foldGroups([...byDay.values()], keep, fold, buckets.size <= CACHED_GROUP_BUCKETS);
  }

  /**
   * Folds the groups of some whole days (each from the run its buckets' totals name, see
   * BucketTotal.groupDaysRun) that `keep` keeps into `fold`, as `eachGroup` does: only the part of
   * each day holding `filters.user` when the read filters on a user (see groupDayRefs), else the part
   * of the day split by feature holding `filters.feature` when it filters on a feature and the day
   * has those (see groupFeatureDayRefs), else every part. A group's bucket is its day. False when one
   * is gone.
   */
  eachGroupOfDays(
    tenant: string,
    days: ReadonlyMap<number, { run: string; written: number; byFeature: number | null }>,
    filters: { user?: string | null; feature?: string | null },
    keep: RowKeep,
    fold: (g: Group) => void,
  ): Promise<boolean> {
    const refs = (day: number, { run, written, byFeature }: { run: string; written: number; byFeature: number | null }) =>
      filters.user === undefined && filters.feature !== undefined && byFeature !== null
        ? groupFeatureDayRefs(tenant, day, run, byFeature, filters.feature)
        : groupDayRefs(tenant, day, run, written, filters.user);
    return this.foldGroups(
      [...days].map(([day, parts]) => refs(day, parts)).filter((refs) => refs.length > 0),
      keep,
      fold,
      false,
    );
  }

  /** A day's groups, every part written (what a compaction run rewrites): rows keyed as groupRow, the day for bucket; null when one is gone. */
  groupDay(tenant: string, day: number, runId: string, written: number): Promise<SumsRow[] | null> {
    return this.rowsOf(groupDayRefs(tenant, day, runId, written));
  }

  /**
   * A day's conversations per group, every part written (see BucketTotal.conversationParts: null for
   * one document, as a day compacted before they were split holds them): value rows, keyed as a batch's
   * are whichever layout they were packed in; null when one is gone, or the day has none (its value
   * documents were written before them).
   */
  async conversationGroups(tenant: string, day: number, runId: string, written: number | null): Promise<SumsRow[] | null> {
    return (await this.rowsOf(conversationPartRefs(tenant, day, runId, written)))?.map(conversationValueRow) ?? null;
  }

  /**
   * The rows of some documents, one query per collection for those not in memory (FerretDB reads the
   * whole collection for each query: a day's parts are one read, not one each); null when one is gone.
   */
  private async rowsOf(refs: readonly DocRef[]): Promise<SumsRow[] | null> {
    const found = new Map<string, SumsRow[]>();
    const toRead = new Map<string, string[]>();
    for (const ref of refs) {
      const known = this.cached(ref);
      if (known) found.set(cacheKey(ref), known);
      else toRead.set(ref.collection, [...(toRead.get(ref.collection) ?? []), ref.id]);
    }
    await Promise.all(
      [...toRead].map(async ([collection, ids]) => {
        const docs = await this.db
          .collection<RollupDoc>(collection)
          .find({ _id: ids.length === 1 ? ids[0] : { $in: ids } })
          .toArray();
        for (const doc of docs) found.set(cacheKey({ collection, id: doc._id }), this.remember({ collection, id: doc._id }, unpackRows(doc.rows)));
      }),
    );
    const rows = refs.map((ref) => found.get(cacheKey(ref)));
    return rows.some((r) => r === undefined) ? null : rows.flatMap((r) => r!);
  }

  /** Folds the group rows of some documents (see foldDocs), counted in groupReads. */
  private foldGroups(lists: readonly DocRef[][], keep: RowKeep, fold: (g: Group) => void, cache: boolean): Promise<boolean> {
    return this.foldDocs(lists, keep, (row) => fold(rowGroup(row)), cache, this.groupReads);
  }

  /**
   * Folds the rows `keep` keeps of some documents (each list of one collection) into `fold`, as
   * `eachGroup` does (a list per query, a few at once, each document decoded only where `keep` keeps a
   * row); false when one is gone. For the conversations per group of days split in parts (see
   * conversationPartRefs): the parts of a month's days are one query of its collection.
   */
  async foldDocs(lists: readonly DocRef[][], keep: RowKeep, fold: (row: SumsRow) => void, cache: boolean, reads = { held: 0, mostHeld: 0 }): Promise<boolean> {
    const foldRow = (row: SumsRow) => {
      reads.mostHeld = Math.max(reads.mostHeld, ++reads.held);
      try {
        fold(row);
      } finally {
        reads.held--;
      }
    };
    const foldRows = (rows: readonly SumsRow[]) => {
      reads.held += rows.length;
      reads.mostHeld = Math.max(reads.mostHeld, reads.held);
      try {
        for (const row of rows) if (keep(row.key)) fold(row);
      } finally {
        reads.held -= rows.length;
      }
    };
    let wanted = 0;
    let found = 0;
    const toRead: [string, string[]][] = [];
    for (const refs of lists) {
      const ids: string[] = [];
      for (const ref of refs) {
        wanted++;
        const known = this.cached(ref);
        if (known) {
          found++;
          foldRows(known);
        } else ids.push(ref.id);
      }
      if (ids.length > 0) toRead.push([refs[0].collection, ids]);
    }
    let failed = false;
    const readLists = async () => {
      for (let next = toRead.shift(); next && !failed; next = toRead.shift()) {
        const [collection, ids] = next;
        const cursor = this.db.collection<RollupDoc>(collection).find({ _id: ids.length === 1 ? ids[0] : { $in: ids } });
        for await (const doc of cursor) {
          if (failed) break;
          found++;
          if (cache) foldRows(this.remember({ collection, id: doc._id }, unpackRows(doc.rows)));
          else eachRow(doc.rows, keep, foldRow);
        }
      }
    };
    // A fold that throws (an answer past its maxRows) stops the other readers too, and closes their cursors.
    const reading = (read: () => Promise<void>) =>
      read().catch((e: unknown) => {
        failed = true;
        throw e;
      });
    await Promise.all(Array.from({ length: Math.min(GROUP_READERS, toRead.length) }, () => reading(readLists)));
    return found === wanted;
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

/** The buckets' totals of each decoded totals document, made once (its rows never change). */
const bucketTotals = new WeakMap<readonly SumsRow[], Map<number, BucketTotal>>();

function totalsOf(rows: readonly SumsRow[]): Map<number, BucketTotal> {
  let totals = bucketTotals.get(rows);
  if (!totals) {
    totals = new Map(
      rows.map((r) => [
        r.key[0] as number,
        {
          sums: r.sums,
          groupsRun: r.key[1] as string,
          // Totals written before value rows or pair rollups existed have fewer parts.
          valuesRun: (r.key[2] as string | undefined) ?? null,
          pairsRun: (r.key[3] as string | undefined) ?? null,
          pairs: heldPairs(r.key[4] as string | undefined),
          groupDaysRun: (r.key[5] as string | null | undefined) ?? null,
          groupDayParts: (r.key[6] as number | null | undefined) ?? 0,
          conversationParts: (r.key[7] as number | null | undefined) ?? null,
          groupDaysColumns: r.key[8] === 1,
          groupDayFeatureParts: (r.key[9] as number | null | undefined) ?? null,
          conversationColumns: r.key[10] === 1,
        },
      ]),
    );
    bucketTotals.set(rows, totals);
  }
  return totals;
}

/** The sums of every bucket of a month's totals (see RollupDocs.totals), made once per document: a report of the whole month adds one row. */
const monthTotals = new WeakMap<ReadonlyMap<number, BucketTotal>, Sums>();

export function monthTotal(totals: ReadonlyMap<number, BucketTotal>): Sums {
  let sums = monthTotals.get(totals);
  if (!sums) {
    sums = zeroSums();
    for (const t of totals.values()) addSums(sums, t.sums);
    monthTotals.set(totals, sums);
  }
  return sums;
}

const cacheKey = (ref: DocRef) => `${ref.collection}\u0000${ref.id}`;
