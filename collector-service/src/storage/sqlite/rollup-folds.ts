import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { UsageRecord } from '../../usage/usage-record';
import { decodeRecord } from '../record-codec';
import { emptyFoldSums, foldPlan, foldSums, mergeFoldSums, packedFold, type PackedSums } from './rollup-writer';
import { type StoreWrites, UnstorableSumsError } from './store-writer';

export interface FoldSettings {
  /** How long a stored batch may wait to be folded into the rollups (a read folds at once). */
  delayMs: number;
  /** Fold at once when this many records wait. */
  maxPendingRecords: number;
}

export const DEFAULT_FOLD_SETTINGS: FoldSettings = { delayMs: 200, maxPendingRecords: 20_000 };

/** A stored batch that can never be folded: its rowid range and why. */
export interface SetAsideBatch {
  firstRowid: number;
  records: number;
  reason: string;
}

/**
 * A batch stored and not folded yet, as a read adds it: how many records, and their sums (packed, see
 * PackedSums) when summed already (an ingest thread prepared it), else its records.
 */
export type UnfoldedBatch = { count: number; sums: PackedSums } | { count: number; sums: null; records: UsageRecord[] };

/** A batch this process stored, not yet in the rollups: its first record's rowid, and the batch. */
type PendingBatch = UnfoldedBatch & { firstRowid: number };

/**
 * Folds stored batches into the rollups some milliseconds after they are stored, many batches in one
 * transaction, so a rollup row shared by many batches is written once instead of once per batch.
 *
 * Exactly once, across crashes and processes: the ingest transaction that inserts a batch's records
 * also inserts a row in `unfolded` naming their rowid range (the rows one transaction inserts take
 * consecutive rowids). A fold deletes that row and adds the batch to the rollups in one transaction,
 * and adds it only if the delete took the row, so of any number of folders exactly one counts it.
 * Records that are stored and acknowledged but whose fold was lost (a crash, power loss) are still
 * named in `unfolded` and are folded from the records table at the next start, or before the next
 * read (or retention) by any process on the same file.
 *
 * Reads see every acknowledged batch: the rollups plus the records of the batches not folded yet,
 * read in one snapshot (see readWithUnfolded), or, when another process stored some of those, after
 * folding what waits.
 */
