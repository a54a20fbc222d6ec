// The SQLite file's writer for the hot path, on a worker thread: it inserts batches of records and
// applies rollup folds, so the event loop decodes, prices and answers requests meanwhile, and no two
// connections of this process ever wait on each other's write lock (SQLite's busy handler sleeps in
// steps of milliseconds). Also imported by the main thread for ':memory:' databases and for the fold
// at start, which run the same code on the main connection.
//
// It imports only Node's built-ins: tests run it from source (Node strips the types), where a
// project import would not resolve; and no parameter properties, which type stripping refuses.
import { accessSync, constants } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { deserialize } from 'node:v8';
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';

export type SqlValue = string | number | bigint | null;

/** One record's row: id, tenant, time_ms, provider, model, cost_type, user_id, agent, feature, service, status, doc. */
export type RecordRow = [string, string, number, string, string, string, string | null, string | null, string | null, string, string, string];

/** Statements to run, each with the parameter lists to run it with (prepared once per connection). */
export type WritePlan = { sql: string; rows: SqlValue[][] }[];

export interface InsertRequest {
  kind: 'insert';
  /** Increases with each request of one writer: the insert's transaction records it as the writer's mark (see WRITE_MARK). */
  seq: number;
  /** The process's writes this is one of (see StoreWrites.writer). */
  writer: string;
  /** The rows, or the rows as JSON text in UTF-8 (encoded off the event loop, shared here without a copy). */
  rows: RecordRow[] | SharedArrayBuffer;
}

export interface FoldRequest {
  kind: 'fold';
  seq: number;
  /** The `unfolded` rows (first rowids) this fold takes; it is applied only if it takes all of them. */
  claims: number[];
  plan: WritePlan;
  /** More to add: batches' sums as an ingest thread packed them, merged and planned here (see packedPlan). */
  packed?: PackedFold;
}

/**
 * Batches' rollup sums packed by an ingest thread (`v8.serialize` of one batch's sheets, each a Map
 * from a row's text to its key values and its sums by measure name), and how they become upserts:
 * each sheet's statement, and the measures in the order its columns take them. Unpacked and merged on
 * the writer thread, so the event loop neither receives a batch's sums nor merges them for a fold.
 */
export interface PackedFold {
  batches: SharedArrayBuffer[];
  sheets: { name: string; sql: string }[];
  measures: string[];
}

type PackedRow = { key: SqlValue[]; sums: Record<string, number | bigint> };

/**
 * The upserts that add the packed batches' sums to their rollup rows: rows alike (the same text in
 * the same sheet) added measure by measure first, so each row is written once per fold.
 */
export function packedPlan(packed: PackedFold): WritePlan {
  const merged = new Map<string, Map<string, PackedRow>>();
  for (const bytes of packed.batches) {
    const sheets = deserialize(new Uint8Array(bytes)) as Record<string, Map<string, PackedRow>>;
    for (const { name } of packed.sheets) {
      const from = sheets[name];
      const into = merged.get(name);
      if (!into) {
        merged.set(name, from);
        continue;
      }
      for (const [text, row] of from) {
        const at = into.get(text);
        if (!at) into.set(text, row);
        else for (const m of packed.measures) at.sums[m] = plus(at.sums[m], row.sums[m]);
      }
    }
  }
  const plan: WritePlan = [];
  for (const { name, sql } of packed.sheets) {
    const rows = [...(merged.get(name)?.values() ?? [])].map(({ key, sums }) => [...key, ...packed.measures.map((m) => sums[m])]);
    if (rows.length > 0) plan.push({ sql, rows });
  }
  return plan;
}

const plus = (a: number | bigint, b: number | bigint): number | bigint => (typeof a === 'bigint' ? a + (b as bigint) : a + (b as number));

export interface InsertOutcome {
  seq: number;
  /** Indexes (into the request's rows) of the records stored now; the others were already stored. */
  stored: number[];
  /** The rowids of the stored records, consecutive: one transaction inserts them. 0 when none. */
  firstRowid: number;
  lastRowid: number;
  error?: string;
}

/** A re-pricing: each record replaced while it is at its revision and folded, and the rollups corrected by `plan`. */
export interface CorrectRequest {
  kind: 'correct';
  seq: number;
  /** id, the revision the record must be at (the length of its priorPricings), the corrected record's doc. */
  updates: [string, number, string][];
  /** The rollups' difference; applied only if every update applied. */
  plan: WritePlan;
}

/** Takes one `unfolded` row and records its range in `set_aside` instead of folding it. */
export interface SetAsideRequest {
  kind: 'set-aside';
  seq: number;
  claim: number;
  reason: string;
  atMs: number;
}

export interface FoldOutcome {
  seq: number;
  /** Claims another folder had taken already: nothing was applied; plan again without them. */
  taken: number[];
  error?: string;
  /** The error is the sums themselves: no rollup row can hold them, and retrying cannot help. */
  unstorable?: boolean;
}

