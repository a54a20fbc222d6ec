import type { Budget } from '../budgets/budget';
import type { AlertRule } from '../alerts/alert-rule';
import type { Channel } from '../channels/channel';
import type { DigestSubscription } from '../digests/digest-subscription';
import type { StoredAdminKey } from '../billing/admin-keys.service';
import type { AlertRulesSeeded } from './stored-settings';
import type { UsageRecord } from '../usage/usage-record';
import type { EntityRepository } from './repositories/entity-repository';
import type { AlertHistory, OpenAlerts } from './repositories/alerts.repository';
import type { SeenTenants } from './repositories/seen-tenants.repository';
import type { DeliveriesRepository } from './repositories/deliveries.repository';
import type { DigestRunsRepository } from './repositories/digest-runs.repository';
import type { KeysRequiredMark } from './repositories/keys-required.repository';
import type { BilledDaysRepository } from './repositories/billed-days.repository';
import type { Totals } from './rollup-measures';
import type { TagFilter } from './tag-sets';
import type { MongoPreparedBatch } from './mongo/prepared-batch';
import type { PreparedBatch } from './sqlite/prepared-batch';

/** Rollups are kept in 15-minute UTC buckets: every IANA offset is a multiple of 15 minutes, so any zone's hour, day, week or month is an exact union of buckets. */
export const BUCKET_MS = 15 * 60 * 1000;

/** Dimensions reports filter and group by. Each is a column of the rollups. */
export const ROLLUP_DIMENSIONS = ['provider', 'model', 'costType', 'user', 'agent', 'feature', 'service', 'status'] as const;
export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];

export type DimensionFilters = Partial<Record<RollupDimension, string>>;

export interface RollupQuery {
  tenant: string;
  /** Inclusive, epoch ms, on a bucket boundary. */
  fromMs: number;
  /** Exclusive, epoch ms, on a bucket boundary. */
  toMs: number;
  filters: DimensionFilters;
  /**
   * Only records whose tags include every key=value given (absent or empty: every record). Answered
   * from rollups kept per tag set, which only tagged records have.
   */
  tags?: TagFilter;
  /**
   * Also group by the records' tag set (`key.tags`, see canonicalTagSet): then only tagged records
   * count, one row per tag set and groupBy values. What a breakdown by a tag key and the list of the
   * keys used are summed from.
   */
  byTagSet?: boolean;
  /** Dimensions to group by; `bucket` groups by the 15-minute bucket start. Empty = one total row. */
  groupBy: ReadonlyArray<RollupDimension | 'bucket'>;
  /**
   * The most rows the answer may hold (absent: no bound): every adapter throws TooManyRowsError
   * (rollup-rows.ts) as soon as it meets one more, so what it holds stays bounded by this, not by the
   * range and how many distinct values it stored.
   */
  maxRows?: number;
}

/** Exact sums over the records of one group, one field per rollup measure (see rollup-measures.ts). */
export type RollupTotals = Totals;

export interface RollupRow extends RollupTotals {
  /** The group's value for each groupBy dimension (null where the records had none); `bucket` is the bucket start in epoch ms. */
  key: Partial<Record<RollupDimension, string | null>> & { bucket?: number; tags?: string };
}

/** What an ingest thread prepares of a call's records for the store it writes to (see RecordsWriter.ingest). */
export type PreparedIngest = PreparedBatch | MongoPreparedBatch;

export interface IngestOutcome {
  /**
   * Records stored now (not seen before). Their amounts are in the rollups when ingest resolves.
   * Every record given is stored, a duplicate or refused, so how many were stored is told without
   * reading this (see storedCount): of a batch prepared for the sqlite store, read only when needed.
   */
  stored: UsageRecord[];
  /** Records whose id was already stored: not stored or counted again. */
  duplicates: number;
  /**
   * Records not stored because a total they belong to would pass what the store can hold (see the
   * collector README, "Money never wraps"), with the reason; an adapter that cannot tell leaves it out.
   */
  refused?: { id: string; reason: string }[];
  /** Where the records stored now stand among this store's writes: what `aggregateHeld`'s `holds` is asked about. */
  written?: WriteMark;
}

/** A store's own note of where a batch it wrote stands among its writes (opaque outside the store). */
export type WriteMark = unknown;

/** Exact sums, and which of this store's own writes they hold. */
export interface HeldRows {
  rows: RollupRow[];
  /**
   * Whether the sums hold the records of the write `written` names (see IngestOutcome.written) for
   * the tenant read, whenever that write ends: it may have been under way while they were read. Null
   * when the store cannot tell.
   */
  holds: (written: WriteMark) => boolean | null;
}

