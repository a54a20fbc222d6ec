import { BUCKET_MS, type StoragePort } from '../storage/storage.port';
import type { IngestEvents, StoredBatch } from '../ingest/ingest-events';
import type { SummaryLine } from '../ingest/stored-summary';
import { type Budget, SCOPE_DIMENSIONS } from './budget';
import { type Held, type PeriodSpend, readHeldSpend, recordInScope } from './budget-spend';
import { type BudgetPeriodWindow, budgetPeriod } from './budget-state';

interface SpendEntry extends PeriodSpend {
  tenant: string;
  budget: Budget;
  window: BudgetPeriodWindow;
  /** Batches with a higher seq started after the read: add them. Lower ones were under way during it: add those it does not hold. */
  baseSeq: number;
  /** Whether the read holds a batch of this process (null: the store cannot tell). */
  holds: Holds;
  /** Another instance may have written, or the read may hold a batch it cannot tell: read again. */
  dirty: boolean;
  lastUsedMs: number;
}

type Holds = Held<unknown>['holds'];

/** A read for entries, with which of this process's batches it holds, and the batches stored while it ran. */
interface Reading<T> extends Held<T> {
  baseSeq: number;
  during: readonly StoredBatch[];
}

/** A tenant's calls and cost over the cached periods, to notice what this process did not store itself. */
interface TenantWatch extends TenantTotals {
  fromMs: number;
  baseSeq: number;
  localCalls: number;
  localCostNanos: bigint;
  ambiguous: boolean;
}

interface TenantTotals {
  calls: number;
  costNanos: bigint;
}

const IDLE_MS = 10 * 60_000;
/** Longer than any calendar period (31 days) plus the widest zone offsets. */
const WATCH_SPAN_MS = 33 * 86_400_000;
const FAR_FUTURE_MS = Date.UTC(9999, 0, 1);

type ScopeDimensionList = (typeof SCOPE_DIMENSIONS)[number][];
const entryKey = (tenant: string, budget: Budget, window: BudgetPeriodWindow) => `${tenant}\u0000${budget.id}\u0000${budget.revision}\u0000${window.startMs}`;

/** Calendar units × time zones whose current period is kept (see periodOf). */
const MAX_PERIODS = 1024;

/**
 * Spend per (budget, period), and per user for perUser budgets, kept in memory so a check answers
 * without a store round trip. Exact by construction:
 * - an entry is loaded from the rollups, then every batch this process stores afterwards is added
 *   as it is stored (before its ack), so a check right after an ack sees it;
 * - a batch that was under way during the read is added unless the read holds it: the store says
 *   which of this process's writes a read holds (StoragePort.aggregateHeld), so a check right after
 *   that batch's ack sees it too, once. Where the store cannot tell (see RollupReader.aggregateHeld),
 *   the batch is not added, and the entry is marked dirty and read again on the next sync;
 * - batches stored by another instance on the same store, and costs a re-pricing corrected (here
 *   or elsewhere: the calls stay, their cost changes), are noticed by comparing each tenant's call
 *   count and cost in the rollups with what this process expects, on every sync; a difference
 *   marks the tenant's entries dirty, and dirty entries are read again in the same sync;
 * - that comparison only decides on a read no batch of the tenant overlapped. A sync whose read of
 *   the tenant's totals overlapped one (a process ingesting the tenant without pause may never make
 *   a quiet read) cannot tell the other writers' calls from its own batches in flight, so it marks
 *   the tenant's entries dirty and reads them again (grouped by period and scope dimensions): each
 *   such read is the store's spend, and the batches it overlapped are handled by the second rule.
 * So spend never counts a record twice, and lags other writers by at most a sync interval (the
 * sync that follows their write reads it, whether this process is ingesting the tenant or not).
 */
