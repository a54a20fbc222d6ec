import type { Budget } from '../budgets/budget';
import type { AlertRule } from '../alerts/alert-rule';
import type { Channel } from '../channels/channel';
import type { DigestSubscription } from '../digests/digest-subscription';
import type { StoredAdminKey } from '../billing/admin-keys.service';
import type { AlertRulesSeeded } from './stored-settings';
import type { Ack, Resolution, StoredAlert } from '../alerts/alert';
import type { AlertEntry, AlertHistory, AlertHistoryQuery, OpenAlerts } from './repositories/alerts.repository';
import type { SeenTenants } from './repositories/seen-tenants.repository';
import type { DeliveriesRepository } from './repositories/deliveries.repository';
import type { DigestRunsRepository } from './repositories/digest-runs.repository';
import type { KeysRequiredMark } from './repositories/keys-required.repository';
import type { BilledDaysRepository } from './repositories/billed-days.repository';
import type { UsageRecord } from '../usage/usage-record';
import type { Entity, EntityRepository } from './repositories/entity-repository';
import type {
  ApiKeyRecord,
  DimensionPair,
  IngestOutcome,
  PreparedIngest,
  RecordCorrection,
  RecordPage,
  RecordQuery,
  RollupQuery,
  RollupRow,
  HeldRows,
  StoragePort,
  ValueRollupQuery,
  ValueSums,
} from './storage.port';

/** How long a sender or reader waits before asking again while the store is unavailable. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * The store failed (disk full, files not writable, the database server gone): the request may work
 * later, so it is answered 503 with Retry-After, never 500.
 */
export class StoreFaultError extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
    this.name = 'StoreFaultError';
  }
}

/** What a store throws about its arguments (a bad cursor, a bad document address): the caller's to answer. */
const isArgumentError = (err: unknown) => err instanceof TypeError || err instanceof RangeError;

function fault(err: unknown): unknown {
  return err instanceof StoreFaultError || isArgumentError(err) || !(err instanceof Error) ? err : new StoreFaultError(err);
}

async function* faultsOf<T>(iterable: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* iterable;
  } catch (err) {
    throw fault(err);
  }
}

/** Runs one call of the store, its failure (thrown or rejected) marked. */
function marked<T>(call: () => Promise<T>): Promise<T> {
  let result: Promise<T>;
  try {
    result = call();
  } catch (err) {
    throw fault(err);
  }
  return result.catch((err: unknown) => {
    throw fault(err);
  });
}