/** How many of `given` records ingest stored now (see IngestOutcome.stored). */
export const storedCount = (given: number, outcome: IngestOutcome): number => given - outcome.duplicates - (outcome.refused?.length ?? 0);

export interface RecordQuery {
  tenant: string;
  fromMs: number;
  toMs: number;
  filters: DimensionFilters;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  limit: number;
}

export interface RecordPage {
  records: UsageRecord[];
  nextCursor: string | null;
}

/**
 * A re-priced record: `next` is `previous` with another cost and pricing (same id, tenant, time,
 * dimensions and tags) and the pricing it replaced appended to `priorPricings`.
 */
export interface RecordCorrection {
  previous: UsageRecord;
  next: UsageRecord;
}

export type ApiKeyRole = 'ingest' | 'viewer' | 'metrics' | 'admin';

/** An API key as stored: its secret only as a SHA-256 hash. */
export interface ApiKeyRecord {
  /** Public id (shown in lists, used to revoke). */
  id: string;
  /** Hex SHA-256 of the whole key. */
  hash: string;
  role: ApiKeyRole;
  /** The one tenant the key may see, or null for every tenant. */
  tenant: string | null;
  name: string | null;
  createdAtMs: number;
  revokedAtMs: number | null;
}

/** Ingest's and re-pricing's side of the records: what writes them and their rollup contributions. */
export interface RecordsWriter {
  /**
   * `prepared`: what an ingest thread made of the records for the configured store (PreparedBatch for
   * sqlite, MongoPreparedBatch for mongo); a store takes only its own, and the records alone as well.
   * A sqlite PreparedBatch comes without its records (`records` empty): the store decodes them from
   * it only where it needs them one by one.
   */
  ingest(records: UsageRecord[], prepared?: PreparedIngest): Promise<IngestOutcome>;
  /**
   * Re-pricing: stores each `next` in place of its record and adds next − previous to every rollup,
   * exactly once per record and revision (`revisionOf(previous)`): a correction whose record is no
   * longer at that revision (another run or instance corrected it first) is left out. A crash at any
   * point, a second run, two instances at once: each revision's difference counts once. Resolves
   * with the ids this call corrected; reads after it see the corrected sums.
   */
  correctRecords(corrections: RecordCorrection[]): Promise<string[]>;
  /** Retention: deletes raw records older than `beforeMs`; rollups are kept. Returns how many were deleted. */
  purgeRecordsBefore(beforeMs: number): Promise<number>;
}

/** Raw records as stored, for the call log, exports and re-pricing. */
export interface RecordsReader {
  /** Raw records, newest first, cursor-paginated. */
  listRecords(query: RecordQuery): Promise<RecordPage>;
  /** One raw record by id, only from its own tenant; null when the tenant has none of that id (or retention deleted it). */
  getRecord(tenant: string, id: string): Promise<UsageRecord | null>;
  /** Every raw record matching, oldest first, without holding them all in memory. */
  streamRecords(query: Omit<RecordQuery, 'cursor' | 'limit'>): AsyncIterable<UsageRecord>;
}

/**
 * A breakdown whose values are too many or too open to be a dimension of the rollups: `conversation`
 * (the records' conversation id) or `tag:<key>` (the value of one tag key). Kept in rollups of its own,
 * per 15-minute bucket and per UTC day, for every record that has a value.
 */
export interface ValueRollupQuery {
  tenant: string;
  /** Inclusive, epoch ms, on a bucket boundary. */
  fromMs: number;
  /** Exclusive, epoch ms, on a bucket boundary. */
  toMs: number;
  /** `conversation` or `tag:<key>`. */
  by: string;
  /**
   * Only the calls these match (a breakdown by conversation). A store whose value rollups cannot
   * tell which calls a filter keeps leaves those days uncovered: with any filter, sqlite leaves the
   * whole range, and mongo the days compacted before it kept the conversations per group.
   */
  filters?: DimensionFilters;
  /** The most values read: past this many, `more` says so and the sums are left incomplete. */
  maxValues: number;
}

export interface ValueSums {
  /** Each value's exact sums over the covered part of the range. */
  values: { value: string; totals: RollupTotals }[];
  /** True when the range holds more than `maxValues` values (then `values` is incomplete). */
  more: boolean;
  /**
   * The parts of the range these rollups do not hold (days stored before they existed), each on
   * bucket boundaries: the caller sums them another way (raw records, the tag-set rollups).
   */
  uncovered: { fromMs: number; toMs: number }[];
}

