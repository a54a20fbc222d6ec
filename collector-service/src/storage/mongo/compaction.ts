import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { Collection, Db } from 'mongodb';
import { ROLLUP_DIMENSIONS } from '../storage.port';
import { type BatchDoc, fault, type MongoFaults, type RollupBatches } from './batches';
import { CompactedMonth } from './compacted-month';
import type { Group } from './groups';
import type { ChainDoc, Head, HeadChain, SetAside } from './heads';
import { insertIgnoringDuplicates, upsert } from './inserts';
import type { KeptPairs } from './kept-pairs';
import { type PendingItem, type PendingItems, SUPERSEDED } from './pending';
import type { SumsRow } from './sums-table';
import {
  type BucketTotal,
  conversationsUnsplit,
  dayOf,
  type DocRef,
  monthOf,
  monthValuesRef,
  type NewDoc,
  type RollupDoc,
  type RollupDocs,
} from './rollup-docs';
import type { RecordDoc } from './record-docs';
import { ValueDayBackfill, type ValueDayFill } from './value-day-backfill';

/** A batch compaction set aside: it counts nowhere (see Compactor.build). */
export interface SetAsideDoc {
  _id: string;
  tenant: string;
  reason: string;
  atMs: number;
}

export interface CompactionSettings {
  /** Between the end of one round and the start of the next; 0: only when `compact` is called. */
  everyMs: number;
  /** A pending batch older than this is finished by compaction (its writer crashed or stalled). */
  staleAfterMs: number;
  /** Pending items one run moves at most, so a run's memory stays bounded after a long outage. */
  maxItemsPerRun: number;
}

export const DEFAULT_COMPACTION: CompactionSettings = { everyMs: 1000, staleAfterMs: 60_000, maxItemsPerRun: 200 };

/** A run holds its tenant this long; another process skips the tenant meanwhile (only to save work: the chain keeps runs exact). */
const LEASE_MS = 30_000;
/** A run's journal older than this belongs to a run that died. */
const DEAD_RUN_MS = 5 * 60_000;

interface Built {
  runId: string;
  docs: NewDoc[];
  months: Record<string, string>;
  replaced: DocRef[];
  setAside: SetAside[];
}

const leaseId = (tenant: string) => JSON.stringify(['lease', tenant]);
const runDocId = (tenant: string, runId: string) => JSON.stringify(['run', tenant, runId]);

/**
 * Moves pending items (rolled batches) into the compacted rollup documents
 * (see rollup-docs.ts), so a report reads a few documents per month, never one per batch.
 *
 * A run for a tenant: reads the latest head k, finishes pending batches their writers left stale,
 * reads the pending items k does not hold, writes new documents for every month, bucket and
 * dimension they touch (the old ones plus the items, under a fresh run id), and publishes head k + 1
 * naming them. Only then does it delete the items it moved, and the documents head k replaced. Any
 * step may crash or run twice, in any number of processes at once: a run that loses the race for
 * k + 1 deletes its own documents; one that published but crashed leaves items the next run deletes
 * (readers skip them meanwhile: the head lists them as included); nothing is ever counted twice or
 * dropped, because what counts is decided by one insert, the head's.
 */
export class Compactor {
  private readonly holder = randomUUID();
  private readonly logger = new Logger('MongoCompaction');
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> = Promise.resolve();
  private stopped = false;
  private lastFailure: { message: string; atMs: number } | null = null;
  /** Tenants whose every month has its month values (written by this version, or rewritten by addMonthValues). */
  private readonly withMonthValues = new Set<string>();
  private allWithMonthValues = false;
  private readonly backfill: ValueDayBackfill;
  /** Tenants none of whose days lacks value documents, but days whose records do not add up (see ValueDayBackfill). */
  private readonly withValueDays = new Set<string>();
  private allWithValueDays = false;
  /** Per tenant, the head and kept pairs at which every day held those pairs. */
  private readonly withPairs = new Map<string, string>();
  /** Per tenant, the head at which every day held its group days. */
  private readonly withGroupDays = new Map<string, number>();
  /** Per tenant, the head at which every day held its conversations per group in parts (or none). */
  private readonly withConversationParts = new Map<string, number>();
  /** Background rounds give old days their value rows no sooner than this (see backgroundRound). */
  private valueDaysPausedUntilMs = 0;

