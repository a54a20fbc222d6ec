import type { Collection } from 'mongodb';
import { insertOnce, upsert } from './inserts';
import type { DocRef } from './rollup-docs';

/**
 * A tenant's compacted rollups as one compaction run left them. Heads form a chain per tenant,
 * 0, 1, 2, ...: a run that read head k publishes its work by inserting head k + 1, and of two runs
 * that read the same head only the first insert succeeds (a duplicate `_id`), so the chain is one
 * history without transactions or atomic updates, and a run that lost, crashed or stalled can
 * never replace what another published.
 */
export interface Head {
  /** Position in the chain; -1 before the tenant's first compaction. */
  k: number;
  runId: string | null;
  /**
   * Pending items (rolled batches) this head's documents hold and
   * that may still be in their collections: readers skip them there. An item leaves the list once a
   * run sees it deleted.
   */
  included: string[];
  /** UTC month ('YYYY-MM') → the run whose totals and values documents hold that month. */
  months: Record<string, string>;
  /** Documents this run replaced, deleted by the next run (so a reader of the head before this one still finds them). */
  replaced: DocRef[];
  /** Items this run set aside (held by none of its documents), listed in `rollup_set_aside` right after it publishes. */
  setAside: SetAside[];
}

/** A pending item a sum the store cannot hold kept out of the compacted rollups. */
export interface SetAside {
  id: string;
  reason: string;
}

export const NO_HEAD: Head = { k: -1, runId: null, included: [], months: {}, replaced: [], setAside: [] };

/** The chain and the small documents compaction keeps beside it, in one collection. */
export interface ChainDoc {
  _id: string;
  kind: 'head' | 'hint' | 'lease' | 'run' | 'pairs';
  tenant: string;
  [field: string]: unknown;
}

/**
 * A head as its chain document holds it: its position, run and months. Its lists (`included`,
 * `replaced`, `setAside`) are in a document of their own in another collection, read only when this
 * process meets a head it has not read before: FerretDB v1 (SQLite) finds a document by `_id` by
 * reading every document of its collection (its `_id` index is not used), so a warm check of the
 * chain costs what the chain collection holds, and the lists are most of it. Heads published before
 * the lists moved out still carry them (`included` present).
 */
type HeadDoc = ChainDoc & Pick<Head, 'k' | 'runId' | 'months'> & Partial<Pick<Head, 'included' | 'replaced' | 'setAside'>> & { createdAtMs: number };

/** A head's lists, keyed by its position and run (two runs that race for a position write one each). */
export interface HeadListsDoc {
  _id: string;
  tenant: string;
  k: number;
  createdAtMs: number;
  included: string[];
  replaced: DocRef[];
  setAside: SetAside[];
}

/** Heads kept behind the latest, so a reader that cached one of them still finds it and moves on. */
const KEPT = 20;
const KEPT_MS = 10 * 60_000;

/**
 * How long after this process read a head as the latest it trusts that head to be still kept, so a
 * check of it reads only the next position (see HeadChain.stillLatest): half of KEPT_MS, leaving the
 * other half for the clocks of the instances that publish and collect heads to disagree.
 */
const TRUSTED_MS = KEPT_MS / 2;

const headId = (tenant: string, k: number) => JSON.stringify(['head', tenant, k]);
const hintId = (tenant: string) => JSON.stringify(['hint', tenant]);
const listsId = (tenant: string, k: number, runId: string | null) => JSON.stringify(['lists', tenant, k, runId]);

/**
 * Finds and extends each tenant's chain. The latest head is found from the one this process saw last
 * (or the hint, a copy of the latest position that may lag) by reading it and the next: head k
 * present and k + 1 absent means k was the latest when k + 1 was read, because heads are only ever
 * deleted oldest first and well behind the latest.
 */
export class HeadChain {
  private readonly seen = new Map<string, Head>();
  /** Per tenant: the head this process last read as the latest (kept, and no head after it), and when (performance.now() before the reads). */
  private readonly confirmed = new Map<string, { k: number; atMs: number }>();

  constructor(
    private readonly docs: Collection<ChainDoc>,
    private readonly lists: Collection<HeadListsDoc>,
  ) {}

  /** The head this process saw last for the tenant (perhaps replaced since), or null. */
  known(tenant: string): Head | null {
    return this.seen.get(tenant) ?? null;
  }

  async latest(tenant: string): Promise<Head> {
    let head = this.seen.get(tenant) ?? (await this.fromHint(tenant));
    for (;;) {
      const at = performance.now();
      const [kept, next] = await Promise.all([head.k < 0 || this.isKept(tenant, head), this.headDoc(tenant, head.k + 1)]);
      if (!kept)
        head = await this.fromHint(tenant); // collected since this process saw it
      else if (next !== null) {
        const read = await this.withLists(tenant, next);
        head = read ?? (await this.fromHint(tenant));
      } else {
        this.seen.set(tenant, head);
        this.confirmed.set(tenant, { k: head.k, atMs: at });
        return head;
      }
    }
  }

