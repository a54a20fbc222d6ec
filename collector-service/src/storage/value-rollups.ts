import type { UsageRecord } from '../usage/usage-record';
import { addRecord, addToTotals, type Totals, zeroSums, zeroTotals } from './rollup-measures';
import { BUCKET_MS, type DimensionFilters, type ValueRollupQuery } from './storage.port';

/** The breakdown by the records' conversation id. */
export const CONVERSATION = 'conversation';

/** The breakdown by the value of one tag key: `tag:` and the key. */
export const TAG_PREFIX = 'tag:';

/**
 * The breakdowns kept in value rollups (see ValueRollupQuery) a record adds to, each with the
 * record's value: its conversation, and one per tag it carries. A record without a value for a
 * breakdown adds nothing to it; a breakdown's calls without a value are its total less every value.
 */
export function valueKeysOf(r: UsageRecord): [by: string, value: string][] {
  const keys: [string, string][] = r.conversation === null ? [] : [[CONVERSATION, r.conversation]];
  if (r.tags) for (const [key, value] of Object.entries(r.tags)) keys.push([TAG_PREFIX + key, value]);
  return keys;
}

/** Whether some filter is given. */
export const isFiltered = (filters: DimensionFilters | undefined): boolean => filters !== undefined && Object.values(filters).some((v) => v !== undefined);

/** Adds to `into` what records not in the rollups yet add to the query's values (its tenant, breakdown and bucket range). */
export function addRecordValues(into: Map<string, Totals>, query: Omit<ValueRollupQuery, 'maxValues'>, records: readonly UsageRecord[]): Map<string, Totals> {
  for (const r of records) {
    const bucket = Math.floor(r.timeMs / BUCKET_MS) * BUCKET_MS;
    if (r.tenant !== query.tenant || bucket < query.fromMs || bucket >= query.toMs) continue;
    const value = valueKeysOf(r).find(([by]) => by === query.by)?.[1];
    if (value === undefined) continue;
    const sums = zeroSums();
    addRecord(sums, r);
    let totals = into.get(value);
    if (!totals) into.set(value, (totals = zeroTotals()));
    addToTotals(totals, sums);
  }
  return into;
}
