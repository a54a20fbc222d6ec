import type { DatabaseSync } from 'node:sqlite';
import type { KeysRequiredMark } from '../repositories/keys-required.repository';

/** The mark in its one-row table (schema migration 14). */
export class SqliteKeysRequired implements KeysRequiredMark {
  constructor(
    private readonly db: DatabaseSync,
    /** Resolves when what was committed survives a power loss. */
    private readonly durable: () => Promise<void>,
  ) {}

  async mark(sinceMs: number): Promise<void> {
    this.db.prepare('INSERT INTO keys_required (id, since_ms) VALUES (1, ?) ON CONFLICT DO NOTHING').run(sinceMs);
    await this.durable();
  }

  async isMarked(): Promise<boolean> {
    return this.db.prepare('SELECT 1 AS found FROM keys_required').get() !== undefined;
  }
}