const INSERT_RECORD = `INSERT INTO records (id, tenant, time_ms, provider, model, cost_type, user_id, agent, feature, service, status, doc)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`;
const MARK_UNFOLDED = 'INSERT INTO unfolded (first_rowid, last_rowid) VALUES (?, ?)';
/**
 * The last insert of a writer its transaction committed: a read in one snapshot with it holds exactly
 * that writer's inserts up to it (each writer's inserts commit in the order of their seq).
 */
const WRITE_MARK = 'INSERT INTO write_marks (writer, seq) VALUES (?, ?) ON CONFLICT (writer) DO UPDATE SET seq = excluded.seq';
const CLAIM_UNFOLDED = 'DELETE FROM unfolded WHERE first_rowid = ?';
// A record still named in `unfolded` is not in the rollups yet: folded later from its doc, it must not be corrected before.
const CORRECT_RECORD = `UPDATE records SET doc = ? WHERE id = ? AND coalesce(json_array_length(doc, '$.priorPricings'), 0) = ?
  AND NOT EXISTS (SELECT 1 FROM unfolded WHERE records.rowid BETWEEN first_rowid AND last_rowid)`;
const SET_ASIDE = 'INSERT INTO set_aside (first_rowid, last_rowid, reason, at_ms) SELECT first_rowid, last_rowid, ?, ? FROM unfolded WHERE first_rowid = ?';

/** SQLITE_CONSTRAINT_DATATYPE: an integer sum overflowed into a REAL, which a STRICT integer column refuses. */
const SQLITE_CONSTRAINT_DATATYPE = 3091;

/** Whether a write failed on the values themselves (a sum past what an integer holds), not on the store. */
function unstorable(err: unknown): boolean {
  const e = err as { errcode?: number; code?: string; message?: string };
  return (
    e.errcode === SQLITE_CONSTRAINT_DATATYPE ||
    (e.code === 'ERR_INVALID_ARG_VALUE' && /too large to bind/.test(e.message ?? '')) ||
    /integer overflow/.test(e.message ?? '')
  );
}

class RolledBack extends Error {}

/** Runs inserts and folds on one connection, each all or nothing. */
export class StoreWriter {
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /**
   * Inserts several batches in one transaction (one commit for all), each batch's new records named
   * in `unfolded` by their rowid range, and each writer's mark moved to its last. A failure rolls
   * every batch back and each gets the error.
   */
  insertAll(requests: InsertRequest[]): InsertOutcome[] {
    try {
      return this.transaction(() => {
        const outcomes = requests.map((request) => this.insertOne(request));
        const marks = new Map(requests.map((r) => [r.writer, r.seq]));
        for (const [writer, seq] of marks) this.statement(WRITE_MARK).run(writer, seq);
        return outcomes;
      });
    } catch (err) {
      return requests.map((r) => ({ seq: r.seq, stored: [], firstRowid: 0, lastRowid: 0, error: (err as Error).message }));
    }
  }

  /** Takes the fold's `unfolded` rows and applies its plan, in one transaction; nothing if any was taken. */
  fold(request: FoldRequest): FoldOutcome {
    const taken: number[] = [];
    try {
      // Planned before the write lock is taken.
      const packed = request.packed ? packedPlan(request.packed) : [];
      this.transaction(() => {
        const claim = this.statement(CLAIM_UNFOLDED);
        for (const first of request.claims) if (Number(claim.run(first).changes) !== 1) taken.push(first);
        if (taken.length > 0) throw new RolledBack();
        this.apply(request.plan);
        this.apply(packed);
      });
      return { seq: request.seq, taken: [] };
    } catch (err) {
      if (err instanceof RolledBack) return { seq: request.seq, taken };
      return { seq: request.seq, taken: [], error: (err as Error).message, unstorable: unstorable(err) };
    }
  }

  /** Applies every update and the plan in one transaction; nothing when an update finds its record elsewhere (`taken`: their indexes). */
  correct(request: CorrectRequest): FoldOutcome {
    const taken: number[] = [];
    try {
      this.transaction(() => {
        const update = this.statement(CORRECT_RECORD);
        request.updates.forEach(([id, revision, doc], i) => {
          if (Number(update.run(doc, id, revision).changes) !== 1) taken.push(i);
        });
        if (taken.length > 0) throw new RolledBack();
        this.apply(request.plan);
      });
      return { seq: request.seq, taken: [] };
    } catch (err) {
      if (err instanceof RolledBack) return { seq: request.seq, taken };
      return { seq: request.seq, taken: [], error: (err as Error).message, unstorable: unstorable(err) };
    }
  }

  /** Takes the batch's `unfolded` row and records it as set aside; `taken` when another folder had it. */
  setAside(request: SetAsideRequest): FoldOutcome {
    try {
      const claimed = this.transaction(() => {
        this.statement(SET_ASIDE).run(request.reason, request.atMs, request.claim);
        return Number(this.statement(CLAIM_UNFOLDED).run(request.claim).changes) === 1;
      });
      return { seq: request.seq, taken: claimed ? [] : [request.claim] };
    } catch (err) {
      return { seq: request.seq, taken: [], error: (err as Error).message };
    }
  }

