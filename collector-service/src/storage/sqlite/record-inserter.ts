import { once } from 'node:events';
import { extname, join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type { UsageRecord } from '../../usage/usage-record';
import { encodeRecord } from '../record-codec';
import { type InsertOutcome, RecordInserter, type RecordRow } from './record-inserter.worker';

/** Where a batch's records are inserted: a worker thread for a file, the main connection for ':memory:'. */
export interface BatchInserter {
  /** Inserts the records not stored yet, durable once their WAL is synced (see WalSync). Rejects if the store fails. */
  insert(records: readonly UsageRecord[]): Promise<InsertOutcome>;
  close(): Promise<void>;
}

export function recordRow(r: UsageRecord): RecordRow {
  return [r.id, r.tenant, r.timeMs, r.provider, r.model, r.costType, r.user, r.agent, r.feature, r.service, r.status, encodeRecord(r)];
}

/** For ':memory:': the same statements on the main connection. */
export class InlineInserter implements BatchInserter {
  private readonly inserter: RecordInserter;

  constructor(db: DatabaseSync) {
    this.inserter = new RecordInserter(db);
  }

  async insert(records: readonly UsageRecord[]): Promise<InsertOutcome> {
    const [outcome] = this.inserter.insertAll([{ seq: 0, rows: records.map(recordRow) }]);
    if (outcome.error !== undefined) throw new Error(outcome.error);
    return outcome;
  }

  async close(): Promise<void> {}
}

/**
 * Sends each batch's rows to a worker thread with its own connection to the file, and resolves with
 * what it stored. The rows are plain arrays of strings and numbers, cheap to copy between threads.
 */
export class WorkerInserter implements BatchInserter {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (o: InsertOutcome) => void; reject: (e: Error) => void }>();
  private seq = 0;
  private failure: Error | null = null;

  constructor(path: string, busyTimeoutMs: number) {
    // The compiled .js next to this file, or the .ts source under the tests (Node strips its types).
    const file = join(__dirname, `record-inserter.worker${extname(__filename)}`);
    this.worker = new Worker(file, { workerData: { role: 'tokenledger-record-inserter', options: { path, busyTimeoutMs } } });
    this.worker.unref();
    this.worker.on('message', (outcome: InsertOutcome) => {
      const waiter = this.waiting.get(outcome.seq);
      this.waiting.delete(outcome.seq);
      if (outcome.error !== undefined) waiter?.reject(new Error(outcome.error));
      else waiter?.resolve(outcome);
    });
    const fail = (err: Error) => {
      this.failure = err;
      for (const waiter of this.waiting.values()) waiter.reject(err);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the record writer thread stopped (exit code ${code})`)));
  }

  insert(records: readonly UsageRecord[]): Promise<InsertOutcome> {
    if (this.failure) return Promise.reject(this.failure);
    const rows = records.map(recordRow);
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      this.worker.postMessage({ seq, rows });
    });
  }

  async close(): Promise<void> {
    if (this.failure) return;
    const exited = once(this.worker, 'exit');
    this.worker.postMessage('close');
    await exited;
  }
}