  constructor(
    private readonly db: Db,
    private readonly chain: HeadChain,
    private readonly chainDocs: Collection<ChainDoc>,
    private readonly docs: RollupDocs,
    private readonly batches: RollupBatches,
    private readonly batchDocs: Collection<BatchDoc>,
    private readonly pending: PendingItems,
    private readonly setAsideDocs: Collection<SetAsideDoc>,
    private readonly keptPairs: KeptPairs,
    private readonly settings: CompactionSettings = DEFAULT_COMPACTION,
    private readonly faults: MongoFaults = {},
  ) {
    this.backfill = new ValueDayBackfill(db.collection<RecordDoc>('usage_records'), batchDocs, chain, docs);
  }

  start(): void {
    if (this.settings.everyMs > 0 && !this.stopped) this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round;
  }

  /**
   * Compacts every tenant with pending items until none is left (or a run fails), then gives every
   * month its month values, every day the pairs kept, and every day its group days.
   */
  async compactAll(): Promise<void> {
    for (const tenant of await this.tenantsWithWork()) while (await this.compact(tenant));
    while (await this.addMonthValues());
    while (await this.addPairRollups());
    while (await this.addGroupDays());
    while (await this.addConversationParts());
  }

  /**
   * Gives one day compacted before its conversations per group were split by user its parts (see
   * BucketTotal.conversationParts), or before those parts kept a column per dimension those parts
   * again (see BucketTotal.conversationColumns), by a run like any other: a day per call, newest
   * first, so an old store's filtered breakdowns by conversation read one user's part, and decode only
   * the rows their filter keeps, over rounds. False when no day lacks them.
   */
  addConversationParts(): Promise<boolean> {
    return this.rewriteADayLacking(this.withConversationParts, conversationsUnsplit);
  }

  /**
   * Gives one day compacted before group days were written its group day documents (summed from
   * its buckets' groups, see CompactedMonth), or before they were packed as dictionary columns or
   * split by feature too those documents again, by a run like any other: a day per call, newest first, so an old store's
   * filtered breakdowns read them over rounds. False when no day lacks them.
   */
  addGroupDays(): Promise<boolean> {
    return this.rewriteADayLacking(this.withGroupDays, (t) => t.groupDaysRun === null || !t.groupDaysColumns || t.groupDayFeatureParts === null);
  }

  /**
   * Rewrites one day of the first tenant with a day that `lacks` something (see rewriteDayLacking),
   * `done` holding per tenant the head at which none did; false when no tenant has such a day.
   */
  private async rewriteADayLacking(done: Map<string, number>, lacks: (total: BucketTotal) => boolean): Promise<boolean> {
    for (const tenant of (await this.chainDocs.distinct('tenant', { kind: 'hint' })).sort()) {
      const head = await this.chain.latest(tenant);
      if (done.get(tenant) === head.k) continue;
      const result = await this.rewriteDayLacking(tenant, head, lacks);
      if (result === 'later') continue;
      if (result === 'none') {
        done.set(tenant, head.k);
        continue;
      }
      return result === 'rewrote';
    }
    return false;
  }

  /**
   * Rewrites the newest day of the head with a bucket that `lacks` something (see `run`): 'none' when
   * no day does, 'later' when a newer head replaced a document meanwhile (the next round looks
   * again), 'held' when another instance holds the tenant.
   */
  private async rewriteDayLacking(tenant: string, head: Head, lacks: (total: BucketTotal) => boolean): Promise<'rewrote' | 'none' | 'later' | 'held'> {
    const lacking = await this.dayWithout(tenant, head, lacks);
    if (lacking === 'replaced') return 'later';
    if (lacking === null) return 'none';
    if (!(await this.lease(tenant))) return 'held';
    try {
      await this.run(tenant, monthOf(lacking), undefined, lacking);
    } finally {
      await this.release(tenant);
    }
    return 'rewrote';
  }

