import type { DatabaseSync } from 'node:sqlite';
import { MEASURES } from '../rollup-measures';
import { DIMENSION_COLUMN_DEFINITIONS, DIMENSION_KEY, MEASURE_COLUMN_DEFINITIONS, MEASURE_COLUMNS, measureColumnDefinition } from './rollup-columns';
import { TAG_ROLLUPS_SCHEMA } from './tag-rollups';
import { BUDGET_DOCUMENT_KIND } from '../stored-budget';
import { ACK_KIND, ALERT_KIND, DELIVERY_KIND, OPEN_KIND, REDELIVERY_KIND, RESOLUTION_KIND } from '../../alerts/alert';
import { NOT_ACKED_MS } from '../repositories/alerts.repository';
import { SEEN_DOCUMENT_KIND } from '../repositories/seen-tenants.repository';
import { KEYS_REQUIRED_DOCUMENT } from '../repositories/keys-required.repository';
import { BILLED_DAY_DOCUMENT_KIND } from '../repositories/billed-days.repository';
import { DIGEST_RUN_DOCUMENT_KINDS as DIGEST_KINDS } from '../repositories/digest-runs.repository';
import { type MoneyEntityKind, oldDocumentCondition, storedNanosCondition } from '../money-entities';
import type { Entity } from '../repositories/entity-repository';
import { STORED_ALERT_RULES } from '../stored-alert-rule';
import { STORED_ALERT_RULES_SEEDED, STORED_CHANNELS, STORED_DIGEST_SUBSCRIPTIONS, STORED_PROVIDER_ADMIN_KEYS } from '../stored-settings';

/** Every measure summed, in MEASURES order, for a migration that fills a rollup table from another. */
const SUMMED = MEASURE_COLUMNS.map((c) => `SUM(${c})`).join(', ');

/** A document of the budgets' old kind that holds a budget (see isBudgetDocument): a limit of up to 19 digits, within a 64-bit integer. */
const OLD_BUDGET = `kind = '${BUDGET_DOCUMENT_KIND}' AND json_valid(body) AND json_type(body, '$.limitNanos') = 'text'
  AND json_extract(body, '$.limitNanos') NOT GLOB '*[^0-9]*' AND length(json_extract(body, '$.limitNanos')) BETWEEN 1 AND 19
  AND (length(json_extract(body, '$.limitNanos')) < 19 OR json_extract(body, '$.limitNanos') <= '9223372036854775807')`;

/** A document of the alerts' old kind that holds an alert whose firing time can have a place in the history (see alertOrderKey). */
const OLD_ALERT = `a.kind = '${ALERT_KIND}' AND json_valid(a.body) AND json_type(a.body, '$.firedAtMs') = 'integer'
  AND json_extract(a.body, '$.firedAtMs') BETWEEN 0 AND ${NOT_ACKED_MS}`;
/** A resolution or acknowledgement document of the alert `a`, as the versions before kept them. */
const OLD_PART = (kind: string, as: string) => `${as}.kind = '${kind}' AND ${as}.tenant = a.tenant AND ${as}.id = a.id AND json_valid(${as}.body)`;

/** A document of the alert rules' old kind that holds a rule: a threshold of up to 19 digits within a 64-bit integer, or none. */
const OLD_ALERT_RULE = oldDocumentCondition(STORED_ALERT_RULES);

/** An alert's value and threshold in its JSON, as decimal strings a 64-bit integer holds. */
const OLD_VALUE = `(json_valid(body) AND ${storedNanosCondition('body', 'valueNanos')})`;
const OLD_THRESHOLD = `(json_valid(body) AND ${storedNanosCondition('body', 'thresholdNanos')})`;