  /**
   * Whether `head` is still the latest: it is kept and no head follows it (both read now). When this
   * process read it as the latest less than TRUSTED_MS ago, only the next position is read: a head
   * published after that read cannot have been collected yet (heads are kept KEPT_MS), and `head`
   * is collected only after many heads follow it, so no head after it means it is still kept.
   */
  async stillLatest(tenant: string, head: Head): Promise<boolean> {
    const at = performance.now();
    const trusted = this.trusted(tenant, head);
    const [kept, next] = await Promise.all([head.k < 0 || trusted || this.isKept(tenant, head), this.headDoc(tenant, head.k + 1)]);
    // A read that took longer than the trust lasts reads again.
    const latest = kept && next === null && (!trusted || this.trusted(tenant, head));
    if (latest) this.confirmed.set(tenant, { k: head.k, atMs: at });
    return latest;
  }

  /** Whether this process read `head` as the latest less than TRUSTED_MS ago. */
  private trusted(tenant: string, head: Head): boolean {
    const confirmed = this.confirmed.get(tenant);
    return confirmed !== undefined && confirmed.k === head.k && performance.now() - confirmed.atMs < TRUSTED_MS;
  }

  /** The run that published head k; null when that head is not (or no longer) kept. */
  async runAt(tenant: string, k: number): Promise<string | null> {
    return (await this.headDoc(tenant, k))?.runId ?? null;
  }

  /** Publishes `head` (k = the latest + 1); false when another run published that position first. */
  async publish(tenant: string, head: Head): Promise<boolean> {
    const { included, replaced, setAside, ...small } = head;
    const createdAtMs = Date.now();
    const lists: HeadListsDoc = { _id: listsId(tenant, head.k, head.runId), tenant, k: head.k, createdAtMs, included, replaced, setAside };
    // The lists first: a reader that finds the head finds them.
    await insertOnce(this.lists, lists);
    const doc: HeadDoc = { _id: headId(tenant, head.k), kind: 'head', tenant, createdAtMs, ...small };
    if (!(await insertOnce(this.docs, doc))) {
      await this.lists.deleteOne({ _id: lists._id });
      return false;
    }
    this.seen.set(tenant, head);
    await upsert(this.docs, hintId(tenant), { kind: 'hint', tenant, k: head.k });
    return true;
  }

  /**
   * Deletes heads more than KEPT behind `latest` and older than KEPT_MS, oldest first (what `latest`
   * and `stillLatest` rely on): a head a reader has just seen, and the next, are never deleted while
   * that reader's round trips are under way.
   */
  async collect(tenant: string, latest: number): Promise<void> {
    const old = await this.docs
      .find({ kind: 'head', tenant, k: { $lte: latest - KEPT }, createdAtMs: { $lt: Date.now() - KEPT_MS } }, { projection: { k: 1 } })
      .toArray();
    for (const k of old.map((d) => d.k as number).sort((a, b) => a - b)) await this.docs.deleteOne({ _id: headId(tenant, k) });
    // Then their lists (a head's lists have its createdAtMs), and those of runs that lost or stopped
    // between writing their lists and their head.
    if (old.length > 0) await this.lists.deleteMany({ tenant, k: { $lte: latest - KEPT }, createdAtMs: { $lt: Date.now() - KEPT_MS } });
  }

  /** The head the hint names, or the first still kept after it when it lags behind what was collected. */
  private async fromHint(tenant: string): Promise<Head> {
    const hint = await this.docs.findOne({ _id: hintId(tenant) });
    if (!hint) return NO_HEAD;
    const oldest = await this.docs.find({ kind: 'head', tenant }, { projection: { k: 1 } }).toArray();
    const k = Math.max(hint.k as number, Math.min(...oldest.map((d) => d.k as number)));
    return (await this.read(tenant, k)) ?? NO_HEAD;
  }

  private async read(tenant: string, k: number): Promise<Head | null> {
    const doc = await this.headDoc(tenant, k);
    return doc && this.withLists(tenant, doc);
  }

  /** Head k's chain document (without the lists of heads published since they moved out), or null. */
  private async headDoc(tenant: string, k: number): Promise<HeadDoc | null> {
    return (await this.docs.findOne({ _id: headId(tenant, k) })) as HeadDoc | null;
  }

  /** Whether `head` (this run's, not only its position) is still kept. */
  private async isKept(tenant: string, head: Head): Promise<boolean> {
    const doc = await this.headDoc(tenant, head.k);
    return doc !== null && doc.runId === head.runId;
  }

  /** The head a chain document names, with its lists (those this process holds when it read that head before); null when they were collected since. */
  private async withLists(tenant: string, doc: HeadDoc): Promise<Head | null> {
    const { k, runId, months } = doc;
    if (doc.included !== undefined) return { k, runId, months, included: doc.included, replaced: doc.replaced ?? [], setAside: doc.setAside ?? [] };
    const seen = this.seen.get(tenant);
    if (seen?.k === k && seen.runId === runId) return seen;
    const lists = await this.lists.findOne({ _id: listsId(tenant, k, runId) });
    return lists && { k, runId, months, included: lists.included, replaced: lists.replaced, setAside: lists.setAside };
  }
}