  /**
   * Rewrites one day compacted before its tenant kept a pair it keeps now (its pairs summed from
   * the day's groups), by a run like any other: a day per call, newest first, so a tenant's history
   * gains a new budget's pair over rounds. False when no day lacks one.
   */
  async addPairRollups(): Promise<boolean> {
    for (const tenant of await this.keptPairs.tenants()) {
      const keep = await this.keptPairs.of(tenant);
      const head = await this.chain.latest(tenant);
      const state = `${head.k}|${keep.join(' ')}`;
      if (keep.length === 0 || this.withPairs.get(tenant) === state) continue;
      const done = await this.rewriteDayLacking(tenant, head, (t) => t.pairsRun === null || keep.some((pair) => !t.pairs.includes(pair)));
      if (done === 'later') continue;
      if (done === 'none') {
        this.withPairs.set(tenant, state);
        continue;
      }
      return done === 'rewrote';
    }
    return false;
  }

  /** The newest day of the head with a bucket that `lacks` something; 'replaced' when a newer head replaced a document meanwhile. */
  private async dayWithout(tenant: string, head: Head, lacks: (total: BucketTotal) => boolean): Promise<number | null | 'replaced'> {
    for (const [month, runId] of Object.entries(head.months).sort().reverse()) {
      const totals = await this.docs.totals(tenant, month, runId);
      if (!totals) return 'replaced';
      const lacking = [...totals].filter(([, t]) => lacks(t)).map(([bucket]) => dayOf(bucket));
      if (lacking.length > 0) return Math.max(...lacking);
    }
    return null;
  }

  /**
   * Rewrites one month compacted before month values were written (its documents as they are, plus
   * its month values summed from its day values), by a run like any other: a month per call, so a
   * store of many such months gains them over rounds, never stalling a start. False when none is left.
   */
  async addMonthValues(): Promise<boolean> {
    if (this.allWithMonthValues) return false;
    for (const tenant of (await this.chainDocs.distinct('tenant', { kind: 'hint' })).sort()) {
      if (this.withMonthValues.has(tenant)) continue;
      const head = await this.chain.latest(tenant);
      const month = await this.monthWithoutMonthValues(tenant, head);
      if (month === null) {
        this.withMonthValues.add(tenant);
        continue;
      }
      if (!(await this.lease(tenant))) return false;
      try {
        await this.run(tenant, month);
      } finally {
        await this.release(tenant);
      }
      return true;
    }
    // Tenants compacted from now on are written by this version.
    this.allWithMonthValues = true;
    return false;
  }

  /**
   * Gives one day compacted before value rollups existed its value documents, summed from its raw
   * records (see ValueDayBackfill), by a run that rewrites its month: a day per call, in the
   * background, so breakdowns of old days read rollups too. False when none is left (or another
   * instance holds the tenant, or batches not compacted yet touch the day: a later round).
   */
  async addValueDays(): Promise<boolean> {
    if (this.allWithValueDays) return false;
    for (const tenant of (await this.chainDocs.distinct('tenant', { kind: 'hint' })).sort()) {
      if (this.withValueDays.has(tenant)) continue;
      const head = await this.chain.latest(tenant);
      const days = await this.backfill.daysWithout(tenant, head);
      if (days === null) return false; // a newer head replaced a document: a later round
      if (days.length === 0) {
        this.withValueDays.add(tenant);
        continue;
      }
      if (!(await this.lease(tenant))) return false;
      try {
        const fill = await this.backfill.fill(tenant, head, days[0]);
        if (fill === 'later') return false;
        if (fill !== 'mismatch') await this.run(tenant, monthOf(fill.day), fill);
      } finally {
        await this.release(tenant);
      }
      return true;
    }
    // Days compacted from now on come with their value rows.
    this.allWithValueDays = true;
    return false;
  }