/** The JSON entities' table and the documents that move into it (migration 17). */
const jsonEntityTable = <T extends Entity>(kind: MoneyEntityKind<T>) =>
  `CREATE TABLE IF NOT EXISTS ${kind.table} (
     tenant TEXT NOT NULL,
     id TEXT NOT NULL,
     body TEXT NOT NULL,
     PRIMARY KEY (tenant, id)
   ) STRICT, WITHOUT ROWID;
   INSERT OR IGNORE INTO ${kind.table} SELECT tenant, id, json_set(body, '$.id', id) FROM documents WHERE ${oldDocumentCondition(kind)};
   DELETE FROM documents WHERE ${oldDocumentCondition(kind)};`;

/** An amount a signed 64-bit integer of nanos holds, as a decimal string at `path` of the JSON `column`. */
const signedNanos = (column: string, path: string) => {
  const amount = `json_extract(${column}, '${path}')`;
  const digits = `ltrim(${amount}, '-')`;
  return `(json_type(${column}, '${path}') = 'text' AND ${amount} GLOB '*[0-9]' AND (${amount} GLOB '[0-9]*' OR ${amount} GLOB '-[0-9]*')
    AND ${digits} NOT GLOB '*[^0-9]*' AND length(${digits}) BETWEEN 1 AND 19
    AND (length(${digits}) < 19 OR ${digits} <= CASE WHEN ${amount} GLOB '-*' THEN '9223372036854775808' ELSE '9223372036854775807' END))`;
};

/**
 * A document of the billed days' old kind that holds a day: its provider and day strings, its total and
 * every line's cost amounts a 64-bit integer of nanos holds (see billedDayOfDocument).
 */
const OLD_BILLED_DAY = `kind = '${BILLED_DAY_DOCUMENT_KIND}' AND json_valid(body) AND json_type(body) = 'object'
  AND json_type(body, '$.provider') = 'text' AND json_type(body, '$.day') = 'text' AND json_type(body, '$.lines') = 'array'
  AND ${signedNanos('body', '$.costNanos')}
  AND NOT EXISTS (SELECT 1 FROM json_each(body, '$.lines') x WHERE x.type <> 'object' OR json_type(x.value, '$.item') IS NOT 'text'
    OR json_type(x.value, '$.model') NOT IN ('text', 'null') OR NOT ${signedNanos('x.value', '$.costNanos')})`;

/** A document of the open index's old kind that holds an entry (see isOpenAlert). */
const OLD_OPEN_ALERT = `kind = '${OPEN_KIND}' AND json_valid(body) AND json_type(body, '$.ruleId') = 'text'
  AND json_type(body, '$.firedAtMs') = 'integer' AND json_type(body, '$.delivered') IN ('true', 'false')`;

/** A document of the alert deliveries' old kind that holds one (see deliveryOfDocument). */
const OLD_DELIVERY = `kind = '${DELIVERY_KIND}' AND json_valid(body) AND json_type(body) = 'object' AND json_type(body, '$.alertId') = 'text'
  AND json_type(body, '$.state') = 'text' AND json_type(body, '$.channelId') = 'text'`;

/** A time in ms at `path` of a document's JSON, or 0 where it holds none. */
const msIn = (path: string) => `COALESCE(CASE WHEN json_valid(body) AND json_type(body, '${path}') = 'integer' THEN json_extract(body, '${path}') END, 0)`;

/** A document of the digest runs' old kind that holds a run (see digestRunOfDocument). */
const OLD_DIGEST_RUN = `kind = '${DIGEST_KINDS.run}' AND json_valid(body) AND json_type(body) = 'object' AND json_type(body, '$.subscriptionId') = 'text'
  AND json_type(body, '$.periodStartMs') = 'integer' AND json_type(body, '$.digest') = 'object'`;
/** A document of the digest deliveries' old kind that holds one (see digestDeliveryOfDocument). */
const OLD_DIGEST_DELIVERY = `kind = '${DIGEST_KINDS.delivery}' AND json_valid(body) AND json_type(body) = 'object'
  AND json_type(body, '$.runId') = 'text' AND json_type(body, '$.channelId') = 'text'`;
