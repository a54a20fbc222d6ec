import type { UsageRecord } from '../../usage/usage-record';
import { addRecord, zeroSums } from '../rollup-measures';
import { RollupRowSums } from '../rollup-rows';
import { BUCKET_MS, ROLLUP_DIMENSIONS, type RollupQuery, type RollupRow } from '../storage.port';
import { canonicalTagSet, hasTagFilter, tagsInclude } from '../tag-sets';
import { dimensionValues } from './rollup-columns';
import type { UnfoldedBatch } from './rollup-folds';
import type { FoldSums } from './rollup-writer';

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
  // A tenant's totals, whole or by bucket (summaries, timeseries, budget totals): from each batch's bucket totals when summed already.
  const byTotals =
    Object.values(query.filters).every((v) => v === undefined) && !hasTagFilter(query.tags) && !query.byTagSet && query.groupBy.every((g) => g === 'bucket');
  const records: UsageRecord[] = [];
  for (const batch of batches) {
    if (!byTotals || batch.sums === null) records.push(...batch.records);
    else addBucketTotals(sums, query, batch.sums);
  }
  const filters = ROLLUP_DIMENSIONS.map((d, i) => [i, query.filters[d]] as const).filter(([, value]) => value !== undefined);
  const grouped = query.groupBy.map((g) => [g, ROLLUP_DIMENSIONS.indexOf(g as (typeof ROLLUP_DIMENSIONS)[number])] as const);
  const tagged = hasTagFilter(query.tags) || query.byTagSet === true;
  for (const r of records) {
    if (r.tenant !== query.tenant) continue;
    const bucket = Math.floor(r.timeMs / BUCKET_MS) * BUCKET_MS;
    if (bucket < query.fromMs || bucket >= query.toMs) continue;
    const dims = dimensionValues(r);
    if (!filters.every(([i, value]) => dims[i] === value)) continue;
    const tags = tagged ? canonicalTagSet(r.tags) : null;
    if (tagged && (tags === null || !tagsInclude(r.tags, query.tags))) continue;
    const key: RollupRow['key'] = query.byTagSet ? { tags: tags! } : {};
    for (const [g, i] of grouped) {
      if (g === 'bucket') key.bucket = bucket;
      else key[g] = dims[i] === '' ? null : dims[i];
    }
    const one = zeroSums();
    addRecord(one, r);
    sums.add(key, one);
  }
  return sums.values();
}

/** Adds a batch's totals per bucket (its `rollup_totals` rows to be) within the query's tenant and range. */
function addBucketTotals(into: RollupRowSums, query: RollupQuery, sums: FoldSums): void {
  const byBucket = query.groupBy.includes('bucket');
  for (const { key, sums: bucketSums } of sums.totals.values()) {
    const [tenant, bucket] = key as [string, number];
    if (tenant !== query.tenant || bucket < query.fromMs || bucket >= query.toMs) continue;
    into.add(byBucket ? { bucket } : {}, bucketSums);
  }
}