export class RollupFolds {
  private pending: PendingBatch[] = [];
  private pendingRecords = 0;
  /** The batches a fold of this process is applying now. */
  private folding: PendingBatch[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** Folds run one after another: each takes what waits when it starts. */
  private chain: Promise<void> = Promise.resolve();
  private readonly listStatement: StatementSync;
  private readonly rangeStatement: StatementSync;

  /**
   * @param db the main connection, for reads (`unfolded`, records to fold from)
   * @param writes where folds are applied (the writer thread, so no two connections of this process contend)
   */
  constructor(
    private readonly db: DatabaseSync,
    private writes: StoreWrites,
    private readonly settings: FoldSettings = DEFAULT_FOLD_SETTINGS,
    private readonly onError: (err: Error) => void = () => {},
    private readonly onSetAside: (batch: SetAsideBatch) => void = () => {},
  ) {
    this.listStatement = db.prepare('SELECT first_rowid, last_rowid FROM unfolded ORDER BY first_rowid');
    this.rangeStatement = db.prepare('SELECT doc FROM records WHERE rowid BETWEEN ? AND ?');
  }

  /** Applies later folds through these writes (the writer thread, once started). */
  use(writes: StoreWrites): void {
    this.writes = writes;
  }

  /** Right after a batch's insert committed: keeps its records, or their sums when an ingest thread made them, to fold soon. */
  queue(firstRowid: number, batch: UsageRecord[] | UnfoldedBatch): void {
    if (Array.isArray(batch)) batch = { count: batch.length, sums: null, records: batch };
    this.pending.push({ ...batch, firstRowid });
    this.pendingRecords += batch.count;
    if (this.pendingRecords >= this.settings.maxPendingRecords) this.foldSoon();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.foldSoon(), this.settings.delayMs);
      this.timer.unref();
    }
  }

  /**
   * Before a read of the rollups: folds what this process holds, and every batch another process on
   * the same file stored and has not folded yet (from its records), so the read sees every batch any
   * process acknowledged. Batches this process queued while that fold ran were acknowledged after the
   * read began: they are left to the next fold, not decoded again from their records (under steady
   * ingest that was every read's cost, one writer round trip per batch). Rejects if the store fails.
   */
  async foldForRead(): Promise<void> {
    await this.fold();
    const held = new Set([...this.pending, ...this.folding].map((b) => b.firstRowid));
    const ranges = this.list().filter((range) => !held.has(range.first));
    if (ranges.length > 0) await this.enqueue(() => this.foldFromRecords(ranges));
  }

  /**
   * Runs `read` over the rollups and lists `unfolded` in one snapshot, and answers without waiting on
   * a fold: the batches that snapshot names unfolded are exactly those its rollups lack, whether a
   * fold commits just before it or just after, so adding their records (which this process holds
   * until their fold is answered) counts every batch once. A batch named that this process does not
   * hold is one whose insert's answer is still on its way (then it waits for `inserts` and looks
   * again) or one another process stored: then null, and the caller reads after `foldForRead`.
   */
  async readWithUnfolded<T>(read: () => T, inserts: () => Promise<unknown>): Promise<{ result: T; unfolded: UnfoldedBatch[] } | null> {
    let ranges: { first: number; last: number }[];
    let result: T;
    this.db.exec('BEGIN');
    try {
      ranges = this.list();
      result = read();
    } finally {
      this.db.exec('COMMIT');
    }
    let held = this.heldOf(ranges);
    if (held === null) {
      await inserts();
      held = this.heldOf(ranges);
    }
    return held && { result, unfolded: held };
  }

  /**
   * Runs `read` over the rollups and lists `unfolded` in one snapshot, adding nothing: after a fold,
   * for a read that cannot add what is left (see SqliteStore.readCurrent). `left`: the first rowids of
   * the batches that snapshot names unfolded, which the rollups it read lack.
   */
  readLeavingUnfolded<T>(read: () => T): { result: T; left: ReadonlySet<number> } {
    this.db.exec('BEGIN');
    try {
      return { left: new Set(this.list().map((r) => r.first)), result: read() };
    } finally {
      this.db.exec('COMMIT');
    }
  }

  /** The batches of these ranges, if this process holds every one. */
  private heldOf(ranges: { first: number }[]): PendingBatch[] | null {
    if (ranges.length === 0) return [];
    const held = new Map([...this.pending, ...this.folding].map((b) => [b.firstRowid, b]));
    const batches: PendingBatch[] = [];
    for (const { first } of ranges) {
      const batch = held.get(first);
      if (!batch) return null;
      batches.push(batch);
    }
    return batches;
  }

  /** Folds everything this process holds. Rejects if the store fails. */
  fold(): Promise<void> {
    this.clearTimer();
    return this.enqueue(() => this.foldPending());
  }

  async close(): Promise<void> {
    await this.fold();
  }

  /** The smallest rowid not yet folded, if any: retention must not delete those records before they are. */
  firstUnfoldedRowid(): number | null {
    const [first] = this.list();
    return first ? first.first : null;
  }

  private enqueue(fold: () => Promise<void>): Promise<void> {
    const run = this.chain.then(fold);
    this.chain = run.catch(() => {});
    return run;
  }

  private foldSoon(): void {
    // The batches stay pending on failure: the next read or stored batch tries again.
    this.fold().catch((err: Error) => this.onError(err));
  }

  private async foldPending(): Promise<void> {
    const batches = this.pending;
    this.pending = [];
    this.pendingRecords = 0;
    this.folding = batches;
    try {
      await this.foldAll(batches);
    } catch (err) {
      // Batches folded before the failure lost their claim: folded again, they are skipped as taken.
      this.pending = [...batches, ...this.pending];
      this.pendingRecords = this.pending.reduce((n, b) => n + b.count, 0);
      throw err;
    } finally {
      this.folding = [];
    }
  }

  /** Folds batches from their stored records (the process that stored them did not, or not yet), in one transaction. */
  private async foldFromRecords(ranges: { first: number; last: number }[]): Promise<void> {
    const batches = ranges.map(({ first, last }): PendingBatch => {
      const records = (this.rangeStatement.all(first, last) as { doc: string }[]).map((row) => decodeRecord(row.doc));
      return { firstRowid: first, count: records.length, records, sums: null };
    });
    await this.foldAll(batches);
  }

  /**
   * Folds the batches in one transaction. Sums no rollup row can hold would fail that fold forever
   * and every read after it (reads fold first), so then each batch is folded alone and one that still
   * cannot be is set aside: its records stay stored, outside every total, and the log says so.
   */
  private async foldAll(batches: PendingBatch[]): Promise<void> {
    while (batches.length > 0) {
      let taken: number[];
      try {
        // Batches summed already go to the writer packed, to be merged there; only records are summed here.
        const summed = batches.flatMap((b) => (b.sums === null ? [] : [b.sums]));
        const ofRecords = batches.reduce((into, b) => (b.sums === null ? mergeFoldSums(into, foldSums(b.records)) : into), emptyFoldSums());
        ({ taken } = await this.writes.fold(
          batches.map((b) => b.firstRowid),
          summed.length === batches.length ? [] : foldPlan(ofRecords),
          summed.length > 0 ? packedFold(summed) : undefined,
        ));
      } catch (err) {
        if (!(err instanceof UnstorableSumsError)) throw err;
        if (batches.length > 1) {
          for (const batch of batches) await this.foldAll([batch]);
        } else {
          const reason = `the rollups cannot hold its sums (${err.message})`;
          const { taken: gone } = await this.writes.setAside(batches[0].firstRowid, reason);
          if (gone.length === 0) this.onSetAside({ firstRowid: batches[0].firstRowid, records: batches[0].count, reason });
        }
        return;
      }
      if (taken.length === 0) return;
      // A read in another process folded those from their records meanwhile: leave them out.
      const gone = new Set(taken);
      batches = batches.filter((b) => !gone.has(b.firstRowid));
    }
  }

  private list(): { first: number; last: number }[] {
    return (this.listStatement.all() as { first_rowid: number; last_rowid: number }[]).map((r) => ({ first: r.first_rowid, last: r.last_rowid }));
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