  private async monthWithoutMonthValues(tenant: string, head: Head): Promise<string | null> {
    for (const [month, runId] of Object.entries(head.months).sort()) {
      const ref = monthValuesRef(tenant, month, ROLLUP_DIMENSIONS[0], runId);
      if (!(await this.db.collection<RollupDoc>(ref.collection).findOne({ _id: ref.id }, { projection: { _id: 1 } }))) return month;
    }
    return null;
  }

  /** One run for a tenant; true when it moved something (more may be left). */
  async compact(tenant: string): Promise<boolean> {
    if (!(await this.lease(tenant))) return false;
    try {
      await this.cleanUpDeadRuns(tenant);
      return await this.run(tenant);
    } finally {
      await this.release(tenant);
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.round = this.backgroundRound().finally(() => {
        if (!this.stopped) this.schedule();
      });
    }, this.settings.everyMs);
    this.timer.unref();
  }

  /** Every tenant, one failing tenant (a sum the store cannot hold) not holding back the others. */
  private async backgroundRound(): Promise<void> {
    try {
      for (const tenant of await this.tenantsWithWork()) {
        try {
          while (!this.stopped && (await this.compact(tenant)));
        } catch (err) {
          this.reportFailure(`compacting the rollups of tenant ${tenant} failed, will retry: ${(err as Error).message}`);
        }
      }
      if (!this.stopped && !(await this.addMonthValues()) && !this.stopped && Date.now() >= this.valueDaysPausedUntilMs) {
        // A day's records are one query, which FerretDB answers by reading every stored record: the
        // rounds spend at most a fifth of their time on it, so an old store is filled without
        // weighing on ingest and reads.
        const startedMs = Date.now();
        await this.addValueDays();
        this.valueDaysPausedUntilMs = Date.now() + 4 * (Date.now() - startedMs);
      }
      if (!this.stopped) await this.addPairRollups();
      if (!this.stopped) await this.addGroupDays();
      if (!this.stopped) await this.addConversationParts();
    } catch (err) {
      this.reportFailure(`compacting the rollups failed, will retry: ${(err as Error).message}`);
    }
  }

  /** A failure that persists is logged once a minute, not every round; reads stay exact meanwhile (they add what is not compacted). */
  private reportFailure(message: string): void {
    const now = Date.now();
    if (this.lastFailure?.message === message && now - this.lastFailure.atMs < 60_000) return;
    this.lastFailure = { message, atMs: now };
    this.logger.error(message);
  }

  private async tenantsWithWork(): Promise<string[]> {
    // Not the marks of heads published (see PendingItems.listedFor): they are no work.
    return (await this.batchDocs.distinct('tenant', { state: { $ne: SUPERSEDED } })).sort();
  }

  /**
   * One run; with `rewrite`, one that moves no item but rewrites that month (see addMonthValues), and
   * with `fill` gives a day of it its value rows, only onto the head they were checked against, or
   * rewrites `day` with the pairs kept, its group days and its value documents (see addPairRollups,
   * addGroupDays, addConversationParts).
   */
  private async run(tenant: string, rewrite?: string, fill?: ValueDayFill, day?: number): Promise<boolean> {
    const head = await this.chain.latest(tenant);
    if (fill && head.k !== fill.headK) return false;
    for (const stale of await this.batches.stale(tenant, Date.now() - this.settings.staleAfterMs)) {
      this.logger.warn(
        `batch ${stale._id} of tenant ${tenant} was stored ${Math.round((Date.now() - stale.createdAtMs) / 1000)} s ago and its writer has not rolled it up (it crashed or stalled): finishing it`,
      );
      await this.batches.takeOver(stale);
    }
    const included = new Set(head.included);
    const rolled = await this.pending.rolled(tenant);
    const present = new Set(rolled.map((i) => i.id));
    const items = rewrite ? [] : rolled.filter((i) => !included.has(i.id)).slice(0, this.settings.maxItemsPerRun);
    const leftover = head.included.filter((id) => present.has(id));
    if (items.length === 0 && !rewrite) {
      // What a run that crashed after publishing left undone.
      await this.recordSetAside(tenant, head.setAside);
      if (leftover.length > 0) await this.pending.delete(tenant, head.k, leftover);
      return false;
    }
    const built = await this.build(tenant, head, items, rewrite, fill, day);
    if (!built) return false; // the head was replaced meanwhile
    const { runId } = built;
    await this.chainDocs.insertOne({
      _id: runDocId(tenant, runId),
      kind: 'run',
      tenant,
      runId,
      k: head.k + 1,
      docs: built.docs.map((d) => d.ref),
      createdAtMs: Date.now(),
    });
    fault(this.faults, 'afterJournal');
    await this.insert(built.docs);
    fault(this.faults, 'beforeHead');
    const next: Head = {
      k: head.k + 1,
      runId,
      included: [...items.map((i) => i.id), ...leftover],
      months: built.months,
      replaced: built.replaced,
      setAside: built.setAside,
    };
    if (!(await this.chain.publish(tenant, next))) {
      await this.remove(built.docs.map((d) => d.ref));
      await this.chainDocs.deleteOne({ _id: runDocId(tenant, runId) });
      return false;
    }
    await this.chainDocs.deleteOne({ _id: runDocId(tenant, runId) });
    await this.recordSetAside(tenant, next.setAside);
    fault(this.faults, 'afterHead');
    await this.pending.delete(tenant, next.k, next.included);
    fault(this.faults, 'afterDelete');
    // Replaced by the run before: readers still on the head before that one read again.
    await this.remove(head.replaced);
    fault(this.faults, 'afterReplaced');
    await this.chain.collect(tenant, next.k);
    return true;
  }

  /**
   * The head's documents plus the items, as new documents of this run: every touched month's totals
   * and values, every touched bucket's groups. An item whose groups would take a sum past what the
   * store holds is set aside: not added (it counts nowhere), listed with the reason.
   */
  private async build(tenant: string, head: Head, items: PendingItem[], rewrite?: string, fill?: ValueDayFill, day?: number): Promise<Built | null> {
    const buckets = new Map<string, Set<number>>(rewrite ? [[rewrite, new Set()]] : []);
    const keep = await this.keptPairs.of(tenant);
    for (const g of items.flatMap((i) => i.groups)) {
      const month = monthOf(g.bucket);
      if (!buckets.has(month)) buckets.set(month, new Set());
      buckets.get(month)!.add(g.bucket);
    }
    const months = new Map<string, CompactedMonth>();
    for (const [month, touched] of buckets) {
      const days = new Set(day !== undefined && monthOf(day) === month ? [day] : []);
      const loaded = await CompactedMonth.load(this.docs, tenant, month, head.months[month], touched, keep, days);
      if (!loaded) return null;
      months.set(month, loaded);
    }
    if (fill) months.get(monthOf(fill.day))!.fillValueDay(fill.day, fill.rows);
    const setAside: SetAside[] = [];
    for (const item of items) {
      // An item's groups at a time, the event loop free in between: reports and checks wait for one item, not the run.
      await nextTurn();
      const parts = new Map<string, { groups: Group[]; values: SumsRow[] | null }>();
      const part = (bucket: number) => {
        const month = monthOf(bucket);
        if (!parts.has(month)) parts.set(month, { groups: [], values: item.values && [] });
        return parts.get(month)!;
      };
      for (const g of item.groups) part(g.bucket).groups.push(g);
      for (const row of item.values ?? []) part(row.key[0] as number).values!.push(row);
      const problems = [...parts].map(([month, p]) => months.get(month)!.add(p.groups, p.values, 1)).filter((p) => p !== null);
      if (problems.length === 0) continue;
      for (const [month, p] of parts) months.get(month)!.add(p.groups, p.values, -1);
      setAside.push({ id: item.id, reason: problems[0] });
    }
    const runId = randomUUID();
    const built: Built = { runId, docs: [], months: { ...head.months }, replaced: [], setAside };
    for (const [month, state] of months) {
      await nextTurn();
      const { docs, replaced } = state.documents(tenant, runId);
      built.docs.push(...docs);
      built.replaced.push(...replaced);
      built.months[month] = runId;
    }
    return built;
  }

  /** Lists set-aside items (again, after a crash: an item listed twice is one document) and says so in the log. */
  private async recordSetAside(tenant: string, items: readonly SetAside[]): Promise<void> {
    if (items.length === 0) return;
    const fresh = await insertIgnoringDuplicates(
      this.setAsideDocs,
      items.map((i) => ({ _id: i.id, tenant, reason: i.reason, atMs: Date.now() })),
    );
    for (const item of items) {
      if (fresh.has(item.id)) continue; // listed and logged before
      this.logger.error(
        `batch ${item.id} of tenant ${tenant} is set aside: ${item.reason}. Its records stay in the raw usage and exports; totals, budgets and alerts leave them out (collection rollup_set_aside lists such batches)`,
      );
    }
  }

  private async insert(docs: NewDoc[]): Promise<void> {
    const byCollection = new Map<string, RollupDoc[]>();
    for (const { ref, doc } of docs) {
      if (!byCollection.has(ref.collection)) byCollection.set(ref.collection, []);
      byCollection.get(ref.collection)!.push(doc);
    }
    await Promise.all([...byCollection].map(([collection, list]) => this.db.collection<RollupDoc>(collection).insertMany(list, { ordered: false })));
  }

  private async remove(refs: readonly DocRef[]): Promise<void> {
    const byCollection = new Map<string, string[]>();
    for (const ref of refs) {
      if (!byCollection.has(ref.collection)) byCollection.set(ref.collection, []);
      byCollection.get(ref.collection)!.push(ref.id);
    }
    await Promise.all([...byCollection].map(([collection, ids]) => this.db.collection<RollupDoc>(collection).deleteMany({ _id: { $in: ids } })));
  }

  private async release(tenant: string): Promise<void> {
    await upsert(this.chainDocs, leaseId(tenant), { kind: 'lease', tenant, holder: this.holder, untilMs: 0 });
  }

  /** An advisory hold on the tenant, so instances do not repeat each other's work. */
  private async lease(tenant: string): Promise<boolean> {
    const now = Date.now();
    const current = await this.chainDocs.findOne({ _id: leaseId(tenant) });
    if (current && current.holder !== this.holder && (current.untilMs as number) > now) return false;
    await upsert(this.chainDocs, leaseId(tenant), { kind: 'lease', tenant, holder: this.holder, untilMs: now + LEASE_MS });
    return true;
  }

  /**
   * A run that died leaves its journal, naming its documents. Once another run holds its position in
   * the chain, it lost (or crashed before publishing): its documents are deleted. One that published
   * only missed deleting its journal. Until its position is taken it could still publish (a stalled
   * run), so it is left alone; once that head is collected it cannot be told, and its documents stay.
   */
  private async cleanUpDeadRuns(tenant: string): Promise<void> {
    const dead = await this.chainDocs.find({ kind: 'run', tenant, createdAtMs: { $lt: Date.now() - DEAD_RUN_MS } }).toArray();
    if (dead.length === 0) return;
    const latest = await this.chain.latest(tenant);
    for (const journal of dead) {
      const k = journal.k as number;
      if (k > latest.k) continue;
      const winner = await this.chain.runAt(tenant, k);
      if (winner !== null && winner !== journal.runId) await this.remove(journal.docs as DocRef[]);
      await this.chainDocs.deleteOne({ _id: journal._id });
    }
  }
}
