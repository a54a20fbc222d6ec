import type { DatabaseSync } from 'node:sqlite';

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