/** What reports, budgets and alerts read: exact sums. */
export interface RollupReader {
  /** Exact sums from the rollups (never a scan of raw records). */
  aggregate(query: RollupQuery): Promise<RollupRow[]>;
  /**
   * The same sums, saying which of this store's own writes they hold: a caller that adds each write
   * it made to what it read adds exactly those the read does not hold (the budget spend cache).
   */
  aggregateHeld(query: RollupQuery): Promise<HeldRows>;
  /** Exact sums per value of a breakdown kept in rollups of its own (see ValueRollupQuery). */
  valueSums(query: ValueRollupQuery): Promise<ValueSums>;
  /**
   * The pairs of dimensions a tenant's spend is asked by often (budgets scoped by two), all of them
   * each time (an empty list: none). An adapter that sums two dimensions from its finest rollups may
   * keep rollups of those pairs, so such reads cost what one dimension costs; answers stay the same.
   */
  keepPairRollups(tenant: string, pairs: readonly DimensionPair[]): Promise<void>;
}

/** Two different rollup dimensions. */
export type DimensionPair = readonly [RollupDimension, RollupDimension];

/** API keys: created, found by hash, listed and revoked (never deleted). */
export interface ApiKeysRepository {
  createApiKey(key: ApiKeyRecord): Promise<void>;
  /** The live (not revoked) key with this hash. */
  findApiKey(hash: string): Promise<ApiKeyRecord | null>;
  /** Keys of one tenant (null: all keys), revoked ones included, newest first. */
  listApiKeys(tenant: string | null): Promise<ApiKeyRecord[]>;
  /** Revokes a key; returns false when no live key of that id (and tenant, unless null) exists. */
  revokeApiKey(id: string, tenant: string | null, atMs: number): Promise<boolean>;
  /** Whether any live key exists (no keys at all means open mode). */
  hasApiKeys(): Promise<boolean>;
}

/** Entities kept in tables (collections) of their own, their money as integers of nano-USD. */
export interface EntityTables {
  readonly budgets: EntityRepository<Budget>;
  readonly alertRules: EntityRepository<AlertRule>;
  readonly channels: EntityRepository<Channel>;
  readonly digestSubscriptions: EntityRepository<DigestSubscription>;
  /** The providers' admin keys set through the API, by tenant and provider. */
  readonly providerAdminKeys: EntityRepository<StoredAdminKey>;
  /** The tenants whose default alert rules were written. */
  readonly alertRulesSeeded: EntityRepository<AlertRulesSeeded>;
  /** Fired alerts with their resolutions and acknowledgements, paged in the store. */
  readonly alertHistory: AlertHistory;
  /** The firing alerts the next evaluation reads, and the claims to deliver one again. */
  readonly openAlerts: OpenAlerts;
  /** How each delivery of an alert went, one per alert, state and channel. */
  readonly alertDeliveries: DeliveriesRepository;
  /** The digests sent, each once per subscription and period, with their totals in integers of nano-USD. */
  readonly digestRuns: DigestRunsRepository;
  /** The tenants whose own ingest key has sent data. */
  readonly seenTenants: SeenTenants;
  /** Whether API keys were ever required. */
  readonly keysRequired: KeysRequiredMark;
  /** The days the providers billed, every amount an integer of nano-USD. */
  readonly billedDays: BilledDaysRepository;
}

/**
 * The storage port: one adapter per database (sqlite on node:sqlite, mongo on mongoose), one contract
 * suite. Code depends on the role it needs (RecordsWriter, RollupReader, ..., each injected by its own
 * token), not on the whole port. Invariants every adapter keeps:
 * - a record id is stored once, however often and however concurrently it is delivered;
 * - `ingest` resolves only when the records AND their rollup contributions are durable (an adapter
 *   may add them to the rollups later, if what it keeps durable lets it do so exactly once after a
 *   crash), and every `aggregate` after that sees them;
 * - after a crash at any point, re-delivering the same records (what an OTLP sender does on a missing
 *   ack) leaves records and rollups exact: nothing counted twice, nothing acknowledged lost;
 * - rollup sums are exact integers (money in nano-USD as bigint).
 */
export interface StoragePort extends RecordsWriter, RecordsReader, RollupReader, ApiKeysRepository, EntityTables {
  readonly kind: 'sqlite' | 'mongo';
  init(): Promise<void>;
  close(): Promise<void>;
  /** Resolves when the store answers; rejects otherwise (readiness). */
  ping(): Promise<void>;
}
