// Inserts batches of records into the SQLite file on a worker thread, so the event loop decodes,
// prices and answers the next requests while SQLite writes. Also imported by the main thread for
// ':memory:' databases, which a worker cannot share.
//
// It imports only Node's built-ins: tests run it from source (Node strips the types), where a
// project import would not resolve.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';

/** One record's row: id, tenant, time_ms, provider, model, cost_type, user_id, agent, feature, service, status, doc. */
export type RecordRow = [string, string, number, string, string, string, string | null, string | null, string | null, string, string, string];

export interface InsertRequest {
  seq: number;
  rows: RecordRow[];
}

export interface InsertOutcome {
  seq: number;
  /** Indexes (into the request's rows) of the records stored now; the others were already stored. */
  stored: number[];
  /** The rowids of the stored records, consecutive: one transaction inserts them. 0 when none. */
  firstRowid: number;
  lastRowid: number;
  error?: string;
}

export interface InserterOptions {
  path: string;
  busyTimeoutMs: number;
}

/** The statements of one connection. */
export class RecordInserter {
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync;
  private readonly mark: StatementSync;

  // No parameter properties in this file: Node's type stripping does not support them.
  constructor(db: DatabaseSync) {
    this.db = db;
    this.insert = db.prepare(
      `INSERT INTO records (id, tenant, time_ms, provider, model, cost_type, user_id, agent, feature, service, status, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.mark = db.prepare('INSERT INTO unfolded (first_rowid, last_rowid) VALUES (?, ?)');
  }

  /**
   * Inserts several batches in one transaction (one commit, one fsync for all), each batch's new
   * records named in `unfolded` by their rowid range, so RollupFolds adds them to the rollups
   * exactly once. All or nothing: a failure rolls every batch back and each gets the error.
   */
  insertAll(requests: InsertRequest[]): InsertOutcome[] {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const outcomes = requests.map((request) => this.insertOne(request));
      this.db.exec('COMMIT');
      return outcomes;
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      return requests.map((r) => ({ seq: r.seq, stored: [], firstRowid: 0, lastRowid: 0, error: (err as Error).message }));
    }
  }

  private insertOne(request: InsertRequest): InsertOutcome {
    const stored: number[] = [];
    let firstRowid = 0;
    let lastRowid = 0;
    request.rows.forEach((row, index) => {
      const { changes, lastInsertRowid } = this.insert.run(...row);
      if (Number(changes) === 0) return;
      if (stored.length === 0) firstRowid = Number(lastInsertRowid);
      lastRowid = Number(lastInsertRowid);
      stored.push(index);
    });
    if (stored.length > 0) this.mark.run(firstRowid, lastRowid);
    return { seq: request.seq, stored, firstRowid, lastRowid };
  }
}

/** As a worker: answers each request; requests that queued while it wrote share one transaction. */
function serve(port: MessagePort, options: InserterOptions): void {
  const db = new DatabaseSync(options.path);
  // The main connection set WAL and migrated the file; synchronous is per connection (see WalSync).
  db.exec(`PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = ${options.busyTimeoutMs};`);
  const inserter = new RecordInserter(db);
  port.on('message', (first: InsertRequest | 'close') => {
    if (first === 'close') {
      db.close();
      port.close();
      return;
    }
    const requests = [first];
    let closing = false;
    for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
      if (next.message === 'close') closing = true;
      else requests.push(next.message as InsertRequest);
    }
    for (const outcome of inserter.insertAll(requests)) port.postMessage(outcome);
    if (closing) {
      db.close();
      port.close();
    }
  });
}

if (parentPort && (workerData as { role?: string } | undefined)?.role === 'tokenledger-record-inserter') {
  serve(parentPort, (workerData as { options: InserterOptions }).options);
}
