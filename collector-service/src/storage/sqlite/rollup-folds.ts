import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { UsageRecord } from '../../usage/usage-record';
import { decodeRecord } from '../record-codec';
import type { RollupWriter } from './rollup-writer';

export interface FoldSettings {
  /** How long a stored batch may wait to be folded into the rollups (a read folds at once). */
  delayMs: number;
  /** Fold at once when this many records wait. */
  maxPendingRecords: number;
  /** Fold another process's batch when it has waited this long (that process died or is stuck). */
  orphanAfterMs: number;
}

export const DEFAULT_FOLD_SETTINGS: FoldSettings = { delayMs: 200, maxPendingRecords: 20_000, orphanAfterMs: 10_000 };

/** A batch this process stored, not yet in the rollups: its first record's rowid, and its records. */
interface PendingBatch {
  firstRowid: number;
  records: UsageRecord[];
}

/**
 * Folds stored batches into the rollups some milliseconds after they are stored, many batches in one
 * transaction, so a rollup row shared by many batches is written once instead of once per batch.
 *
 * Exactly once, across crashes and processes: the ingest transaction that inserts a batch's records
 * also inserts a row in `unfolded` naming their rowid range (the rows one transaction inserts take
 * consecutive rowids). A fold deletes that row and adds the batch to the rollups in one transaction,
 * and adds it only if the delete took the row, so of any number of folders exactly one counts it.
 * Records that are stored and acknowledged but whose fold was lost (a crash, power loss) are still
 * named in `unfolded` and are folded from the records table at the next start, or by another process
 * on the same file once they have waited `orphanAfterMs`.
 *
 * Reads see every acknowledged batch: the store folds what waits before it answers from the rollups.
 */
export class RollupFolds {
  private pending: PendingBatch[] = [];
  private pendingRecords = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Batches of other processes seen waiting: first rowid → when first seen. */
  private readonly foreignSince = new Map<number, number>();
  private lastOrphanCheckMs = 0;
  private readonly claimStatement: StatementSync;
  private readonly listStatement: StatementSync;
  private readonly rangeStatement: StatementSync;

  constructor(
    private readonly db: DatabaseSync,
    private readonly writer: RollupWriter,
    private readonly settings: FoldSettings = DEFAULT_FOLD_SETTINGS,
    private readonly onError: (err: Error) => void = () => {},
  ) {
    this.claimStatement = db.prepare('DELETE FROM unfolded WHERE first_rowid = ?');
    this.listStatement = db.prepare('SELECT first_rowid, last_rowid FROM unfolded ORDER BY first_rowid');
    this.rangeStatement = db.prepare('SELECT doc FROM records WHERE rowid BETWEEN ? AND ?');
  }

  /** Right after the ingest transaction commits: keeps its records to fold soon. */
  queue(firstRowid: number, records: UsageRecord[]): void {
    this.pending.push({ firstRowid, records });
    this.pendingRecords += records.length;
    if (this.pendingRecords >= this.settings.maxPendingRecords) this.foldNow();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.foldNow(), this.settings.delayMs);
      this.timer.unref();
    }
  }

  /**
   * Before a read of the rollups: folds what this process holds, and every batch another process on
   * the same file stored and has not folded yet (from its records), so the read sees every batch any
   * process acknowledged. Throws if the store fails.
   */
  foldForRead(): void {
    this.fold();
    for (const range of this.list()) this.foldFromRecords(range.first, range.last);
  }

  /** Folds everything this process holds, and other processes' batches that waited too long. Throws if the store fails. */
  fold(): void {
    this.clearTimer();
    if (this.pending.length > 0) {
      const batches = this.pending;
      this.transaction(() => {
        const claimed: UsageRecord[][] = [];
        for (const batch of batches) if (this.claim(batch.firstRowid)) claimed.push(batch.records);
        this.writer.add(claimed.flat());
      });
      this.pending = [];
      this.pendingRecords = 0;
    }
    const now = Date.now();
    if (now - this.lastOrphanCheckMs >= this.settings.orphanAfterMs / 2) {
      this.lastOrphanCheckMs = now;
      this.foldOrphans(now);
    }
  }

  /** At start: folds every batch stored but never folded (by a process that stopped before folding it). */
  recover(): void {
    for (const range of this.list()) this.foldFromRecords(range.first, range.last);
  }

  close(): void {
    this.fold();
  }

  /** The smallest rowid not yet folded, if any: retention must not delete those records before they are. */
  firstUnfoldedRowid(): number | null {
    const [first] = this.list();
    return first ? first.first : null;
  }

  private foldNow(): void {
    try {
      this.fold();
    } catch (err) {
      // The batches stay pending: the next read or stored batch tries again.
      this.onError(err as Error);
    }
  }

  private foldOrphans(now: number): void {
    const mine = new Set(this.pending.map((b) => b.firstRowid));
    const waiting = new Set<number>();
    for (const range of this.list()) {
      if (mine.has(range.first)) continue;
      waiting.add(range.first);
      const since = this.foreignSince.get(range.first);
      if (since === undefined) this.foreignSince.set(range.first, now);
      else if (now - since >= this.settings.orphanAfterMs) this.foldFromRecords(range.first, range.last);
    }
    for (const first of this.foreignSince.keys()) if (!waiting.has(first)) this.foreignSince.delete(first);
  }

  private foldFromRecords(first: number, last: number): void {
    this.transaction(() => {
      if (!this.claim(first)) return;
      const rows = this.rangeStatement.all(first, last) as { doc: string }[];
      this.writer.add(rows.map((row) => decodeRecord(row.doc)));
    });
    this.foreignSince.delete(first);
  }

  private claim(firstRowid: number): boolean {
    return Number(this.claimStatement.run(firstRowid).changes) === 1;
  }

  private list(): { first: number; last: number }[] {
    return (this.listStatement.all() as { first_rowid: number; last_rowid: number }[]).map((r) => ({ first: r.first_rowid, last: r.last_rowid }));
  }

  private transaction(fn: () => void): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      fn();
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
