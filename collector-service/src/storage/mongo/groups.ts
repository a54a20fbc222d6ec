import type { UsageRecord } from '../../usage/usage-record';
import { addRecord, type Sums, zeroSums } from '../rollup-measures';
import { BUCKET_MS, ROLLUP_DIMENSIONS, type RollupDimension } from '../storage.port';
import { canonicalTagSet } from '../tag-sets';
import { packRowBytes, type SumsRow } from './sums-table';

/** The finest rollup: one 15-minute bucket, one value per dimension (ROLLUP_DIMENSIONS order), one tag set, and the exact sums of its records. */
export interface Group {
  bucket: number;
  dims: (string | null)[];
  /** canonicalTagSet of the records, null when they have none. */
  tags: string | null;
  sums: Sums;
}

/** Key parts of a group as a packed row: bucket, the dimensions, the tag set. */
export const GROUP_PARTS = ROLLUP_DIMENSIONS.length + 2;

export const dimensionIndex = (dimension: RollupDimension) => ROLLUP_DIMENSIONS.indexOf(dimension);

/** A record's value of each dimension, in ROLLUP_DIMENSIONS order. */
export const recordDims = (r: UsageRecord): (string | null)[] => [r.provider, r.model, r.costType, r.user, r.agent, r.feature, r.service, r.status];

/**
 * Documents a day's groups are split into (see groupDayDocs), by a hash of the user: a read filtered
 * on one user reads one of them, the others none of its rows. The same groups are split a second
 * time, by a hash of the feature (see groupFeatureDayDocs): a read filtered on a feature and no user
 * reads one of those.
 */
export const GROUP_DAY_PARTS = 32;

const USER_PART = 1 + ROLLUP_DIMENSIONS.indexOf('user');
const FEATURE_PART = 1 + ROLLUP_DIMENSIONS.indexOf('feature');

/** The part of a day's groups a value of the dimension they are split by is in: FNV-1a of it, modulo GROUP_DAY_PARTS (no value: part 0). */
export function valuePart(value: string | null): number {
  if (value === null) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % GROUP_DAY_PARTS;
}

/** The part of a day's groups split by user a user's rows are in. */
export const userPart = valuePart;

export const rowUserPart = (key: readonly (string | number | null)[]) => valuePart(key[USER_PART] as string | null);

/** The part of a day's groups split by feature a group row (keyed as groupRow) is in. */
export const rowFeaturePart = (key: readonly (string | number | null)[]) => valuePart(key[FEATURE_PART] as string | null);

/** The groups of some records, in the order their first records came: the same records give the same groups. */
export function groupRecords(records: Iterable<UsageRecord>): Group[] {
  const groups = new Map<string, Group>();
  for (const r of records) addRecord(groupOf(groups, r).sums, r);
  return [...groups.values()];
}

/** The group of `groups` a record belongs to, added (with zero sums) when it is the first. */
export function groupOf(groups: Map<string, Group>, r: UsageRecord): Group {
  const bucket = Math.floor(r.timeMs / BUCKET_MS) * BUCKET_MS;
  const dims = recordDims(r);
  const tags = canonicalTagSet(r.tags);
  const key = JSON.stringify([bucket, ...dims, tags]);
  let g = groups.get(key);
  if (!g) groups.set(key, (g = { bucket, dims, tags, sums: zeroSums() }));
  return g;
}

export const groupRow = (g: Group): SumsRow => ({ key: [g.bucket, ...g.dims, g.tags], sums: g.sums });

export const rowGroup = (row: SumsRow): Group => ({
  bucket: row.key[0] as number,
  dims: row.key.slice(1, 1 + ROLLUP_DIMENSIONS.length) as (string | null)[],
  tags: (row.key[GROUP_PARTS - 1] as string | null) ?? null,
  sums: row.sums,
});

/** A batch's groups packed (sums-table.ts), as bytes: the batch document's `groups`. */
export const packGroupBytes = (groups: readonly Group[]): Buffer => packRowBytes(groups.map(groupRow), GROUP_PARTS, () => 'a batch group');
