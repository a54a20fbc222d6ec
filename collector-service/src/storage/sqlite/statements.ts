import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';

/** A statement whose integers come back as bigint: an amount may pass what a double holds exactly. */
export function bigIntStatement(db: DatabaseSync, sql: string): StatementSync {
  const statement = db.prepare(sql);
  statement.setReadBigInts(true);
  return statement;
}

/** Runs a write; true when it wrote a row, once what was committed is durable (`durable` resolves). */
export async function durableWrite(db: DatabaseSync, durable: () => Promise<void>, sql: string, ...params: SQLInputValue[]): Promise<boolean> {
  const wrote = Number(db.prepare(sql).run(...params).changes) === 1;
  await durable();
  return wrote;
}