export class BudgetSpendCache {
  private readonly entries = new Map<string, SpendEntry>();
  private readonly loading = new Map<string, Promise<SpendEntry>>();
  private readonly byTenant = new Map<string, TenantEntries>();
  private readonly watches = new Map<string, TenantWatch>();
  /** Per entry read under way: the batches stored while it runs, added to what it read unless it holds them. */
  private readonly reads = new Set<StoredBatch[]>();
  /**
   * The period found last per calendar unit and time zone, all a period depends on: budgets read
   * again from the store (the alert evaluator's pass after each stored batch) are new objects, and a
   * period worked out again with luxon for each of them held the event loop under ingest.
   */
  private readonly periods = new Map<string, BudgetPeriodWindow>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly storage: StoragePort,
    private readonly ingest: IngestEvents,
  ) {
    this.unsubscribe = ingest.onStored((batch) => this.add(batch));
  }

  close(): void {
    this.unsubscribe();
  }

  /** The budget's spend in the period containing `nowMs` (loaded from the rollups on first use). */
  async spend(tenant: string, budget: Budget, nowMs: number): Promise<{ window: BudgetPeriodWindow; spend: PeriodSpend }> {
    const window = this.periodOf(budget, nowMs);
    const key = entryKey(tenant, budget, window);
    const entry = this.entries.get(key) ?? (await this.load(key, tenant, budget, window, nowMs));
    entry.lastUsedMs = nowMs;
    return { window, spend: entry };
  }

  /**
   * The budget's period containing `nowMs`: the one found last while `nowMs` is still in it. Periods
   * in a time zone take a calendar computation that would otherwise be most of a warm check's time.
   */
  private periodOf(budget: Budget, nowMs: number): BudgetPeriodWindow {
    const key = `${budget.period}\u0000${budget.timezone}`;
    const last = this.periods.get(key);
    if (last && nowMs >= last.startMs && nowMs < last.endMs) return last;
    const window = budgetPeriod(budget, nowMs);
    // Bounded however many zones budgets name: a full map starts again.
    if (this.periods.size >= MAX_PERIODS) this.periods.clear();
    this.periods.set(key, window);
    return window;
  }

  /**
   * Loads the budgets not cached yet with one rollup read per period and set of scope dimensions,
   * grouped by those dimensions (a thousand single-user budgets of one month are one read grouped by
   * user, not a thousand reads): what a pass over every budget wants after a start. The sums are
   * the ones readSpend makes for each budget. perUser and tag-scoped budgets are left to `spend`.
   */
  async preload(tenant: string, budgets: Budget[], nowMs: number): Promise<void> {
    const groups = new Map<string, { window: BudgetPeriodWindow; dimensions: ScopeDimensionList; budgets: Budget[] }>();
    for (const budget of budgets) {
      if (budget.scope.perUser || budget.scope.tags) continue;
      const window = this.periodOf(budget, nowMs);
      const key = entryKey(tenant, budget, window);
      if (this.entries.has(key) || this.loading.has(key)) continue;
      const dimensions = dimensionsOf(budget);
      const group = `${window.startMs}|${window.endMs}|${dimensions.join(',')}`;
      if (!groups.has(group)) groups.set(group, { window, dimensions, budgets: [] });
      groups.get(group)!.budgets.push(budget);
    }
    if (groups.size === 0) return;
    if (!this.watches.has(tenant)) await this.baseline(tenant, nowMs);
    for (const { window, dimensions, budgets: members } of groups.values()) {
      await this.held(
        () => this.sumsBy(tenant, window, dimensions),
        (reading) => {
          for (const budget of members) {
            const key = entryKey(tenant, budget, window);
            if (this.entries.has(key) || this.loading.has(key)) continue; // loaded meanwhile
            const spend = { total: sumOf(reading.value, dimensions, budget), byUser: null };
            this.remember(key, this.entryOf(tenant, budget, window, spend, reading, nowMs));
          }
        },
      );
    }
  }

  /** Spend in a window per combination of the dimensions' values (keyed by the JSON of the values). */
  private async sumsBy(tenant: string, window: BudgetPeriodWindow, dimensions: ScopeDimensionList): Promise<Held<Map<string, bigint>>> {
    const { rows, holds } = await this.storage.aggregateHeld({ tenant, fromMs: window.startMs, toMs: window.endMs, filters: {}, groupBy: dimensions });
    const sums = new Map<string, bigint>();
    for (const row of rows) {
      const key = JSON.stringify(dimensions.map((d) => row.key[d] ?? null));
      sums.set(key, (sums.get(key) ?? 0n) + row.costNanos);
    }
    return { value: sums, holds };
  }

  private load(key: string, tenant: string, budget: Budget, window: BudgetPeriodWindow, nowMs: number): Promise<SpendEntry> {
    let pending = this.loading.get(key);
    if (!pending) {
      pending = (this.watches.has(tenant) ? Promise.resolve() : this.baseline(tenant, nowMs))
        .then(() => this.read(tenant, budget, window, (reading) => this.remember(key, this.entryOf(tenant, budget, window, reading.value, reading, 0))))
        .finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  private remember(key: string, entry: SpendEntry): SpendEntry {
    this.entries.set(key, entry);
    let set = this.byTenant.get(entry.tenant);
    if (!set) this.byTenant.set(entry.tenant, (set = new TenantEntries()));
    set.add(entry);
    return entry;
  }

  /** The budget's spend read from the rollups, given to `apply` with the batches stored meanwhile. */
  private read<R>(tenant: string, budget: Budget, window: BudgetPeriodWindow, apply: (reading: Reading<PeriodSpend>) => R): Promise<R> {
    return this.held(() => readHeldSpend(this.storage, tenant, budget, window), apply);
  }

  /**
   * Runs `read` and hands what it found to `apply`, with the batches this process stored while it ran
   * (until `apply` has run: no batch falls between the read and the entries `apply` makes or updates,
   * which every later batch reaches through `add`).
   */
  private async held<T, R>(read: () => Promise<Held<T>>, apply: (reading: Reading<T>) => R): Promise<R> {
    const during: StoredBatch[] = [];
    this.reads.add(during);
    try {
      const { value, holds } = await read();
      return apply({ value, holds, baseSeq: this.ingest.started, during });
    } finally {
      this.reads.delete(during);
    }
  }

  /** An entry of what a read found: the batches stored while it ran and not held by it are added. */
  private entryOf(tenant: string, budget: Budget, window: BudgetPeriodWindow, spend: PeriodSpend, reading: Reading<unknown>, lastUsedMs: number): SpendEntry {
    const e: SpendEntry = { ...spend, tenant, budget, window, baseSeq: reading.baseSeq, holds: reading.holds, dirty: false, lastUsedMs };
    for (const batch of reading.during) for (const line of batch.lines) this.addLine(e, batch, line);
    return e;
  }

  /** A rollup read, and whether no batch of the tenant overlapped it (then it saw every batch up to baseSeq). */
  private async consistently<T>(tenant: string, fn: () => Promise<T>): Promise<{ value: T; baseSeq: number; clean: boolean }> {
    const before = this.ingest.activity(tenant);
    const value = await fn();
    const after = this.ingest.activity(tenant);
    return { value, baseSeq: this.ingest.started, clean: before.inFlight === 0 && after.inFlight === 0 && before.started === after.started };
  }

  /**
   * Adds a batch this process just stored to the entries it belongs to, line by line: watches start
   * and periods start and end on bucket boundaries, so a line's bucket says where all its records fall.
   */
  private add(batch: StoredBatch): void {
    for (const during of this.reads) during.push(batch);
    for (const line of batch.lines) {
      const { sums } = line;
      const watch = this.watches.get(line.tenant);
      if (watch && line.bucketMs >= watch.fromMs) {
        if (batch.seq > watch.baseSeq) {
          watch.localCalls += sums.calls;
          watch.localCostNanos += sums.costNanos;
        } else watch.ambiguous = true;
      }
      for (const e of this.byTenant.get(line.tenant)?.candidates(line.user) ?? []) this.addLine(e, batch, line);
    }
  }

  /** Adds a line of a stored batch to an entry it belongs to, unless the entry's read holds the batch. */
  private addLine(e: SpendEntry, batch: StoredBatch, line: SummaryLine): void {
    // Unpriced calls add no spend.
    if (e.tenant !== line.tenant || line.sums.calls === line.sums.unpricedCalls) return;
    if (line.bucketMs < e.window.startMs || line.bucketMs >= e.window.endMs || !recordInScope(e.budget, line)) return;
    if (batch.seq <= e.baseSeq) {
      const held = batch.written === undefined ? null : e.holds(batch.written);
      if (held === null) e.dirty = true;
      if (held !== false) return;
    }
    e.total += line.sums.costNanos;
    if (e.byUser) e.byUser.set(line.user!, (e.byUser.get(line.user!) ?? 0n) + line.sums.costNanos);
  }

  /**
   * One sync round: drops entries idle for 10 minutes or of past periods, notices other instances'
   * writes, and re-reads dirty entries.
   */
  async sync(nowMs: number): Promise<void> {
    for (const [key, e] of this.entries) {
      if (nowMs >= e.window.endMs || nowMs - e.lastUsedMs > IDLE_MS) this.drop(key, e);
    }
    for (const [tenant, entries] of this.byTenant) {
      if (entries.all.size === 0) {
        this.byTenant.delete(tenant);
        this.watches.delete(tenant);
        continue;
      }
      await this.watchTenant(tenant, entries.all, nowMs);
    }
    await this.readDirty();
  }

  /**
   * Reads the dirty entries again: those of one tenant, period and set of scope dimensions with one
   * grouped rollup read (as preload does), so a tenant whose entries are all read again each sync
   * (see watchTenant) costs a read per group, not per budget; perUser and tag-scoped ones one by one.
   */
  private async readDirty(): Promise<void> {
    const groups = new Map<string, { tenant: string; window: BudgetPeriodWindow; dimensions: ScopeDimensionList; members: [string, SpendEntry][] }>();
    for (const [key, e] of this.entries) {
      if (!e.dirty) continue;
      if (e.budget.scope.perUser || e.budget.scope.tags) {
        await this.read(e.tenant, e.budget, e.window, (reading) => this.refresh(key, e, reading.value, reading));
        continue;
      }
      const dimensions = dimensionsOf(e.budget);
      const group = `${e.tenant}\u0000${e.window.startMs}|${e.window.endMs}|${dimensions.join(',')}`;
      if (!groups.has(group)) groups.set(group, { tenant: e.tenant, window: e.window, dimensions, members: [] });
      groups.get(group)!.members.push([key, e]);
    }
    for (const { tenant, window, dimensions, members } of groups.values()) {
      if (members.length === 1) {
        const [key, e] = members[0];
        await this.read(tenant, e.budget, window, (reading) => this.refresh(key, e, reading.value, reading));
        continue;
      }
      await this.held(
        () => this.sumsBy(tenant, window, dimensions),
        (reading) => {
          for (const [key, e] of members) this.refresh(key, e, { total: sumOf(reading.value, dimensions, e.budget), byUser: null }, reading);
        },
      );
    }
  }

  /**
   * The budget's spend read from the rollups now, whatever is in memory (which lags other instances'
   * writes by up to a sync): for a decision that must not rest on a lagging view. The entry, if
   * any, takes the reading.
   */
  async fresh(tenant: string, budget: Budget, nowMs: number): Promise<{ window: BudgetPeriodWindow; spend: PeriodSpend }> {
    const window = this.periodOf(budget, nowMs);
    const key = entryKey(tenant, budget, window);
    const spend = await this.read(tenant, budget, window, (reading) => {
      const entry = this.entries.get(key);
      if (entry) this.refresh(key, entry, reading.value, reading);
      return reading.value;
    });
    return { window, spend };
  }

  /** The entry takes what a read found, and the batches stored while it ran that it does not hold. */
  private refresh(key: string, e: SpendEntry, spend: PeriodSpend, reading: Reading<unknown>): void {
    if (this.entries.get(key) !== e) return; // dropped meanwhile
    const taken = this.entryOf(e.tenant, e.budget, e.window, spend, reading, e.lastUsedMs);
    e.total = taken.total;
    e.byUser = taken.byUser;
    e.baseSeq = taken.baseSeq;
    e.holds = taken.holds;
    e.dirty = taken.dirty;
  }

  /**
   * Compares the tenant's calls and cost with what this process expects; a difference means someone
   * else wrote. A read that overlapped the tenant's own batches decides nothing (the local batches
   * keep being counted, and a later quiet read compares them), so the entries are read again now
   * rather than left behind another writer for as long as this process keeps ingesting the tenant.
   */
  private async watchTenant(tenant: string, entries: Set<SpendEntry>, nowMs: number): Promise<void> {
    const watch = this.watches.get(tenant);
    if (!watch || nowMs - watch.fromMs > 2 * WATCH_SPAN_MS) {
      await this.baseline(tenant, nowMs);
      return;
    }
    const read = await this.consistently(tenant, () => this.totals(tenant, watch.fromMs));
    if (!read.clean) {
      for (const e of entries) e.dirty = true;
      return;
    }
    const expected = watch.calls + watch.localCalls === read.value.calls && watch.costNanos + watch.localCostNanos === read.value.costNanos;
    if (watch.ambiguous || !expected) for (const e of entries) e.dirty = true;
    this.watches.set(tenant, { fromMs: watch.fromMs, ...read.value, baseSeq: read.baseSeq, localCalls: 0, localCostNanos: 0n, ambiguous: false });
  }

  /**
   * Starts counting a tenant's calls and cost from a month and two days back, before its first entry is read:
   * every cached period starts inside that range, so any later write lands in the count. Entries
   * already cached (none, unless an earlier baseline read overlapped a batch) are read again, also
   * when this read overlapped one (no watch yet, so nothing else would notice other writers).
   */
  private async baseline(tenant: string, nowMs: number): Promise<void> {
    const fromMs = Math.floor((nowMs - WATCH_SPAN_MS) / BUCKET_MS) * BUCKET_MS;
    const read = await this.consistently(tenant, () => this.totals(tenant, fromMs));
    for (const e of this.byTenant.get(tenant)?.all ?? []) e.dirty = true;
    if (!read.clean) return;
    this.watches.set(tenant, { fromMs, ...read.value, baseSeq: read.baseSeq, localCalls: 0, localCostNanos: 0n, ambiguous: false });
  }

  private async totals(tenant: string, fromMs: number): Promise<TenantTotals> {
    const [row] = await this.storage.aggregate({ tenant, fromMs, toMs: FAR_FUTURE_MS, filters: {}, groupBy: [] });
    return { calls: row?.calls ?? 0, costNanos: row?.costNanos ?? 0n };
  }

  private drop(key: string, e: SpendEntry): void {
    this.entries.delete(key);
    this.byTenant.get(e.tenant)?.delete(e);
  }

  /** Forgets every cached period of a budget (it changed or was deleted). */
  forget(tenant: string, budgetId: string): void {
    for (const [key, e] of this.entries) if (e.tenant === tenant && e.budget.id === budgetId) this.drop(key, e);
  }
}

/** The scope dimensions a budget names: what its spend is grouped by in a grouped read. */
function dimensionsOf(budget: Budget): ScopeDimensionList {
  return SCOPE_DIMENSIONS.filter((d) => budget.scope[d] !== undefined);
}

/** A budget's spend from a grouped read's sums (see sumsBy). */
function sumOf(sums: Map<string, bigint>, dimensions: ScopeDimensionList, budget: Budget): bigint {
  return sums.get(JSON.stringify(dimensions.map((d) => budget.scope[d]))) ?? 0n;
}

/**
 * A tenant's entries, with those of single-user budgets kept by user: a stored record is matched
 * against the budgets without a user in scope and its own user's, not against every user's budget.
 */
class TenantEntries {
  readonly all = new Set<SpendEntry>();
  private readonly general = new Set<SpendEntry>();
  private readonly byUser = new Map<string, Set<SpendEntry>>();

  add(e: SpendEntry): void {
    this.all.add(e);
    const user = e.budget.scope.user;
    if (user === undefined) this.general.add(e);
    else {
      let set = this.byUser.get(user);
      if (!set) this.byUser.set(user, (set = new Set()));
      set.add(e);
    }
  }

  delete(e: SpendEntry): void {
    this.all.delete(e);
    this.general.delete(e);
    const user = e.budget.scope.user;
    const set = user === undefined ? undefined : this.byUser.get(user);
    set?.delete(e);
    if (set?.size === 0) this.byUser.delete(user!);
  }

  *candidates(user: string | null): Iterable<SpendEntry> {
    yield* this.general;
    if (user !== null) yield* this.byUser.get(user) ?? [];
  }
}
