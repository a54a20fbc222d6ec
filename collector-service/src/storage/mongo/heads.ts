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

type HeadDoc = ChainDoc & Head & { createdAtMs: number };

/** Heads kept behind the latest, so a reader that cached one of them still finds it and moves on. */
const KEPT = 20;
const KEPT_MS = 10 * 60_000;

const headId = (tenant: string, k: number) => JSON.stringify(['head', tenant, k]);
const hintId = (tenant: string) => JSON.stringify(['hint', tenant]);

function headOf(doc: HeadDoc): Head {
  return { k: doc.k, runId: doc.runId, included: doc.included, months: doc.months, replaced: doc.replaced, setAside: doc.setAside ?? [] };
}

/**
 * Finds and extends each tenant's chain. The latest head is found from the one this process saw last
 * (or the hint, a copy of the latest position that may lag) by reading it and the next: head k
 * present and k + 1 absent means k was the latest when k + 1 was read, because heads are only ever
 * deleted oldest first and well behind the latest.
 */
export class HeadChain {
  private readonly seen = new Map<string, Head>();

  constructor(private readonly docs: Collection<ChainDoc>) {}

  /** The head this process saw last for the tenant (perhaps replaced since), or null. */
  known(tenant: string): Head | null {
    return this.seen.get(tenant) ?? null;
  }

  async latest(tenant: string): Promise<Head> {
    let head = this.seen.get(tenant) ?? (await this.fromHint(tenant));
    for (;;) {
      const [current, next] = await Promise.all([head.k < 0 ? head : this.read(tenant, head.k), this.read(tenant, head.k + 1)]);
      if (current === null)
        head = await this.fromHint(tenant); // collected since this process saw it
      else if (next !== null) head = next;
      else {
        this.seen.set(tenant, current);
        return current;
      }
    }
  }

  /** Whether `head` is still the latest: it is kept and no head follows it (both read now). */
  async stillLatest(tenant: string, head: Head): Promise<boolean> {
    const [kept, next] = await Promise.all([head.k < 0 || this.read(tenant, head.k).then((h) => h !== null), this.read(tenant, head.k + 1)]);
    return kept && next === null;
  }

  /** Whether no head has been published after `head` (read now). */
  async isLatest(tenant: string, head: Head): Promise<boolean> {
    return (await this.read(tenant, head.k + 1)) === null;
  }

  /** The run that published head k; null when that head is not (or no longer) kept. */
  async runAt(tenant: string, k: number): Promise<string | null> {
    return (await this.read(tenant, k))?.runId ?? null;
  }

  /** Publishes `head` (k = the latest + 1); false when another run published that position first. */
  async publish(tenant: string, head: Head): Promise<boolean> {
    const doc: HeadDoc = { _id: headId(tenant, head.k), kind: 'head', tenant, createdAtMs: Date.now(), ...head };
    if (!(await insertOnce(this.docs, doc))) return false;
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
    const doc = (await this.docs.findOne({ _id: headId(tenant, k) })) as HeadDoc | null;
    return doc && headOf(doc);
  }
}