/** The subscription of the run whose id is `id` (see subscriptionOfRun): what precedes the dot before its period's digits. */
const subscriptionOf = (id: string) => `substr(${id}, 1, max(length(rtrim(${id}, '0123456789')) - 1, 0))`;
/** A digest total at `path` of a document's JSON, moved into an INTEGER when a 64-bit integer holds it. */
const digestTotal = (path: string) => `CASE WHEN ${signedNanos('body', path)} THEN CAST(json_extract(body, '${path}') AS INTEGER) END`;

const KEYS_REQUIRED_WHERE = `kind = '${KEYS_REQUIRED_DOCUMENT.kind}' AND tenant = '${KEYS_REQUIRED_DOCUMENT.tenant}' AND id = '${KEYS_REQUIRED_DOCUMENT.id}'`;

/**
 * Schema migrations, applied in order and tracked in PRAGMA user_version. Append; never edit a
 * migration that has shipped. The rollup tables' measure columns are the exception: they follow
 * MEASURES, and a store made before a measure existed gets its column from `measureColumnsToAdd`.
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
     ${DIMENSION_COLUMN_DEFINITIONS},
     ${MEASURE_COLUMN_DEFINITIONS},
     PRIMARY KEY (tenant, bucket, ${DIMENSION_KEY})
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
     ${MEASURE_COLUMN_DEFINITIONS},
     PRIMARY KEY (tenant, bucket)
   ) STRICT, WITHOUT ROWID;
   CREATE TABLE rollup_dims (
     tenant TEXT NOT NULL,
     dim TEXT NOT NULL,
     bucket INTEGER NOT NULL,
     value TEXT NOT NULL,
     ${MEASURE_COLUMN_DEFINITIONS},
     PRIMARY KEY (tenant, dim, bucket, value)
   ) STRICT, WITHOUT ROWID;
   INSERT INTO rollup_totals SELECT tenant, bucket, ${SUMMED} FROM rollups GROUP BY tenant, bucket;
   INSERT INTO rollup_dims SELECT tenant, 'provider', bucket, provider, ${SUMMED} FROM rollups GROUP BY tenant, bucket, provider;
   INSERT INTO rollup_dims SELECT tenant, 'model', bucket, model, ${SUMMED} FROM rollups GROUP BY tenant, bucket, model;
   INSERT INTO rollup_dims SELECT tenant, 'costType', bucket, cost_type, ${SUMMED} FROM rollups GROUP BY tenant, bucket, cost_type;
   INSERT INTO rollup_dims SELECT tenant, 'user', bucket, user_id, ${SUMMED} FROM rollups GROUP BY tenant, bucket, user_id;
   INSERT INTO rollup_dims SELECT tenant, 'agent', bucket, agent, ${SUMMED} FROM rollups GROUP BY tenant, bucket, agent;
   INSERT INTO rollup_dims SELECT tenant, 'feature', bucket, feature, ${SUMMED} FROM rollups GROUP BY tenant, bucket, feature;
   INSERT INTO rollup_dims SELECT tenant, 'service', bucket, service, ${SUMMED} FROM rollups GROUP BY tenant, bucket, service;
   INSERT INTO rollup_dims SELECT tenant, 'status', bucket, status, ${SUMMED} FROM rollups GROUP BY tenant, bucket, status;`,
  // 4: one-dimension rollups per UTC day, so a breakdown by a dimension with many values (users)
  // over a month reads one row per value per day; the partial days at a range's edges still come
  // from the 15-minute rollups, so every time zone stays exact.
  `CREATE TABLE rollup_dims_day (
     tenant TEXT NOT NULL,
     dim TEXT NOT NULL,
     day INTEGER NOT NULL,
     value TEXT NOT NULL,
     ${MEASURE_COLUMN_DEFINITIONS},
     PRIMARY KEY (tenant, dim, day, value)
   ) STRICT, WITHOUT ROWID;
   INSERT INTO rollup_dims_day SELECT tenant, dim, bucket - (bucket % 86400000), value, ${SUMMED}
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
  // 10: conversations and tag keys' values are folded into rollup_dims and rollup_dims_day under the
  // breakdown's name (dim 'conversation', 'tag:<key>'; see value-rollups.ts), from this version on.
  // The records folded before are not in them: those rows answer from the UTC day after the latest
  // record stored by then, and the days before are summed from the raw records and tag-set rollups.
  // IF NOT EXISTS for the same reason as the tag rollups' table.
  `CREATE TABLE IF NOT EXISTS value_rollups_from (from_ms INTEGER NOT NULL) STRICT;
   INSERT INTO value_rollups_from SELECT COALESCE((MAX(time_ms) / 86400000 + 1) * 86400000, 0) FROM records
     WHERE NOT EXISTS (SELECT 1 FROM value_rollups_from);`,
  // 11: budgets in a table of their own, the limit an integer of nano-USD; the budgets kept as documents
  // before (the limit a decimal string in the JSON) move into it. IF NOT EXISTS and OR IGNORE for the
  // same reason as the tag rollups' table.
  `CREATE TABLE IF NOT EXISTS budgets (
     tenant TEXT NOT NULL,
     id TEXT NOT NULL,
     limit_nanos INTEGER NOT NULL,
     body TEXT NOT NULL,
     PRIMARY KEY (tenant, id)
   ) STRICT, WITHOUT ROWID;
   INSERT OR IGNORE INTO budgets SELECT tenant, id, CAST(json_extract(body, '$.limitNanos') AS INTEGER), json_remove(body, '$.limitNanos')
     FROM documents WHERE ${OLD_BUDGET};
   DELETE FROM documents WHERE ${OLD_BUDGET};`,
  // 12: the alert history in a table of its own, each alert's resolution and acknowledgement beside it
  // and its place in the history indexed (order_key, see alertOrderKey), so a page of it reads its own
  // rows; the alerts kept as documents before move into it with their resolutions and acknowledgements
  // (a document that holds none of these stays where it is). IF NOT EXISTS and OR IGNORE for the same
  // reason as the tag rollups' table.
  `CREATE TABLE IF NOT EXISTS alerts (
     tenant TEXT NOT NULL,
     id TEXT NOT NULL,
     order_key TEXT NOT NULL,
     acked_at_ms INTEGER NOT NULL,
     body TEXT NOT NULL,
     resolution TEXT,
     ack TEXT,
     PRIMARY KEY (tenant, id)
   ) STRICT, WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS alerts_in_order ON alerts (tenant, order_key);
   INSERT OR IGNORE INTO alerts
     SELECT a.tenant, a.id, printf('%016d', ${NOT_ACKED_MS} - json_extract(a.body, '$.firedAtMs')) || a.id,
       COALESCE(CASE WHEN json_type(k.body, '$.ackedAtMs') = 'integer' THEN MIN(json_extract(k.body, '$.ackedAtMs'), ${NOT_ACKED_MS - 1}) END, ${NOT_ACKED_MS}),
       a.body, r.body, k.body
     FROM documents a
     LEFT JOIN documents r ON ${OLD_PART(RESOLUTION_KIND, 'r')}
     LEFT JOIN documents k ON ${OLD_PART(ACK_KIND, 'k')}
     WHERE ${OLD_ALERT};
   DELETE FROM documents WHERE EXISTS (SELECT 1 FROM alerts WHERE alerts.tenant = documents.tenant AND alerts.id = documents.id AND (
     (documents.kind = '${ALERT_KIND}' AND alerts.body = documents.body)
     OR (documents.kind = '${RESOLUTION_KIND}' AND alerts.resolution = documents.body)
     OR (documents.kind = '${ACK_KIND}' AND alerts.ack = documents.body)));`,
  // 13: the tenants seen (whose own ingest key has sent data) in a table of their own; those kept as
  // documents before move into it. IF NOT EXISTS and OR IGNORE for the same reason as the tag rollups' table.
  `CREATE TABLE IF NOT EXISTS seen_tenants (
     tenant TEXT PRIMARY KEY,
     seen_at_ms INTEGER NOT NULL
   ) STRICT, WITHOUT ROWID;
   INSERT OR IGNORE INTO seen_tenants SELECT tenant,
       COALESCE(CASE WHEN json_valid(body) AND json_type(body, '$.atMs') = 'integer' THEN json_extract(body, '$.atMs') END, 0)
     FROM documents WHERE kind = '${SEEN_DOCUMENT_KIND}';
   DELETE FROM documents WHERE kind = '${SEEN_DOCUMENT_KIND}';`,
  // 14: the mark that API keys were required, in a one-row table; the document it was moves into it.
  // IF NOT EXISTS and OR IGNORE for the same reason as the tag rollups' table.
  `CREATE TABLE IF NOT EXISTS keys_required (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     since_ms INTEGER NOT NULL
   ) STRICT;
   INSERT OR IGNORE INTO keys_required SELECT 1, 0 FROM documents WHERE ${KEYS_REQUIRED_WHERE};
   DELETE FROM documents WHERE ${KEYS_REQUIRED_WHERE};`,
  // 15: alert rules in a table of their own, the threshold an integer of nano-USD (NULL for a rule
  // without one); the rules kept as documents before (the threshold a decimal string in the JSON) move
  // into it. IF NOT EXISTS and OR IGNORE for the same reason as the tag rollups' table.
  `CREATE TABLE IF NOT EXISTS alert_rules (
     tenant TEXT NOT NULL,
     id TEXT NOT NULL,
     threshold_nanos INTEGER,
     body TEXT NOT NULL,
     PRIMARY KEY (tenant, id)
   ) STRICT, WITHOUT ROWID;
   INSERT OR IGNORE INTO alert_rules SELECT tenant, id, CAST(json_extract(body, '$.thresholdNanos') AS INTEGER), json_remove(body, '$.thresholdNanos')
     FROM documents WHERE ${OLD_ALERT_RULE};
   DELETE FROM documents WHERE ${OLD_ALERT_RULE};`,
  // 16: the alert history with each alert's value and threshold in INTEGER columns of nano-USD; the
  // alerts kept before (their amounts decimal strings in the JSON) move into it, and an amount no 64-bit
  // integer holds stays in the JSON. A table of its own (the alerts table goes), so that migration 12,
  // replayed from an older user_version, still fills the table it knows; IF NOT EXISTS and OR IGNORE
  // for the same reason as the tag rollups' table.
  `CREATE TABLE IF NOT EXISTS alert_history (
     tenant TEXT NOT NULL,
     id TEXT NOT NULL,
     order_key TEXT NOT NULL,
     acked_at_ms INTEGER NOT NULL,
     value_nanos INTEGER,
     threshold_nanos INTEGER,
     body TEXT NOT NULL,
     resolution TEXT,
     ack TEXT,
     PRIMARY KEY (tenant, id)
   ) STRICT, WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS alert_history_in_order ON alert_history (tenant, order_key);
   INSERT OR IGNORE INTO alert_history
     SELECT tenant, id, order_key, acked_at_ms,
       CASE WHEN ${OLD_VALUE} THEN CAST(json_extract(body, '$.valueNanos') AS INTEGER) END,
       CASE WHEN ${OLD_THRESHOLD} THEN CAST(json_extract(body, '$.thresholdNanos') AS INTEGER) END,
       CASE WHEN ${OLD_VALUE} AND ${OLD_THRESHOLD} THEN json_remove(body, '$.valueNanos', '$.thresholdNanos')
         WHEN ${OLD_VALUE} THEN json_remove(body, '$.valueNanos')
         WHEN ${OLD_THRESHOLD} THEN json_remove(body, '$.thresholdNanos')
         ELSE body END,
       resolution, ack
     FROM alerts;
   DROP TABLE alerts;`,
  // 17: channels and digest subscriptions in tables of their own (they hold no money: JSON); those kept
  // as documents before move into them. IF NOT EXISTS and OR IGNORE for the same reason as the tag rollups' table.
  jsonEntityTable(STORED_CHANNELS) + jsonEntityTable(STORED_DIGEST_SUBSCRIPTIONS),
  // 18: the providers' admin keys set through the API (to import their bills), by tenant and provider,
  // in a table of their own; those kept as documents before move into it.
  jsonEntityTable(STORED_PROVIDER_ADMIN_KEYS),
  // 19: the days the providers billed, each cost an INTEGER of nano-USD: the day's total in billed_days,
  // each line's in billed_lines (in the line's order); the days kept as documents before (their amounts
  // decimal strings in the JSON) move into them. IF NOT EXISTS and OR IGNORE for the same reason as the
  // tag rollups' table.
  `CREATE TABLE IF NOT EXISTS billed_days (
     tenant TEXT NOT NULL,
     provider TEXT NOT NULL,
     day TEXT NOT NULL,
     cost_nanos INTEGER NOT NULL,
     rest TEXT NOT NULL,
     PRIMARY KEY (tenant, provider, day)
   ) STRICT, WITHOUT ROWID;
   CREATE TABLE IF NOT EXISTS billed_lines (
     tenant TEXT NOT NULL,
     provider TEXT NOT NULL,
     day TEXT NOT NULL,
     line INTEGER NOT NULL,
     item TEXT NOT NULL,
     model TEXT,
     cost_nanos INTEGER NOT NULL,
     PRIMARY KEY (tenant, provider, day, line)
   ) STRICT, WITHOUT ROWID;
   INSERT OR IGNORE INTO billed_days
     SELECT tenant, json_extract(body, '$.provider'), json_extract(body, '$.day'), CAST(json_extract(body, '$.costNanos') AS INTEGER),
       json_remove(body, '$.provider', '$.day', '$.costNanos', '$.lines')
     FROM documents WHERE ${OLD_BILLED_DAY};
   INSERT OR IGNORE INTO billed_lines
     SELECT d.tenant, json_extract(d.body, '$.provider'), json_extract(d.body, '$.day'), l.key,
       json_extract(l.value, '$.item'), json_extract(l.value, '$.model'), CAST(json_extract(l.value, '$.costNanos') AS INTEGER)
     FROM documents d, json_each(d.body, '$.lines') l WHERE ${OLD_BILLED_DAY.replaceAll('body', 'd.body').replace('kind =', 'd.kind =')};
   DELETE FROM documents WHERE ${OLD_BILLED_DAY};`,
  // 20: the marks that a tenant's default alert rules were written, in a table of their own; those kept
  // as documents before move into it.
  jsonEntityTable(STORED_ALERT_RULES_SEEDED),
  // 21: the open index of firing alerts and the claims to deliver an alert again, in tables of their
  // own; those kept as documents before move into them (an entry that holds none stays where it is).
  // IF NOT EXISTS and OR IGNORE for the same reason as the tag rollups' table.
  `CREATE TABLE IF NOT EXISTS open_alerts (
     tenant TEXT NOT NULL,
     id TEXT NOT NULL,
     rule_id TEXT NOT NULL,
     fired_at_ms INTEGER NOT NULL,
     delivered INTEGER NOT NULL,
     PRIMARY KEY (tenant, id)
   ) STRICT, WITHOUT ROWID;
   CREATE TABLE IF NOT EXISTS alert_redeliveries (
     tenant TEXT NOT NULL,
     id TEXT NOT NULL,
     at_ms INTEGER NOT NULL,
     PRIMARY KEY (tenant, id)
   ) STRICT, WITHOUT ROWID;
   INSERT OR IGNORE INTO open_alerts
     SELECT tenant, id, json_extract(body, '$.ruleId'), json_extract(body, '$.firedAtMs'), json_extract(body, '$.delivered') FROM documents WHERE ${OLD_OPEN_ALERT};
   DELETE FROM documents WHERE ${OLD_OPEN_ALERT};
   INSERT OR IGNORE INTO alert_redeliveries SELECT tenant, id, ${msIn('$.atMs')} FROM documents WHERE kind = '${REDELIVERY_KIND}';
   DELETE FROM documents WHERE kind = '${REDELIVERY_KIND}';`,
  // 22: the alerts' deliveries in a table of their own, one row per alert, state and channel (the
  // record as JSON); those kept as documents before move into it (a document that holds none stays
  // where it is). IF NOT EXISTS and OR IGNORE for the same reason as the tag rollups' table.
  `CREATE TABLE IF NOT EXISTS alert_deliveries (
     tenant TEXT NOT NULL,
     alert_id TEXT NOT NULL,
     state TEXT NOT NULL,
     channel_id TEXT NOT NULL,
     body TEXT NOT NULL,
     PRIMARY KEY (tenant, alert_id, state, channel_id)
   ) STRICT, WITHOUT ROWID;
   INSERT OR IGNORE INTO alert_deliveries
     SELECT tenant, json_extract(body, '$.alertId'), json_extract(body, '$.state'), json_extract(body, '$.channelId'), json_remove(body, '$.alertId')
     FROM documents WHERE ${OLD_DELIVERY};
   DELETE FROM documents WHERE ${OLD_DELIVERY};`,
  // 23: the digest runs in a table of their own, each digest's total, the total of the period before
  // and the change INTEGER columns of nano-USD (an amount no 64-bit integer holds stays in the JSON);
  // when each was sent, the claims to send one again and each channel's outcome in tables beside it,
  // each with the run's subscription. Those kept as documents before move into them (a document that
  // holds none stays where it is). IF NOT EXISTS and OR IGNORE for the same reason as the tag rollups' table.
  `CREATE TABLE IF NOT EXISTS digest_runs (
     tenant TEXT NOT NULL,
     id TEXT NOT NULL,
     subscription_id TEXT NOT NULL,
     period_start_ms INTEGER NOT NULL,
     total_nanos INTEGER,
     previous_nanos INTEGER,
     change_nanos INTEGER,
     body TEXT NOT NULL,
     PRIMARY KEY (tenant, id)
   ) STRICT, WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS digest_runs_of_subscription ON digest_runs (tenant, subscription_id, period_start_ms);
   CREATE TABLE IF NOT EXISTS digest_sent (
     tenant TEXT NOT NULL,
     id TEXT NOT NULL,
     subscription_id TEXT NOT NULL,
     at_ms INTEGER NOT NULL,
     PRIMARY KEY (tenant, id)
   ) STRICT, WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS digest_sent_of_subscription ON digest_sent (tenant, subscription_id);
   CREATE TABLE IF NOT EXISTS digest_redeliveries (
     tenant TEXT NOT NULL,
     id TEXT NOT NULL,
     at_ms INTEGER NOT NULL,
     PRIMARY KEY (tenant, id)
   ) STRICT, WITHOUT ROWID;
   CREATE TABLE IF NOT EXISTS digest_deliveries (
     tenant TEXT NOT NULL,
     run_id TEXT NOT NULL,
     channel_id TEXT NOT NULL,
     subscription_id TEXT NOT NULL,
     body TEXT NOT NULL,
     PRIMARY KEY (tenant, run_id, channel_id)
   ) STRICT, WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS digest_deliveries_of_subscription ON digest_deliveries (tenant, subscription_id);
   INSERT OR IGNORE INTO digest_runs
     SELECT tenant, id, json_extract(body, '$.subscriptionId'), json_extract(body, '$.periodStartMs'), ${digestTotal('$.digest.totalCostNanos')},
       ${digestTotal('$.digest.previous.totalCostNanos')}, ${digestTotal('$.digest.changeNanos')}, json_set(body, '$.id', id)
     FROM documents WHERE ${OLD_DIGEST_RUN};
   UPDATE digest_runs SET body = json_remove(body, '$.digest.totalCostNanos') WHERE total_nanos IS NOT NULL;
   UPDATE digest_runs SET body = json_remove(body, '$.digest.previous.totalCostNanos') WHERE previous_nanos IS NOT NULL;
   UPDATE digest_runs SET body = json_remove(body, '$.digest.changeNanos') WHERE change_nanos IS NOT NULL;
   DELETE FROM documents WHERE ${OLD_DIGEST_RUN};
   INSERT OR IGNORE INTO digest_sent SELECT tenant, id, ${subscriptionOf('id')}, ${msIn('$.atMs')} FROM documents WHERE kind = '${DIGEST_KINDS.sent}';
   DELETE FROM documents WHERE kind = '${DIGEST_KINDS.sent}';
   INSERT OR IGNORE INTO digest_redeliveries SELECT tenant, id, ${msIn('$.atMs')} FROM documents WHERE kind = '${DIGEST_KINDS.redelivery}';
   DELETE FROM documents WHERE kind = '${DIGEST_KINDS.redelivery}';
   INSERT OR IGNORE INTO digest_deliveries
     SELECT tenant, json_extract(body, '$.runId'), json_extract(body, '$.channelId'), ${subscriptionOf("json_extract(body, '$.runId')")}, json_remove(body, '$.runId')
     FROM documents WHERE ${OLD_DIGEST_DELIVERY};
   DELETE FROM documents WHERE ${OLD_DIGEST_DELIVERY};`,
  // 24: each writer's last committed insert (see StoreWriter.insertAll), so a read says which of its
  // process's batches it holds.
  `CREATE TABLE IF NOT EXISTS write_marks (
     writer TEXT PRIMARY KEY,
     seq INTEGER NOT NULL
   ) STRICT;`,
];

/** The tables that hold the rollup measures. */
const ROLLUP_TABLES = ['rollups', 'rollup_totals', 'rollup_dims', 'rollup_dims_day', 'tag_rollups'];

