import type { Collection } from 'mongodb';
import { type BatchDoc, type TakeoverDoc, unpackGroups } from './batches';
import { type BucketDeltaDoc, type GroupDeltaDoc, legacyGroups } from './deltas';
import type { Group } from './groups';
import type { Head } from './heads';

/** Rollup groups waiting for compaction: a rolled batch, or a delta document of an older version. */
export interface PendingItem {
  id: string;
  groups: Group[];
}

/** What is not compacted yet. Both collections stay small: compaction deletes what it moves. */
export class PendingItems {
  constructor(
    private readonly batches: Collection<BatchDoc>,
    private readonly deltas: Collection<BucketDeltaDoc | GroupDeltaDoc>,
    private readonly takeovers: Collection<TakeoverDoc>,
  ) {}

  async rolled(tenant: string): Promise<PendingItem[]> {
    const docs = await this.batches.find({ tenant, state: 'rolled' }, { projection: { groups: 1 } }).toArray();
    return docs.map((d) => ({ id: d._id, groups: unpackGroups(d.groups!) }));
  }

  async legacy(tenant: string): Promise<PendingItem[]> {
    return (await this.deltas.find({ tenant }).toArray()).map((d) => ({ id: d._id, groups: legacyGroups(d) }));
  }

  /** The groups a reader adds to the documents of `head`: every pending item the head does not hold. */
  async notIn(tenant: string, head: Head): Promise<Group[]> {
    const [rolled, legacy] = await Promise.all([this.rolled(tenant), head.legacyDone ? [] : this.legacy(tenant)]);
    const included = new Set(head.included);
    return [...rolled, ...legacy].filter((item) => !included.has(item.id)).flatMap((item) => item.groups);
  }

  /**
   * Deletes items compaction moved, then their takeover markers: while a batch document exists, a
   * writer that finishes it late must still find its marker (else it would roll it up differently).
   */
  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const filter = { _id: { $in: [...ids] } };
    await Promise.all([this.batches.deleteMany(filter), this.deltas.deleteMany(filter)]);
    await this.takeovers.deleteMany(filter);
  }
}
