import { Injectable, Logger } from '@nestjs/common';
import { type IngestBatch, sizeOf, tenantsOf } from '../storage/prepared-ingest';
import { type IngestOutcome, storedCount, type WriteMark } from '../storage/storage.port';
import type { TraceExportResult } from './ingest.service';
import { summarise, type SummaryLine } from './stored-summary';

/** The records one ingest call stored now (never duplicates), as summary lines, with the call's sequence number. */
export interface StoredBatch {
  /** Increases with each ingest call this process starts; see `IngestEvents.started`. */
  seq: number;
  lines: SummaryLine[];
  /** Where the store says the batch stands among its writes (see StoragePort.aggregateHeld); absent when it does not say. */
  written?: WriteMark;
}

/** How one OTLP trace export ended, whichever receiver took it. */
export interface ExportOutcome {
  /** From the request's arrival at the ingest service to its answer. */
  seconds: number;
  /** What became of each span; null when the request failed as a whole (undecodable, or the store failed). */
  result: TraceExportResult | null;
  /** The store failed: the sender was told to retry. */
  storeFailed: boolean;
}

type Listener<T> = (event: T) => void;

/**
 * What ingest tells the rest of the service, as plain observer lists (a call per listener, nothing
 * else on the ingest path):
 * - `stored`: each batch of newly stored records as summary lines (see summarise), once durable and
 *   before the ingest call resolves (so before the OTLP ack). A retried batch (all duplicates) emits
 *   nothing. Metering counts cost and tokens from it, the budget spend cache adds it, alerts evaluate
 *   the tenants' budgets.
 * - `exported`: how each export request ended and how long it took (metering).
 * It also counts the ingest calls under way, per tenant (`activity`): caches built from the rollups
 * use it to tell whether a rollup read they made may have missed a concurrent batch. Other
 * processes sharing the store are not heard here; those caches re-read for them.
 */
@Injectable()
export class IngestEvents {
  private readonly logger = new Logger('Ingest');
  private readonly storedListeners = new Set<Listener<StoredBatch>>();
  private readonly exportedListeners = new Set<Listener<ExportOutcome>>();
  /** Ingest calls started so far; a call's seq is the value right after it started. */
  started = 0;
  /** Ingest calls started and not yet settled. */
  inFlight = 0;
  private readonly tenants = new Map<string, { started: number; inFlight: number }>();

  onStored(listener: Listener<StoredBatch>): () => void {
    return subscribe(this.storedListeners, listener);
  }

  onExported(listener: Listener<ExportOutcome>): () => void {
    return subscribe(this.exportedListeners, listener);
  }

  /**
   * Ingest calls carrying records of `tenant`: how many started, how many are unsettled. A rollup read
   * for the tenant saw every batch of it exactly when no such call was in flight before and after
   * the read and none started in between.
   */
  activity(tenant: string): { started: number; inFlight: number } {
    const a = this.tenants.get(tenant);
    return a ? { ...a } : { started: 0, inFlight: 0 };
  }

  /**
   * Stores `records` (or the batch prepared of them) with `write` (the store's ingest), counted in flight for their tenants until it
   * settles, and emits `stored` with what it stored now before resolving. `summary` (the records'
   * summary lines, made where they were priced) is emitted as is when every record was stored now;
   * otherwise the lines are made here from the records stored.
   */
  async storing<B extends IngestBatch>(records: B, write: (records: B) => Promise<IngestOutcome>, summary?: SummaryLine[]): Promise<IngestOutcome> {
    const seq = ++this.started;
    this.inFlight++;
    const touched = tenantsOf(records).map((tenant) => {
      let a = this.tenants.get(tenant);
      if (!a) this.tenants.set(tenant, (a = { started: 0, inFlight: 0 }));
      a.started++;
      a.inFlight++;
      return a;
    });
    try {
      const outcome = await write(records);
      const stored = storedCount(sizeOf(records), outcome);
      if (stored > 0) {
        // The records stored are some of those given: as many means all of them.
        const lines = summary && stored === sizeOf(records) ? summary : summarise(outcome.stored);
        this.emit(this.storedListeners, { seq, lines, written: outcome.written });
      }
      return outcome;
    } finally {
      this.inFlight--;
      for (const a of touched) a.inFlight--;
    }
  }

  exported(outcome: ExportOutcome): void {
    this.emit(this.exportedListeners, outcome);
  }

  private emit<T>(listeners: Set<Listener<T>>, event: T): void {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (err) {
        // The records are durable; a listener's fault must not turn the ack into a retry.
        this.logger.error(`an ingest listener failed: ${(err as Error).message}`);
      }
    }
  }
}

function subscribe<T>(listeners: Set<Listener<T>>, listener: Listener<T>): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
