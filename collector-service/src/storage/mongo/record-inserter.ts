import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { InsertDocsAnswer, InsertDocsRequest, InserterThreadData } from './record-inserter.worker';

/**
 * Inserts record documents an ingest thread encoded (MongoPreparedBatch's recordDocs) from a thread
 * with its own driver connection, answering as insertIgnoringDuplicates does: the ids that were taken
 * already. What decides a record's owner stays the duplicate `_id` of the insert (see RollupBatches):
 * the thread sends the same documents with the same write concern, only off the event loop. The thread
 * starts on first use; if it stops, the inserts it held fail (the senders retry) and the next starts it again.
 */
export class RecordInserter {
  private thread: Worker | null = null;
  private readonly waiting = new Map<number, { resolve: (duplicates: Set<string>) => void; reject: (err: Error) => void }>();
  private seq = 0;
  private closed = false;

  constructor(private readonly data: InserterThreadData) {}

  /** `docs`: MongoPreparedBatch's recordDocs (copied, not moved: the batch keeps them), stored by `batch`. */
  insert(batch: string, docs: Uint8Array): Promise<Set<string>> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    const thread = (this.thread ??= this.start());
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      thread.postMessage({ seq, batch, docs } satisfies InsertDocsRequest);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    this.thread = null;
    await thread?.terminate();
  }

  private start(): Worker {
    const thread = new Worker(workerFile(), { workerData: this.data });
    thread.unref();
    thread.on('message', (answer: InsertDocsAnswer) => {
      const waiter = this.waiting.get(answer.seq);
      this.waiting.delete(answer.seq);
      if ('error' in answer) waiter?.reject(new Error(answer.error));
      else waiter?.resolve(new Set(answer.duplicates));
    });
    const stopped = (err: Error) => {
      if (this.thread === thread) this.thread = null;
      for (const waiter of this.waiting.values()) waiter.reject(err);
      this.waiting.clear();
    };
    thread.on('error', stopped);
    thread.on('exit', (code) => stopped(new Error(`the record inserter thread stopped (exit code ${code})`)));
    return thread;
  }
}

/** The compiled worker (tests run the store from its TypeScript sources and use the build `./run test` makes first). */
function workerFile(): string {
  return extname(__filename) === '.ts'
    ? join(__dirname, '../../../dist/storage/mongo/record-inserter.worker.js')
    : join(__dirname, 'record-inserter.worker.js');
}
