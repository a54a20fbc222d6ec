import type { DatabaseSync } from 'node:sqlite';
import type { UsageRecord } from '../../usage/usage-record';
import { ROLLUP_DIMENSIONS, type RollupQuery, type RollupRow } from '../storage.port';
import { RollupRowSums } from '../rollup-rows';
import { canonicalTagSet, tagSetIncludes } from '../tag-sets';
import {
  ACCUMULATE,
  DIMENSION_COLUMN_DEFINITIONS,
  DIMENSION_COLUMNS,
  DIMENSION_KEY,
  MEASURE_COLUMN_DEFINITIONS,
  MEASURE_COLUMNS,
  MEASURE_SUMS,
  summedMeasures,
} from './rollup-columns';
import { addRecordTo, type SumSheet } from './sum-sheets';

/**
 * 15-minute rollups of tagged records, one row per (tenant, bucket, tag set, dimensions). Records
 * without tags have no row here, so they cost nothing; a tag filter reads only these rows. IF NOT
 * EXISTS because a file whose later migrations are replayed from an older user_version (the upgrade
 * test, the benchmarks' fixtures) already has the table.
 */
export const TAG_ROLLUPS_SCHEMA = `CREATE TABLE IF NOT EXISTS tag_rollups (
     tenant TEXT NOT NULL,
     bucket INTEGER NOT NULL,
     tags TEXT NOT NULL,
     ${DIMENSION_COLUMN_DEFINITIONS},
     ${MEASURE_COLUMN_DEFINITIONS},
     PRIMARY KEY (tenant, bucket, tags, ${DIMENSION_KEY})
   ) STRICT, WITHOUT ROWID;`;

const KEY = ['tenant', 'bucket', 'tags', ...ROLLUP_DIMENSIONS.map((d) => DIMENSION_COLUMNS[d])];
const MEASURES = MEASURE_COLUMNS;

const COLUMNS_ALL = [...KEY, ...MEASURES];
export const UPSERT_TAG_ROLLUP = `INSERT INTO tag_rollups (${COLUMNS_ALL.join(', ')}) VALUES (${COLUMNS_ALL.map(() => '?').join(', ')})
  ON CONFLICT (${KEY.join(', ')}) DO UPDATE SET ${ACCUMULATE}`;

/**
 * The tag rollups' share of a fold: a tagged record adds to its (tenant, bucket, tag set, dimensions)
 * row; an untagged one has no row here. Applied in the fold's transaction, with exactly the records
 * it claims, so they count once, or not at all.
 */
export function addTagged(sheet: SumSheet, r: UsageRecord, bucket: number, dims: string[]): void {
  const tags = canonicalTagSet(r.tags);
  if (tags === null) return;
  const key = [r.tenant, bucket, tags, ...dims];
  addRecordTo(sheet, JSON.stringify(key), key, r);
}

/** Reads the tag rollups of one SQLite file. */
export class TagRollups {
  constructor(private readonly db: DatabaseSync) {}

  /**
   * Exact sums of the records whose tags include the query's: SQLite sums per tag set (and the
   * groupBy), the sets that include the filter are kept and summed again here, in bigint (per set
   * too when the query groups by tag set).
   */
  aggregate(query: RollupQuery): RollupRow[] {
    const groups = query.groupBy.map((g) => (g === 'bucket' ? 'bucket' : DIMENSION_COLUMNS[g]));
    const clauses = ['tenant = ?', 'bucket >= ?', 'bucket < ?'];
    const params: (string | number)[] = [query.tenant, query.fromMs, query.toMs];
    for (const d of ROLLUP_DIMENSIONS) {
      const value = query.filters[d];
      if (value === undefined) continue;
      clauses.push(`${DIMENSION_COLUMNS[d]} = ?`);
      params.push(value);
    }
    const statement = this.db.prepare(
      `SELECT tags, ${groups.map((g) => `${g}, `).join('')}${MEASURE_SUMS}
       FROM tag_rollups WHERE ${clauses.join(' AND ')} GROUP BY ${['tags', ...groups].join(', ')}`,
    );
    statement.setReadBigInts(true);
    const included = new Map<string, boolean>();
    const rows = new RollupRowSums(query);
    // One row at a time: past the query's maxRows, RollupRowSums stops the read.
    for (const row of statement.iterate(...params) as Iterable<Record<string, bigint | number | string>>) {
      const tags = row.tags as string;
      let keep = included.get(tags);
      if (keep === undefined) included.set(tags, (keep = tagSetIncludes(tags, query.tags)));
      if (!keep) continue;
      const key: RollupRow['key'] = query.byTagSet ? { tags } : {};
      for (const g of query.groupBy) {
        if (g === 'bucket') key.bucket = Number(row.bucket);
        else key[g] = row[DIMENSION_COLUMNS[g]] === '' ? null : (row[DIMENSION_COLUMNS[g]] as string);
      }
      rows.add(key, summedMeasures(row));
    }
    return rows.values();
  }
}
