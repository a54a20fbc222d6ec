import type { UsageRecord } from '../../usage/usage-record';
import { addRecord, addToTotals, type Totals, zeroSums, zeroTotals } from '../rollup-measures';
import { RollupRowSums } from '../rollup-rows';
import { BUCKET_MS, ROLLUP_DIMENSIONS, type RollupQuery, type RollupRow, type ValueRollupQuery } from '../storage.port';
import { canonicalTagSet, hasTagFilter, type TagFilter, tagSetIncludes, tagsInclude } from '../tag-sets';
import { addRecordValues } from '../value-rollups';
import { dimensionValues } from './rollup-columns';
import type { UnfoldedBatch } from './rollup-folds';
import { type FoldSums, unpackFoldSums } from './rollup-writer';
import type { SumSheet } from './sum-sheets';

/**
 * A query's rows over the rollups with the records of batches not folded into them yet added, as the
 * rollups will count those records once folded: the same tenant, bucket range, dimension filters
 * (a missing value is ''), tags (only tagged records for a tag filter or a breakdown by tag set) and
 * grouping.
 */
export function withUnfolded(rows: RollupRow[], query: RollupQuery, batches: readonly UnfoldedBatch[]): RollupRow[] {
  if (batches.length === 0) return rows;
  const sums = new RollupRowSums(query);
  for (const row of rows) sums.addRow(row);
  const tagged = hasTagFilter(query.tags) || query.byTagSet === true;
  // A tenant's totals, whole or by bucket (summaries, timeseries, budget totals): from each batch's bucket totals when summed already.
  const byTotals = Object.values(query.filters).every((v) => v === undefined) && !tagged && query.groupBy.every((g) => g === 'bucket');
  const filters = ROLLUP_DIMENSIONS.map((d, i) => [i, query.filters[d]] as const).filter(([, value]) => value !== undefined);
  const grouped = query.groupBy.map((g) => [g, ROLLUP_DIMENSIONS.indexOf(g as (typeof ROLLUP_DIMENSIONS)[number])] as const);
  /** The row key of a record (or a rollup row) of the query's tenant, in its range and filters; null when outside. */
  const keyOf = (tenant: string, bucket: number, dims: readonly string[], tags: string | null): RollupRow['key'] | null => {
    if (tenant !== query.tenant || bucket < query.fromMs || bucket >= query.toMs) return null;
    if (!filters.every(([i, value]) => dims[i] === value)) return null;
    const key: RollupRow['key'] = query.byTagSet ? { tags: tags! } : {};
    for (const [g, i] of grouped) {
      if (g === 'bucket') key.bucket = bucket;
      else key[g] = dims[i] === '' ? null : dims[i];
    }
    return key;
  };
  for (const batch of batches) {
    if (batch.sums === null) addRecords(sums, batch.records, tagged, query.tags, keyOf);
    else if (byTotals) addBucketTotals(sums, query, batch.sums.totals);
    else addSummedRows(sums, unpackFoldSums(batch.sums), tagged, query.tags, keyOf);
  }
  return sums.values();
}

type KeyOf = (tenant: string, bucket: number, dims: readonly string[], tags: string | null) => RollupRow['key'] | null;

/**
 * Adds a batch's rollup rows to be that the query takes, summed already (see FoldSums): its full
 * rollup rows (tenant, bucket, every dimension), or when `tagged` (a tag filter or a breakdown by tag
 * set) its tag rollup rows whose tag set includes the filter.
 */
function addSummedRows(into: RollupRowSums, sums: FoldSums, tagged: boolean, filter: TagFilter | undefined, keyOf: KeyOf): void {
  if (!tagged) {
    for (const { key, sums: rowSums } of sums.rollups.values()) {
      const rowKey = keyOf(key[0] as string, key[1] as number, key.slice(2) as string[], null);
      if (rowKey) into.add(rowKey, rowSums);
    }
    return;
  }
  for (const { key, sums: rowSums } of sums.tags.values()) {
    const tagSet = key[2] as string;
    if (!tagSetIncludes(tagSet, filter)) continue;
    const rowKey = keyOf(key[0] as string, key[1] as number, key.slice(3) as string[], tagSet);
    if (rowKey) into.add(rowKey, rowSums);
  }
}

/** Adds records one by one; when `tagged`, only tagged records whose tags include the filter. */
function addRecords(into: RollupRowSums, records: readonly UsageRecord[], tagged: boolean, filter: TagFilter | undefined, keyOf: KeyOf): void {
  for (const r of records) {
    const tagSet = tagged ? canonicalTagSet(r.tags) : null;
    if (tagged && (tagSet === null || !tagsInclude(r.tags, filter))) continue;
    const key = keyOf(r.tenant, Math.floor(r.timeMs / BUCKET_MS) * BUCKET_MS, dimensionValues(r), tagSet);
    if (!key) continue;
    const one = zeroSums();
    addRecord(one, r);
    into.add(key, one);
  }
}

/** Adds a batch's totals per bucket (its `rollup_totals` rows to be) within the query's tenant and range. */
function addBucketTotals(into: RollupRowSums, query: RollupQuery, totals: SumSheet): void {
  const byBucket = query.groupBy.includes('bucket');
  for (const { key, sums: bucketSums } of totals.values()) {
    const [tenant, bucket] = key as [string, number];
    if (tenant !== query.tenant || bucket < query.fromMs || bucket >= query.toMs) continue;
    into.add(byBucket ? { bucket } : {}, bucketSums);
  }
}

/**
 * Adds to `into` what batches not folded yet add to a value breakdown's values (its tenant, `by` and
 * bucket range, see ValueRollupQuery): from a batch's value rollup rows to be when summed already,
 * else from its records.
 */
export function withUnfoldedValues(
  into: Map<string, Totals>,
  query: Omit<ValueRollupQuery, 'maxValues'>,
  batches: readonly UnfoldedBatch[],
): Map<string, Totals> {
  for (const batch of batches) {
    if (batch.sums === null) {
      addRecordValues(into, query, batch.records);
      continue;
    }
    // The breakdown's rows among the one-dimension rows: [tenant, by, bucket, value] (see addValues in rollup-writer.ts).
    for (const { key, sums } of unpackFoldSums(batch.sums).dims.values()) {
      const [tenant, by, bucket, value] = key as [string, string, number, string];
      if (by !== query.by || tenant !== query.tenant || bucket < query.fromMs || bucket >= query.toMs) continue;
      let totals = into.get(value);
      if (!totals) into.set(value, (totals = zeroTotals()));
      addToTotals(totals, sums);
    }
  }
  return into;
}