  private insertOne(request: InsertRequest): InsertOutcome {
    const insert = this.statement(INSERT_RECORD);
    const rows = Array.isArray(request.rows) ? request.rows : (JSON.parse(new TextDecoder().decode(new Uint8Array(request.rows))) as RecordRow[]);
    const stored: number[] = [];
    let firstRowid = 0;
    let lastRowid = 0;
    for (let index = 0; index < rows.length; index++) {
      const { changes, lastInsertRowid } = insert.run(...rows[index]);
      if (Number(changes) === 0) continue;
      if (stored.length === 0) firstRowid = Number(lastInsertRowid);
      lastRowid = Number(lastInsertRowid);
      stored.push(index);
    }
    if (stored.length > 0) this.statement(MARK_UNFOLDED).run(firstRowid, lastRowid);
    return { seq: request.seq, stored, firstRowid, lastRowid };
  }

  private apply(plan: WritePlan): void {
    for (const { sql, rows } of plan) {
      const statement = this.statement(sql);
      for (const row of rows) statement.run(...row);
    }
  }

  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  private transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }
}

/**
 * Why the database's files cannot be written now (made immutable, say), or null. SQLite maps the
 * `-shm` file into memory and writes it through the mapping; writing a page of an immutable file
 * that way kills the process with SIGBUS, so every connection asks this before it touches the file.
 */
export function unwritableFiles(path: string): string | null {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      accessSync(file, constants.W_OK);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENOENT') continue; // the WAL and its index come and go with the connections
      return `${file} cannot be written (${code}): make the store's files writable again (chattr -i, permissions, a read-write mount)`;
    }
  }
  return null;
}

export interface WriterThreadOptions {
  path: string;
  busyTimeoutMs: number;
}

/** Connections that write but leave checkpoints to the checkpointer thread. */
export const NO_AUTOCHECKPOINT = 'PRAGMA wal_autocheckpoint = 0;';

/**
 * As a worker: copies the WAL into the database file every `intervalMs` (a PASSIVE checkpoint, which
 * never blocks writers or readers), so the writer's commits never pay for it: with SQLite's automatic
 * checkpoints the commit that crosses 1,000 WAL pages copies them, and fsyncs, before returning.
 */
function checkpoint(port: MessagePort, options: WriterThreadOptions & { intervalMs: number }): void {
  const db = new DatabaseSync(options.path);
  db.exec(`PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = ${options.busyTimeoutMs}; ${NO_AUTOCHECKPOINT}`);
  const timer = setInterval(() => {
    if (unwritableFiles(options.path) !== null) return;
    try {
      db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or failing now: the next round tries again; the WAL keeps every commit meanwhile.
    }
  }, options.intervalMs);
  port.on('message', () => {
    clearInterval(timer);
    db.close();
    port.close();
  });
}

/**
 * As a worker: inserts that queued while it wrote share one transaction; folds and set-asides go
 * before them, since a read waits on its fold while an insert's sender waits anyway (a fold only
 * claims batches whose inserts were answered already, so it never needs an insert queued with it).
 */
function serve(port: MessagePort, options: WriterThreadOptions): void {
  const db = new DatabaseSync(options.path);
  // The main connection set WAL and migrated the file; synchronous is per connection (see WalSync).
  db.exec(`PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = ${options.busyTimeoutMs}; ${NO_AUTOCHECKPOINT}`);
  const writer = new StoreWriter(db);
  let closing = false;
  const handle = (queued: (InsertRequest | FoldRequest | CorrectRequest | SetAsideRequest | 'close')[]) => {
    const inserts: InsertRequest[] = [];
    const unwritable = unwritableFiles(options.path);
    for (const request of queued) {
      if (request === 'close') closing = true;
      else if (unwritable !== null) port.postMessage({ seq: request.seq, stored: [], firstRowid: 0, lastRowid: 0, taken: [], error: unwritable });
      else if (request.kind === 'insert') inserts.push(request);
      else port.postMessage(request.kind === 'fold' ? writer.fold(request) : request.kind === 'correct' ? writer.correct(request) : writer.setAside(request));
    }
    if (inserts.length > 0) for (const outcome of writer.insertAll(inserts)) port.postMessage(outcome);
    if (closing) {
      db.close();
      port.close();
    }
  };
  type WorkerMessage = InsertRequest | FoldRequest | CorrectRequest | SetAsideRequest | 'close';
  port.on('message', (first: WorkerMessage) => {
    const queued = [first];
    for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) queued.push(next.message as WorkerMessage);
    handle(queued);
  });
}

const role = (workerData as { role?: string } | undefined)?.role;
if (parentPort && role === 'tokenledger-store-writer') serve(parentPort, (workerData as { options: WriterThreadOptions }).options);
if (parentPort && role === 'tokenledger-checkpointer')
  checkpoint(parentPort, (workerData as { options: WriterThreadOptions & { intervalMs: number } }).options);
