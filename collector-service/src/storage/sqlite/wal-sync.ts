import { open } from 'node:fs/promises';

/**
 * Makes committed SQLite transactions durable without blocking the event loop.
 *
 * The store runs in WAL mode with `synchronous = NORMAL`: a COMMIT writes its frames to the WAL file
 * and returns without fsync (checkpoints still sync the WAL before copying it into the database and
 * the database after). What `synchronous = FULL` adds is one fsync of the WAL after each commit, and
 * node:sqlite would make every request wait for it on the only JavaScript thread. Here that fsync runs
 * on libuv's thread pool instead, and a request is acknowledged only after an fsync that started after
 * its commit has finished: the same guarantee, while the next batch is decoded and written. One fsync
 * serves every commit made before it started, so concurrent batches share it.
 *
 * The WAL is opened afresh for each fsync: SQLite may delete and recreate it when connections close,
 * and an old descriptor would sync a file nobody reads.
 */
export class WalSync {
  /** Commits made so far (a counter, not a position in the file). */
  private committed = 0;
  /** Every commit up to this one is durable. */
  private durableUpTo = 0;
  private running: Promise<void> | null = null;

  constructor(private readonly walPath: string) {}

  /** Notes a commit just made; pass the result to `durable` to wait until it survives power loss. */
  commit(): number {
    return ++this.committed;
  }

  /** Resolves once the commit numbered `ticket` (from `commit`) is on disk. */
  async durable(ticket: number): Promise<void> {
    while (this.durableUpTo < ticket) {
      if (!this.running) {
        const covers = this.committed;
        this.running = this.fsyncWal()
          .then(() => {
            this.durableUpTo = Math.max(this.durableUpTo, covers);
          })
          .finally(() => {
            this.running = null;
          });
      }
      await this.running;
    }
  }

  private async fsyncWal(): Promise<void> {
    let file;
    try {
      file = await open(this.walPath, 'r');
    } catch (err) {
      // No WAL file: the last connection checkpointed and removed it, which syncs the database first.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    try {
      await file.datasync();
    } finally {
      await file.close();
    }
  }
}
