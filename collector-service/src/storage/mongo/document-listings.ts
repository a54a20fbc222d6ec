import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';
import { upsert } from './inserts';

/** A generic document as a listing returns it, body still encoded. */
export interface ListedDoc {
  tenant: string;
  id: string;
  body: string;
}

/** The latest change to any document of a kind: a fresh token per write. */
export interface ChangeDoc {
  _id: string;
  token: string;
}

/** A listing is read again after this long even with no change seen (a writer that died between its two writes). */
const MAX_AGE_MS = 60_000;

/**
 * Listings of the generic documents by kind and tenant, answered from memory while no instance has
 * written a document of the kind. Every instance lists its budgets each second to see other
 * instances' changes; on FerretDB a listing converts every document of the collection, a second
 * of the server's time with a thousand budgets, where reading one change token is a small document.
 *
 * A writer writes the document, then a new token; a listing reads the token, then the documents.
 * So a listing made after a write returned sees a token other than the one kept with any listing
 * made before the write: it reads the documents again. What a listing keeps is at most as old as
 * the token it read first, never older than a write that had returned by then.
 */
export class DocumentListings {
  private readonly kept = new Map<string, { token: string | null; atMs: number; docs: unknown[] }>();

  constructor(private readonly changes: Collection<ChangeDoc>) {}

  async list<T>(kind: string, tenant: string | null, read: () => Promise<T[]>): Promise<T[]> {
    const key = JSON.stringify([kind, tenant]);
    const token = (await this.changes.findOne({ _id: kind }))?.token ?? null;
    const kept = this.kept.get(key);
    const now = Date.now();
    // What a kind's listing keeps is what its `read` returned: the same type each time.
    if (kept && kept.token === token && now - kept.atMs < MAX_AGE_MS) return kept.docs as T[];
    const docs = await read();
    this.kept.set(key, { token, atMs: now, docs });
    return docs;
  }

  /** After a document of `kind` was written or deleted. */
  changed(kind: string): Promise<void> {
    return upsert(this.changes, kind, { token: randomUUID() });
  }
}
