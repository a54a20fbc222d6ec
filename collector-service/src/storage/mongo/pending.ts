import type { Collection } from 'mongodb';
import { type BatchDoc, type TakeoverDoc, unpackGroups } from './batches';
import { insertOnce } from './inserts';
import type { Group } from './groups';
import type { Head } from './heads';
import type { SumsRow } from './sums-table';
import { unpackValues } from './value-rows';

/** The state of the marks of heads published (see PendingItems.markPublished): after 'rolled' in sort order. */
export const SUPERSEDED = 'superseded';

const markId = (tenant: string, k: number) => JSON.stringify([SUPERSEDED, tenant, k]);

/** Rollup groups waiting for compaction: a rolled batch. */
export interface PendingItem {
  id: string;
  groups: Group[];
  /** The value rows of the same records (value-rows.ts); null for a batch rolled before those existed. */
  values: SumsRow[] | null;
}

/** The ids of a tenant's rolled batches as one listing found them, and when it was sent (performance.now()). */
export interface PendingListing {
  ids: ReadonlySet<string>;
  sentAtMs: number;
}

/** A decoded item, and when it was kept (see PendingItems.rolled). */
interface Kept {
  item: PendingItem;
  seq: number;
}

/**
 * What is not compacted yet. Both collections stay small: compaction deletes what it moves.
 *
 * Each item is decoded once per process and kept: a rolled batch's groups never change (whichever
 * process finishes a batch writes the same groups, see RollupBatches), so a read asks the store only
 * which items are pending, and for the groups of those this process has not seen. Items this
 * process rolled up itself are kept as it writes them, so under steady ingest a report or a
 * compaction run decodes nothing but what other instances wrote.
 */
export class PendingItems {
  /** Per tenant: item id → the item. Only a cache: what counts is the listing each read asks for. */
  private readonly kept = new Map<string, Map<string, Kept>>();
  private seq = 0;

  constructor(
    private readonly batches: Collection<BatchDoc>,
    private readonly takeovers: Collection<TakeoverDoc>,
  ) {}

  /** Keeps a batch this process has just rolled up (its document holds exactly these groups and value rows). */
  remember(tenant: string, item: PendingItem): void {
    this.keptOf(tenant).set(item.id, { item, seq: ++this.seq });
  }

  async rolled(tenant: string): Promise<PendingItem[]> {
    return (await this.listed(tenant, false)).items;
  }

  /**
   * The items a reader adds to the documents of `head` (every pending item the head does not hold),
   * and whether `head` is still the latest, in one find: the items are listed with the marks of the
   * heads published (see markPublished). A mark of a head after `head` says it is not; no mark at all
   * (a tenant no run of this version compacted) leaves it unknown (null: ask the chain).
   *
   * Why no mark after `head` is enough: a run deletes the items it moved only after it marked its
   * head, and the newest mark is never deleted, so an item deleted before the listing leaves a mark
   * of its head (or of a later one) listed. The marks' state sorts after 'rolled' and a mark is
   * inserted after every item it may delete, so a MongoDB scan that meets a deleted item's place (by
   * the `tenant, state` index, or in the order of insertion) after the deletion meets a mark after it
   * too; FerretDB answers a find from one SQLite read.
   */
  async listedFor(tenant: string, head: Head): Promise<{ items: PendingItem[]; latest: boolean | null; listing: PendingListing }> {
    const included = new Set(head.included);
    const { items, newestMark, listing } = await this.listed(tenant, true);
    return { items: items.filter((item) => !included.has(item.id)), latest: newestMark === null ? null : newestMark <= head.k, listing };
  }

  /**
   * Marks head k published, among the items (see listedFor), then forgets the marks of heads before
   * it.
   */
  private async markPublished(tenant: string, k: number): Promise<void> {
    await insertOnce(this.batches, { _id: markId(tenant, k), state: SUPERSEDED, tenant, k, createdAtMs: Date.now() });
    await this.batches.deleteMany({ tenant, state: SUPERSEDED, k: { $lt: k } });
  }

  private async listed(tenant: string, marks: boolean): Promise<{ items: PendingItem[]; newestMark: number | null; listing: PendingListing }> {
    const listedAt = this.seq;
    const sentAtMs = performance.now();
    const found = await this.batches
      .find({ tenant, state: marks ? { $in: ['rolled', SUPERSEDED] } : 'rolled' }, { projection: { _id: 1, state: 1, k: 1 } })
      .toArray();
    const listed = found.filter((d) => d.state === 'rolled');
    const markedKs = found.filter((d) => d.state === SUPERSEDED).map((d) => d.k!);
    const kept = this.keptOf(tenant);
    const missing = listed.map((d) => d._id).filter((id) => !kept.has(id));
    if (missing.length > 0) {
      // An item deleted since the listing is left out: compaction published a head holding it, which
      // a reader notices (see RollupReader.consistently) and a compaction run loses its race to.
      const docs = await this.batches.find({ _id: { $in: missing }, state: 'rolled' }, { projection: { groups: 1, values: 1 } }).toArray();
      for (const d of docs)
        kept.set(d._id, { item: { id: d._id, groups: unpackGroups(d.groups!), values: d.values ? unpackValues(d.values) : null }, seq: ++this.seq });
    }
    // Items compacted away are forgotten; one kept after the listing began may be newer than it.
    const ids = new Set(listed.map((d) => d._id));
    for (const [id, { seq }] of kept) if (seq <= listedAt && !ids.has(id)) kept.delete(id);
    const items = listed.flatMap((d) => {
      const item = kept.get(d._id);
      return item ? [item.item] : [];
    });
    return { items, newestMark: markedKs.length === 0 ? null : Math.max(...markedKs), listing: { ids, sentAtMs } };
  }

  /** The items a reader adds to the documents of `head`: every pending item the head does not hold. */
  async itemsNotIn(tenant: string, head: Head): Promise<PendingItem[]> {
    const included = new Set(head.included);
    return (await this.rolled(tenant)).filter((item) => !included.has(item.id));
  }

  /**
   * Marks head k (see listedFor), then deletes the items compaction moved into it, then their
   * takeover markers: while a batch document exists, a writer that finishes it late must still find
   * its marker (else it would roll it up differently). A run marks its head even when it moved no
   * items, so readers of the head before move on to it.
   */
  async delete(tenant: string, k: number, ids: readonly string[]): Promise<void> {
    await this.markPublished(tenant, k);
    if (ids.length === 0) return;
    const filter = { _id: { $in: [...ids] } };
    await this.batches.deleteMany(filter);
    await this.takeovers.deleteMany(filter);
    for (const kept of this.kept.values()) for (const id of ids) kept.delete(id);
  }

  private keptOf(tenant: string): Map<string, Kept> {
    let kept = this.kept.get(tenant);
    if (!kept) this.kept.set(tenant, (kept = new Map<string, Kept>()));
    return kept;
  }
}
