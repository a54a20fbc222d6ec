import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { extname, join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type { UsageRecord } from '../../usage/usage-record';
import { encodeRecord } from '../record-codec';
import {
  type CorrectRequest,
  type FoldOutcome,
  type FoldRequest,
  type InsertOutcome,
  type InsertRequest,
  type PackedFold,
  type RecordRow,
  type SetAsideRequest,
  StoreWriter,
  type WritePlan,
} from './store-writer.worker';

/** The hot path's writes (record inserts, rollup folds): on a worker thread for a file, inline for ':memory:'. */
export interface StoreWrites {
  /** Names these writes in `write_marks`, where each insert's transaction records its seq (see InsertOutcome.seq). */
  readonly writer: string;
  /**
   * Inserts the records not stored yet (durable once WalSync says so). Rejects if the store fails.
   * `rows`: the same records already encoded (see PreparedBatch), handed over as they are (`records` is then not read).
   */
  insert(records: readonly UsageRecord[], rows?: SharedArrayBuffer): Promise<InsertOutcome>;
  /**
   * Takes the claimed `unfolded` rows and applies the plan, and the batches' packed sums when given
   * (merged and planned where the writes run), or reports which claims were taken already.
   */
  fold(claims: number[], plan: WritePlan, packed?: PackedFold): Promise<FoldOutcome>;
  /** Takes the claimed `unfolded` row and records its batch as set aside (never folded), with the reason. */
  setAside(claim: number, reason: string): Promise<FoldOutcome>;
  /** Replaces the records still at their revision and applies the plan, or reports (as indexes) the updates whose record was not. */
  correct(updates: CorrectRequest['updates'], plan: WritePlan): Promise<FoldOutcome>;
  close(): Promise<void>;
}

/** A fold whose sums no rollup row can hold: retrying cannot help (see RollupFolds' set-aside). */
export class UnstorableSumsError extends Error {}

export function recordRow(r: UsageRecord): RecordRow {
  return [r.id, r.tenant, r.timeMs, r.provider, r.model, r.costType, r.user, r.agent, r.feature, r.service, r.status, encodeRecord(r)];
}

function settled<T extends { error?: string; unstorable?: boolean }>(outcome: T): T {
  if (outcome.error !== undefined) throw failure(outcome);
  return outcome;
}

const failure = (outcome: { error?: string; unstorable?: boolean }) => (outcome.unstorable ? new UnstorableSumsError(outcome.error) : new Error(outcome.error));

/** The same writes on a connection of this thread: ':memory:' databases, and the fold at start. */
export class InlineWrites implements StoreWrites {
  readonly writer = randomUUID();
  private readonly writes: StoreWriter;
  private seq = 0;

  constructor(db: DatabaseSync) {
    this.writes = new StoreWriter(db);
  }

  async insert(records: readonly UsageRecord[], rows?: SharedArrayBuffer): Promise<InsertOutcome> {
    return settled(this.writes.insertAll([{ kind: 'insert', seq: ++this.seq, writer: this.writer, rows: rows ?? records.map(recordRow) }])[0]);
  }

  async fold(claims: number[], plan: WritePlan, packed?: PackedFold): Promise<FoldOutcome> {
    return settled(this.writes.fold({ kind: 'fold', seq: ++this.seq, claims, plan, packed }));
  }

  async setAside(claim: number, reason: string): Promise<FoldOutcome> {
    return settled(this.writes.setAside({ kind: 'set-aside', seq: ++this.seq, claim, reason, atMs: Date.now() }));
  }

  async correct(updates: CorrectRequest['updates'], plan: WritePlan): Promise<FoldOutcome> {
    return settled(this.writes.correct({ kind: 'correct', seq: ++this.seq, updates, plan }));
  }

  async close(): Promise<void> {}
}

/** How often the checkpointer thread copies the WAL into the database file. */
const CHECKPOINT_INTERVAL_MS = 250;

function startThread(role: string, options: object): Worker {
  // The compiled .js next to this file, or the .ts source under the tests: Node strips its types, and
  // would warn on every start that it guessed the source's module type (ESM) from its syntax.
  const source = extname(__filename) === '.ts';
  const thread = new Worker(join(__dirname, `store-writer.worker${extname(__filename)}`), {
    workerData: { role, options },
    execArgv: source ? ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON'] : undefined,
  });
  thread.unref();
  return thread;
}

/**
 * Sends the writes to a worker thread with its own connection to the file. What crosses threads is
 * plain arrays of strings and numbers (records are serialised here), cheap to copy, or records an
 * ingest thread serialised already, in a buffer the threads share without a copy.
 */
export class ThreadWrites implements StoreWrites {
  readonly writer = randomUUID();
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (o: InsertOutcome & FoldOutcome) => void; reject: (e: Error) => void }>();
  private seq = 0;
  private failure: Error | null = null;

  private readonly checkpointer: Worker;

  constructor(path: string, busyTimeoutMs: number) {
    this.worker = startThread('tokenledger-store-writer', { path, busyTimeoutMs });
    this.checkpointer = startThread('tokenledger-checkpointer', { path, busyTimeoutMs, intervalMs: CHECKPOINT_INTERVAL_MS });
    this.worker.on('message', (outcome: InsertOutcome & FoldOutcome) => {
      const waiter = this.waiting.get(outcome.seq);
      this.waiting.delete(outcome.seq);
      if (outcome.error !== undefined) waiter?.reject(failure(outcome));
      else waiter?.resolve(outcome);
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      for (const waiter of this.waiting.values()) waiter.reject(err);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the store's writer thread stopped (exit code ${code})`)));
  }

  insert(records: readonly UsageRecord[], rows?: SharedArrayBuffer): Promise<InsertOutcome> {
    // Shared with the writer, not copied: the batch keeps its rows, to decode its records should it need them (see recordsOf).
    if (rows) return this.send((seq): InsertRequest => ({ kind: 'insert', seq, writer: this.writer, rows }));
    const encoded = records.map(recordRow);
    return this.send((seq): InsertRequest => ({ kind: 'insert', seq, writer: this.writer, rows: encoded }));
  }

  fold(claims: number[], plan: WritePlan, packed?: PackedFold): Promise<FoldOutcome> {
    // The packed sums are shared, not copied: reads still add the batches from them until the fold is answered.
    return this.send((seq): FoldRequest => ({ kind: 'fold', seq, claims, plan, packed }));
  }

  setAside(claim: number, reason: string): Promise<FoldOutcome> {
    return this.send((seq): SetAsideRequest => ({ kind: 'set-aside', seq, claim, reason, atMs: Date.now() }));
  }

  correct(updates: CorrectRequest['updates'], plan: WritePlan): Promise<FoldOutcome> {
    return this.send((seq): CorrectRequest => ({ kind: 'correct', seq, updates, plan }));
  }

  async close(): Promise<void> {
    const stopped = [this.checkpointer, ...(this.failure ? [] : [this.worker])].map((thread) => {
      // Referenced again while they finish: an unreferenced thread would let the process exit here,
      // with this promise pending and whatever follows the close never run.
      thread.ref();
      const exited = once(thread, 'exit');
      thread.postMessage('close');
      return exited;
    });
    await Promise.all(stopped);
  }

  private send<T>(request: (seq: number) => InsertRequest | FoldRequest | CorrectRequest | SetAsideRequest, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(seq, { resolve: resolve as (o: InsertOutcome & FoldOutcome) => void, reject });
      this.worker.postMessage(request(seq), transfer);
    });
  }
}
