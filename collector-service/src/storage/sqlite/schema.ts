import type { DatabaseSync } from 'node:sqlite';
import { TAG_ROLLUPS_SCHEMA } from './tag-rollups';

/**
 * Schema migrations, applied in order and tracked in PRAGMA user_version. Append; never edit a
 * migration that has shipped.
 */
const MIGRATIONS: string[] = [
  // 1: raw records (the full record as JSON, with the columns reports filter on) and 15-minute rollups.
  `CREATE TABLE records (
     id TEXT PRIMARY KEY,
     tenant TEXT NOT NULL,
     time_ms INTEGER NOT NULL,
     provider TEXT NOT NULL,
     model TEXT NOT NULL,
     cost_type TEXT NOT NULL,
     user_id TEXT,
     agent TEXT,
     feature TEXT,
     service TEXT NOT NULL,
     status TEXT NOT NULL,
     doc TEXT NOT NULL
   ) STRICT;
   CREATE INDEX records_by_time ON records (tenant, time_ms, id);
   CREATE TABLE rollups (
     tenant TEXT NOT NULL,
     bucket INTEGER NOT NULL,
     provider TEXT NOT NULL,
     model TEXT NOT NULL,
     cost_type TEXT NOT NULL,
     user_id TEXT NOT NULL,
     agent TEXT NOT NULL,
     feature TEXT NOT NULL,
     service TEXT NOT NULL,
     status TEXT NOT NULL,
     cost_nanos INTEGER NOT NULL,
     calls INTEGER NOT NULL,
     error_calls INTEGER NOT NULL,
     unpriced_calls INTEGER NOT NULL,
     input_tokens INTEGER NOT NULL,
     output_tokens INTEGER NOT NULL,
     cache_read_tokens INTEGER NOT NULL,
     cache_write_tokens INTEGER NOT NULL,
     reasoning_tokens INTEGER NOT NULL,
     duration_ms_sum REAL NOT NULL,
     PRIMARY KEY (tenant, bucket, provider, model, cost_type, user_id, agent, feature, service, status)
   ) STRICT, WITHOUT ROWID;`,
  // 2: API keys, hashed.
  `CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     hash TEXT NOT NULL UNIQUE,
     role TEXT NOT NULL,
     tenant TEXT,
     name TEXT,
     created_at_ms INTEGER NOT NULL,
     revoked_at_ms INTEGER
   ) STRICT;`,
  // 3: narrower rollups, so a report that neither filters nor groups by many dimensions reads a few
  // rows per bucket instead of one per (user, agent, feature, ...) combination.
  `CREATE TABLE rollup_totals (
     tenant TEXT NOT NULL,
     bucket INTEGER NOT NULL,
     cost_nanos INTEGER NOT NULL, calls INTEGER NOT NULL, error_calls INTEGER NOT NULL, unpriced_calls INTEGER NOT NULL,
     input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cache_read_tokens INTEGER NOT NULL,
     cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, duration_ms_sum REAL NOT NULL,
     PRIMARY KEY (tenant, bucket)
   ) STRICT, WITHOUT ROWID;
   CREATE TABLE rollup_dims (
     tenant TEXT NOT NULL,
     dim TEXT NOT NULL,
     bucket INTEGER NOT NULL,
     value TEXT NOT NULL,
     cost_nanos INTEGER NOT NULL, calls INTEGER NOT NULL, error_calls INTEGER NOT NULL, unpriced_calls INTEGER NOT NULL,
     input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cache_read_tokens INTEGER NOT NULL,
     cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, duration_ms_sum REAL NOT NULL,
     PRIMARY KEY (tenant, dim, bucket, value)
   ) STRICT, WITHOUT ROWID;
   INSERT INTO rollup_totals SELECT tenant, bucket, SUM(cost_nanos), SUM(calls), SUM(error_calls), SUM(unpriced_calls), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(duration_ms_sum) FROM rollups GROUP BY tenant, bucket;
   INSERT INTO rollup_dims SELECT tenant, 'provider', bucket, provider, SUM(cost_nanos), SUM(calls), SUM(error_calls), SUM(unpriced_calls), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(duration_ms_sum) FROM rollups GROUP BY tenant, bucket, provider;
   INSERT INTO rollup_dims SELECT tenant, 'model', bucket, model, SUM(cost_nanos), SUM(calls), SUM(error_calls), SUM(unpriced_calls), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(duration_ms_sum) FROM rollups GROUP BY tenant, bucket, model;
   INSERT INTO rollup_dims SELECT tenant, 'costType', bucket, cost_type, SUM(cost_nanos), SUM(calls), SUM(error_calls), SUM(unpriced_calls), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(duration_ms_sum) FROM rollups GROUP BY tenant, bucket, cost_type;
   INSERT INTO rollup_dims SELECT tenant, 'user', bucket, user_id, SUM(cost_nanos), SUM(calls), SUM(error_calls), SUM(unpriced_calls), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(duration_ms_sum) FROM rollups GROUP BY tenant, bucket, user_id;
   INSERT INTO rollup_dims SELECT tenant, 'agent', bucket, agent, SUM(cost_nanos), SUM(calls), SUM(error_calls), SUM(unpriced_calls), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(duration_ms_sum) FROM rollups GROUP BY tenant, bucket, agent;
   INSERT INTO rollup_dims SELECT tenant, 'feature', bucket, feature, SUM(cost_nanos), SUM(calls), SUM(error_calls), SUM(unpriced_calls), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(duration_ms_sum) FROM rollups GROUP BY tenant, bucket, feature;
   INSERT INTO rollup_dims SELECT tenant, 'service', bucket, service, SUM(cost_nanos), SUM(calls), SUM(error_calls), SUM(unpriced_calls), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(duration_ms_sum) FROM rollups GROUP BY tenant, bucket, service;
   INSERT INTO rollup_dims SELECT tenant, 'status', bucket, status, SUM(cost_nanos), SUM(calls), SUM(error_calls), SUM(unpriced_calls), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(duration_ms_sum) FROM rollups GROUP BY tenant, bucket, status;`,
  // 4: one-dimension rollups per UTC day, so a breakdown by a dimension with many values (users)
  // over a month reads one row per value per day; the partial days at a range's edges still come
  // from the 15-minute rollups, so every time zone stays exact.
  `CREATE TABLE rollup_dims_day (
     tenant TEXT NOT NULL,
     dim TEXT NOT NULL,
     day INTEGER NOT NULL,
     value TEXT NOT NULL,
     cost_nanos INTEGER NOT NULL, calls INTEGER NOT NULL, error_calls INTEGER NOT NULL, unpriced_calls INTEGER NOT NULL,
     input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cache_read_tokens INTEGER NOT NULL,
     cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, duration_ms_sum REAL NOT NULL,
     PRIMARY KEY (tenant, dim, day, value)
   ) STRICT, WITHOUT ROWID;
   INSERT INTO rollup_dims_day SELECT tenant, dim, bucket - (bucket % 86400000), value, SUM(cost_nanos), SUM(calls), SUM(error_calls), SUM(unpriced_calls), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(duration_ms_sum)
     FROM rollup_dims GROUP BY tenant, dim, bucket - (bucket % 86400000), value;`,
  // 5: generic documents (budgets, alert rules, channels, once-only alert events), JSON bodies.
  `CREATE TABLE documents (
     kind TEXT NOT NULL,
     tenant TEXT NOT NULL,
     id TEXT NOT NULL,
     body TEXT NOT NULL,
     PRIMARY KEY (kind, tenant, id)
   ) STRICT, WITHOUT ROWID;`,
  // 6: one value of a dimension over many days or buckets (a user's month, for a budget or a
  // filtered report) reads its own rows instead of every value's rows in the range.
  `CREATE INDEX rollup_dims_day_by_value ON rollup_dims_day (tenant, dim, value, day);
   CREATE INDEX rollup_dims_by_value ON rollup_dims (tenant, dim, value, bucket);`,
  // 7: rollups of tagged records by tag set, for tag filters (budgets scoped by tags). Records stored
  // before this version are not in them.
  TAG_ROLLUPS_SCHEMA,
  // 8: stored batches not yet added to the rollups, by the rowid range of their records (see RollupFolds).
  // IF NOT EXISTS for the same reason as the tag rollups' table.
  `CREATE TABLE IF NOT EXISTS unfolded (
     first_rowid INTEGER PRIMARY KEY,
     last_rowid INTEGER NOT NULL
   ) STRICT;`,
  // 9: stored batches that can never be folded (their sums would pass what a rollup row holds: stores
  // written before tenant days were bounded, or two processes near the bound at once), by rowid range.
  // IF NOT EXISTS for the same reason as the tag rollups' table.
  `CREATE TABLE IF NOT EXISTS set_aside (
     first_rowid INTEGER PRIMARY KEY,
     last_rowid INTEGER NOT NULL,
     reason TEXT NOT NULL,
     at_ms INTEGER NOT NULL
   ) STRICT;`,
];

export function migrate(db: DatabaseSync): void {
  const { user_version: current } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  if (current > MIGRATIONS.length) {
    throw new Error(`the database was written by a newer tokenledger (schema ${current}, this one knows ${MIGRATIONS.length}); upgrade tokenledger`);
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(MIGRATIONS[version]);
      db.exec(`PRAGMA user_version = ${version + 1}`);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
}
