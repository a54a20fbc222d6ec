import { Logger } from '@nestjs/common';
import type { UsageRecord } from '../usage/usage-record';
import type { StoragePort } from './storage.port';

/** Records one `ingest` call stored now (never duplicates), with the call's sequence number. */
export interface StoredBatch {
  /** Increases with each ingest call this process starts; see `StoredRecordsFeed.started`. */
  seq: number;
  records: UsageRecord[];
}

export type StoredBatchListener = (batch: StoredBatch) => void;

/**
 * What this process stores, as it stores it: listeners hear each batch of newly stored records after
 * they are durable and before the ingest call resolves (so before the OTLP ack). Caches built from
 * the rollups (budget spend) use it to stay exact without re-reading, and use `started` and
 * `inFlight` to tell whether a rollup read they made may or may not have seen a concurrent batch.
 * Other processes sharing the store are not heard here; those caches re-read for them.
 */
export class StoredRecordsFeed {
  private readonly logger = new Logger('StoredRecordsFeed');
  private readonly listeners = new Set<StoredBatchListener>();
  /** Ingest calls started so far; a call's seq is the value right after it started. */
  started = 0;
  /** Ingest calls started and not yet settled. */
  inFlight = 0;
  private readonly tenants = new Map<string, { started: number; inFlight: number }>();

  /**
   * Ingest calls carrying records of `tenant`: how many started, how many are unsettled. A rollup read
   * for the tenant saw every batch of it exactly when no such call was in flight before and after
   * the read and none started in between.
   */
  activity(tenant: string): { started: number; inFlight: number } {
    const a = this.tenants.get(tenant);
    return a ? { ...a } : { started: 0, inFlight: 0 };
  }

  subscribe(listener: StoredBatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The store with `ingest` reporting to this feed; every other member is the store's own. */
  observe(store: StoragePort): StoragePort {
    const ingest = store.ingest.bind(store);
    const observed: StoragePort['ingest'] = async (records) => {
      const seq = ++this.started;
      this.inFlight++;
      const touched = [...new Set(records.map((r) => r.tenant))].map((tenant) => {
        let a = this.tenants.get(tenant);
        if (!a) this.tenants.set(tenant, (a = { started: 0, inFlight: 0 }));
        a.started++;
        a.inFlight++;
        return a;
      });
      try {
        const outcome = await ingest(records);
        if (outcome.stored.length > 0) this.publish({ seq, records: outcome.stored });
        return outcome;
      } finally {
        this.inFlight--;
        for (const a of touched) a.inFlight--;
      }
    };
    return new Proxy(store, {
      get: (target, property, receiver) => {
        if (property === 'ingest') return observed;
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  private publish(batch: StoredBatch): void {
    for (const listener of this.listeners) {
      try {
        listener(batch);
      } catch (err) {
        // The records are durable; a listener's fault must not turn the ack into a retry.
        this.logger.error(`a stored-records listener failed: ${(err as Error).message}`);
      }
    }
  }
}