/** A repository of the store with the failures of each of its methods marked, as the store's own. */
function faultMarked<T extends object>(repository: T): T {
  return new Proxy(repository, {
    get(target, name, receiver) {
      const member: unknown = Reflect.get(target, name, receiver);
      if (typeof member !== 'function') return member;
      return (...args: unknown[]) => marked(() => (member as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });
}

/**
 * The store with every failure of its own marked as a StoreFaultError (a promise that rejects, a
 * stream that breaks), so whoever calls it can tell "retry later" from a fault in the request. Each
 * member of the port is passed on by name (the compiler asks for a member the port gains).
 */
export class FaultMarkedStore implements StoragePort {
  constructor(private readonly store: StoragePort) {}

  get kind(): StoragePort['kind'] {
    return this.store.kind;
  }

  get budgets(): EntityRepository<Budget> {
    return new FaultMarkedRepository(this.store.budgets);
  }

  get alertRules(): EntityRepository<AlertRule> {
    return new FaultMarkedRepository(this.store.alertRules);
  }

  get channels(): EntityRepository<Channel> {
    return new FaultMarkedRepository(this.store.channels);
  }

  get digestSubscriptions(): EntityRepository<DigestSubscription> {
    return new FaultMarkedRepository(this.store.digestSubscriptions);
  }

  get providerAdminKeys(): EntityRepository<StoredAdminKey> {
    return new FaultMarkedRepository(this.store.providerAdminKeys);
  }

  get alertRulesSeeded(): EntityRepository<AlertRulesSeeded> {
    return new FaultMarkedRepository(this.store.alertRulesSeeded);
  }

  get alertHistory(): AlertHistory {
    return new FaultMarkedAlertHistory(this.store.alertHistory);
  }

  get openAlerts(): OpenAlerts {
    return faultMarked(this.store.openAlerts);
  }

  get alertDeliveries(): DeliveriesRepository {
    return faultMarked(this.store.alertDeliveries);
  }

  get digestRuns(): DigestRunsRepository {
    return faultMarked(this.store.digestRuns);
  }

  get keysRequired(): KeysRequiredMark {
    const keys = this.store.keysRequired;
    return { mark: (sinceMs) => marked(() => keys.mark(sinceMs)), isMarked: () => marked(() => keys.isMarked()) };
  }

  get billedDays(): BilledDaysRepository {
    const days = this.store.billedDays;
    return { save: (tenant, day) => marked(() => days.save(tenant, day)), list: (tenant) => marked(() => days.list(tenant)) };
  }

  get seenTenants(): SeenTenants {
    const seen = this.store.seenTenants;
    return { remember: (tenant, atMs) => marked(() => seen.remember(tenant, atMs)), all: () => marked(() => seen.all()) };
  }

  init(): Promise<void> {
    return marked(() => this.store.init());
  }

  close(): Promise<void> {
    return marked(() => this.store.close());
  }

  ping(): Promise<void> {
    return marked(() => this.store.ping());
  }

  ingest(records: UsageRecord[], prepared?: PreparedIngest): Promise<IngestOutcome> {
    return marked(() => this.store.ingest(records, prepared));
  }

  correctRecords(corrections: RecordCorrection[]): Promise<string[]> {
    return marked(() => this.store.correctRecords(corrections));
  }

  purgeRecordsBefore(beforeMs: number): Promise<number> {
    return marked(() => this.store.purgeRecordsBefore(beforeMs));
  }

  aggregate(query: RollupQuery): Promise<RollupRow[]> {
    return marked(() => this.store.aggregate(query));
  }

  aggregateHeld(query: RollupQuery): Promise<HeldRows> {
    return marked(() => this.store.aggregateHeld(query));
  }

  valueSums(query: ValueRollupQuery): Promise<ValueSums> {
    return marked(() => this.store.valueSums(query));
  }

  keepPairRollups(tenant: string, pairs: readonly DimensionPair[]): Promise<void> {
    return marked(() => this.store.keepPairRollups(tenant, pairs));
  }

  listRecords(query: RecordQuery): Promise<RecordPage> {
    return marked(() => this.store.listRecords(query));
  }

  getRecord(tenant: string, id: string): Promise<UsageRecord | null> {
    return marked(() => this.store.getRecord(tenant, id));
  }

  streamRecords(query: Omit<RecordQuery, 'cursor' | 'limit'>): AsyncIterable<UsageRecord> {
    try {
      return faultsOf(this.store.streamRecords(query));
    } catch (err) {
      throw fault(err);
    }
  }

  createApiKey(key: ApiKeyRecord): Promise<void> {
    return marked(() => this.store.createApiKey(key));
  }

  findApiKey(hash: string): Promise<ApiKeyRecord | null> {
    return marked(() => this.store.findApiKey(hash));
  }

  listApiKeys(tenant: string | null): Promise<ApiKeyRecord[]> {
    return marked(() => this.store.listApiKeys(tenant));
  }

  revokeApiKey(id: string, tenant: string | null, atMs: number): Promise<boolean> {
    return marked(() => this.store.revokeApiKey(id, tenant, atMs));
  }

  hasApiKeys(): Promise<boolean> {
    return marked(() => this.store.hasApiKeys());
  }
}

/** An entity repository of the store with its failures marked, as the store's own. */
class FaultMarkedRepository<T extends Entity> implements EntityRepository<T> {
  constructor(private readonly repository: EntityRepository<T>) {}

  save(tenant: string, entity: T): Promise<void> {
    return marked(() => this.repository.save(tenant, entity));
  }

  add(tenant: string, entity: T): Promise<boolean> {
    return marked(() => this.repository.add(tenant, entity));
  }

  get(tenant: string, id: string): Promise<T | null> {
    return marked(() => this.repository.get(tenant, id));
  }

  list(tenant: string): Promise<T[]> {
    return marked(() => this.repository.list(tenant));
  }

  listAll(): Promise<Array<{ tenant: string; entity: T }>> {
    return marked(() => this.repository.listAll());
  }

  remove(tenant: string, id: string): Promise<boolean> {
    return marked(() => this.repository.remove(tenant, id));
  }
}

/** The alert history of the store with its failures marked, as the store's own. */
class FaultMarkedAlertHistory implements AlertHistory {
  constructor(private readonly history: AlertHistory) {}

  insert(alert: StoredAlert): Promise<boolean> {
    return marked(() => this.history.insert(alert));
  }

  get(tenant: string, id: string): Promise<StoredAlert | null> {
    return marked(() => this.history.get(tenant, id));
  }

  page(tenant: string, query: AlertHistoryQuery): Promise<AlertEntry[]> {
    return marked(() => this.history.page(tenant, query));
  }

  resolve(tenant: string, resolution: Resolution): Promise<boolean> {
    return marked(() => this.history.resolve(tenant, resolution));
  }

  resolution(tenant: string, id: string): Promise<Resolution | null> {
    return marked(() => this.history.resolution(tenant, id));
  }

  resolutions(tenant: string): Promise<Resolution[]> {
    return marked(() => this.history.resolutions(tenant));
  }

  acknowledge(tenant: string, ack: Ack): Promise<boolean> {
    return marked(() => this.history.acknowledge(tenant, ack));
  }

  ack(tenant: string, id: string): Promise<Ack | null> {
    return marked(() => this.history.ack(tenant, id));
  }

  acks(tenant: string): Promise<Ack[]> {
    return marked(() => this.history.acks(tenant));
  }
}
