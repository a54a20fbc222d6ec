import type { Collection } from 'mongodb';
import { insertIgnoringDuplicates } from './inserts';

/**
 * Which batch stored a record, answered by inserts alone. FerretDB v1 answers any read of
 * `usage_records` by reading the whole collection (see the README), while an insert checks its
 * unique indexes at once; so a batch never reads who stored its records, it asks by inserting.
 *
 * A record stored by batch B holds two unique keys: its `_id` (the record's id: whoever inserts it
 * first stores it) and its `claim`, `B/id`, which only B's record can hold. Above it stands a
 * ladder of link documents in the same collection, each sharing one unique key with the rung below
 * it and one with the rung above, none with any other:
 *
 *   rung 0 (the record)  _id: id     claim: B/id
 *   rung 1               _id: B/id/1 claim: B/id
 *   rung 2               _id: B/id/1 claim: B/id/2
 *   rung 3               _id: B/id/3 claim: B/id/2
 *   …
 *
 * Whoever asks climbs from rung 1 and stops at the first rung its insert creates. Two neighbouring
 * rungs can never both exist, and a rung is skipped only when one of its keys is taken, so the rungs
 * that exist are all odd or all even, and the lowest is rung 0 exactly when B stored the record:
 * stopping on an even rung says B stored it, on an odd one that it did not. Every process that asks,
 * at once or after another crashed mid-climb, gets the same answer, and once rung 1 exists rung 0
 * can never be inserted, so the answer never changes. A climb leaves one rung, at most two above
 * the highest before it, and a rung is one insert for all the records asked about: the k-th process
 * to ask about a batch sends at most 2k + 1 inserts, whatever the batch's size.
 */
export interface ClaimLinkDoc {
  _id: string;
  claim: string;
}

/** The claim a record stored by `batch` holds (a unique index: only that batch's record holds it). */
export const recordClaim = (batch: string, id: string): string => `${batch}/${id}`;

const rungKey = (batch: string, id: string, rung: number): string => (rung === 0 ? recordClaim(batch, id) : `${batch}/${id}/${rung}`);

function rung(batch: string, id: string, n: number): ClaimLinkDoc {
  return n % 2 === 1 ? { _id: rungKey(batch, id, n), claim: rungKey(batch, id, n - 1) } : { _id: rungKey(batch, id, n - 1), claim: rungKey(batch, id, n) };
}

/** Far more rungs than processes that could finish one batch: reaching it means the keys are not what this module wrote. */
const MAX_RUNGS = 1_000;

/** Of these records, already stored, those `batch` stored. */
export async function storedBy(links: Collection<ClaimLinkDoc>, batch: string, ids: readonly string[]): Promise<Set<string>> {
  const stored = new Set<string>();
  let climbing = [...ids];
  for (let n = 1; climbing.length > 0; n++) {
    if (n > MAX_RUNGS)
      throw new Error(
        `batch ${batch}: no free claim rung below ${MAX_RUNGS} for ${climbing.length} records; usage_records holds claims this service did not write`,
      );
    const docs = climbing.map((id) => rung(batch, id, n));
    const taken = await insertIgnoringDuplicates(links, docs);
    if (n % 2 === 0) for (const [i, id] of climbing.entries()) if (!taken.has(docs[i]._id)) stored.add(id);
    climbing = climbing.filter((_, i) => taken.has(docs[i]._id));
  }
  return stored;
}