/**
 * What adds the measure columns a store made before their measure existed lacks, at 0 in the rows it
 * has (the records folded before then count nowhere in that measure), to the tables it has so far.
 */
function measureColumnsToAdd(db: DatabaseSync): string[] {
  const statements: string[] = [];
  for (const table of ROLLUP_TABLES) {
    const present = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
    if (present.size === 0) continue;
    for (const m of MEASURES) if (!present.has(m.column)) statements.push(`ALTER TABLE ${table} ADD COLUMN ${measureColumnDefinition(m)} DEFAULT 0`);
  }
  return statements;
}

export function migrate(db: DatabaseSync): void {
  const { user_version: current } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  if (current > MIGRATIONS.length) {
    throw new Error(`the database was written by a newer tokenledger (schema ${current}, this one knows ${MIGRATIONS.length}); upgrade tokenledger`);
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    // A migration may fill a rollup table from another by every measure: both have every column first.
    inTransaction(db, () => {
      for (const statement of measureColumnsToAdd(db)) db.exec(statement);
      db.exec(MIGRATIONS[version]);
      db.exec(`PRAGMA user_version = ${version + 1}`);
    });
  }
  if (measureColumnsToAdd(db).length > 0) inTransaction(db, () => measureColumnsToAdd(db).forEach((statement) => db.exec(statement)));
}

function inTransaction(db: DatabaseSync, work: () => void): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    work();
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
