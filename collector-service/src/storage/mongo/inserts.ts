import { type Collection, MongoBulkWriteError, MongoServerError, type WriteError } from 'mongodb';

const DUPLICATE_KEY = 11000;

/**
 * Inserts documents, treating duplicate `_id`s as already there; returns the ids that were. A
 * duplicate `_id` failing is the one atomic decision MongoDB and FerretDB v1 both make without
 * transactions: of any number of concurrent inserts of one id, exactly one succeeds.
 */
export async function insertIgnoringDuplicates<T extends { _id: string }>(collection: Collection<T>, docs: T[]): Promise<Set<string>> {
  const duplicates = new Set<string>();
  try {
    await collection.insertMany(docs as never[], { ordered: false });
  } catch (err) {
    const writeErrors: WriteError[] | null = err instanceof MongoBulkWriteError ? (Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors]) : null;
    if (!writeErrors) {
      if (err instanceof MongoServerError && err.code === DUPLICATE_KEY && docs.length === 1) return new Set([docs[0]._id]);
      throw err;
    }
    for (const e of writeErrors) {
      if (e.code !== DUPLICATE_KEY) throw err;
      duplicates.add(docs[e.index]._id);
    }
  }
  return duplicates;
}

/** Inserts one document; false when its `_id` was already taken (by anyone, ever, unless deleted). */
export async function insertOnce<T extends { _id: string }>(collection: Collection<T>, doc: T): Promise<boolean> {
  return (await insertIgnoringDuplicates(collection, [doc])).size === 0;
}

/**
 * Creates or replaces a document. Two upserts of a new document race (replicas starting at once) and
 * the loser's insert fails on the duplicate `_id`: MongoDB retries that itself, FerretDB v1 does not;
 * the document exists by then, so the loser replaces it.
 */
export async function upsert<T extends { _id: string }>(collection: Collection<T>, _id: string, doc: Omit<T, '_id'>): Promise<void> {
  try {
    await collection.replaceOne({ _id } as never, doc, { upsert: true });
  } catch (err) {
    if (!(err instanceof MongoServerError && err.code === DUPLICATE_KEY)) throw err;
    await collection.replaceOne({ _id } as never, doc);
  }
}
