import type { Collection } from 'mongodb';
import { type BatchDoc, type TakeoverDoc, unpackGroups } from './batches';
import type { Group } from './groups';
import type { Head } from './heads';
import type { SumsRow } from './sums-table';
import { unpackValues } from './value-rows';

/** Rollup groups waiting for compaction: a rolled batch. */
export interface PendingItem {
  id: string;
  groups: Group[];
  /** The value rows of the same records (value-rows.ts); null for a batch rolled before those existed. */
  values: SumsRow[] | null;
}

/** What is not compacted yet. Both collections stay small: compaction deletes what it moves. */
export class PendingItems {
  constructor(
    private readonly batches: Collection<BatchDoc>,
    private readonly takeovers: Collection<TakeoverDoc>,
  ) {}

  async rolled(tenant: string): Promise<PendingItem[]> {
    const docs = await this.batches.find({ tenant, state: 'rolled' }, { projection: { groups: 1, values: 1 } }).toArray();
    return docs.map((d) => ({ id: d._id, groups: unpackGroups(d.groups!), values: d.values ? unpackValues(d.values) : null }));
  }

  /** The items a reader adds to the documents of `head`: every pending item the head does not hold. */
  async itemsNotIn(tenant: string, head: Head): Promise<PendingItem[]> {
    const included = new Set(head.included);
    return (await this.rolled(tenant)).filter((item) => !included.has(item.id));
  }

  /**
   * Deletes items compaction moved, then their takeover markers: while a batch document exists, a
   * writer that finishes it late must still find its marker (else it would roll it up differently).
   */
  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const filter = { _id: { $in: [...ids] } };
    await this.batches.deleteMany(filter);
    await this.takeovers.deleteMany(filter);
  }
}
