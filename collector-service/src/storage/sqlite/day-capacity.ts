import { formatUsd } from '@tokenledger/pricing';
import { TOKEN_KINDS, type TokenKind, type UsageRecord } from '../../usage/usage-record';
import type { DayShare } from './prepared-batch';

/** What one SQLite integer holds: the most money any rollup row, and so any tenant's UTC day, may sum to. */
export const MAX_DAY_COST_NANOS = 9_223_372_036_854_775_807n;
/** Token sums stay exact in a JavaScript number, as the rollups' readers and the API carry them. */
export const MAX_DAY_TOKENS = Number.MAX_SAFE_INTEGER;

const DAY_MS = 86_400_000;
/** Days kept in memory; beyond this, days with no batch in flight are dropped (and read again when needed). */
const MAX_DAYS_HELD = 10_000;

/** What a tenant's UTC day holds so far (rollups, batches waiting to be folded, batches being written). */
export interface DayTotals {
  costNanos: bigint;
  tokens: Record<TokenKind, number>;
}

interface HeldDay extends DayTotals {
  /** Batches admitted and not yet settled: the day is not dropped meanwhile. */
  inflight: number;
}

export interface Refusal {
  id: string;
  reason: string;
}

/** The outcome of `admit`: what may be written, and the reservations to settle once it is. */
export interface Admission {
  admitted: UsageRecord[];
  refused: Refusal[];
  /** After the write: keeps the room of the records stored, gives back the rest (duplicates). */
  settle: (stored: ReadonlySet<UsageRecord>) => void;
  /** The write failed: gives back every reservation. */
  release: () => void;
}

/**
 * Every rollup row sums records of one tenant and one UTC day at most, so keeping each tenant day's
 * totals within one integer keeps every row storable: a fold can never overflow, and no input can
 * stop the store from folding or starting. Records that would pass it are refused before they are
 * written (the sender hears which, in OTLP partialSuccess); sums over many days are read exactly in
 * bigint. A day's totals are read from the rollups on first use (after folding what waits) and then
 * kept in memory, advanced by each admitted batch before it is written, so concurrent batches never
 * share the same room.
 */
export class DayCapacity {
  private readonly days = new Map<string, HeldDay>();
  private readonly loading = new Map<string, Promise<void>>();

  /**
   * @param readDay the day's totals as stored (every batch this process stored folded first)
   * @param isStored whether a record id is stored already (a retried record needs no room)
   */
  constructor(
    private readonly readDay: (tenant: string, dayStartMs: number) => Promise<DayTotals>,
    private readonly isStored: (id: string) => boolean,
  ) {}

  async admit(records: readonly UsageRecord[]): Promise<Admission> {
    const keys = records.map(dayKey);
    await this.loadAll(keys);
    const admitted: UsageRecord[] = [];
    const refused: Refusal[] = [];
    const reserved: { day: HeldDay; record: UsageRecord }[] = [];
    const touched = new Set<HeldDay>();
    for (const [i, record] of records.entries()) {
      const day = this.days.get(keys[i])!;
      const overflow = overflowOf(day, record);
      if (overflow === null) {
        add(day, record, 1);
        reserved.push({ day, record });
        admitted.push(record);
      } else if (this.isStored(record.id)) {
        admitted.push(record); // a retry: its write stores nothing
      } else {
        refused.push({ id: record.id, reason: `the call is not stored: with it, ${overflow}` });
        continue;
      }
      touched.add(day);
    }
    for (const day of touched) day.inflight++;
    let open = true;
    const finish = (keep: (record: UsageRecord) => boolean) => {
      if (!open) return;
      open = false;
      for (const { day, record } of reserved) if (!keep(record)) add(day, record, -1);
      for (const day of touched) day.inflight--;
      this.trim();
    };
    return { admitted, refused, settle: (stored) => finish((r) => stored.has(r)), release: () => finish(() => false) };
  }

  /**
   * Reserves room for a whole batch from what it adds to each day (see DayShare; none of its records
   * takes anything away, so a day that holds the batch holds each record on the way): the
   * reservation, or null when a day cannot hold all of it (then `admit` tells which records).
   * `settle` is given the records not stored (duplicates) to give their room back.
   */
  async reserve(shares: readonly DayShare[]): Promise<{ settle: (notStored: readonly UsageRecord[]) => void; release: () => void } | null> {
    const keys = shares.map(dayKey);
    await this.loadAll(keys);
    const days = keys.map((key) => this.days.get(key)!);
    if (shares.some((share, i) => overflowOf(days[i], share) !== null)) return null;
    shares.forEach((share, i) => add(days[i], share, 1));
    for (const day of days) day.inflight++;
    let open = true;
    const finish = (giveBack: () => void) => {
      if (!open) return;
      open = false;
      giveBack();
      for (const day of days) day.inflight--;
      this.trim();
    };
    return {
      settle: (notStored) => finish(() => notStored.forEach((record) => add(this.days.get(dayKey(record))!, record, -1))),
      release: () => finish(() => shares.forEach((share, i) => add(days[i], share, -1))),
    };
  }

  private async loadAll(keys: readonly string[]): Promise<void> {
    for (;;) {
      const missing = [...new Set(keys)].filter((key) => !this.days.has(key));
      if (missing.length === 0) return;
      await Promise.all(missing.map((key) => this.load(key)));
    }
  }

  private load(key: string): Promise<void> {
    let loading = this.loading.get(key);
    if (!loading) {
      const [tenant, day] = splitKey(key);
      loading = this.readDay(tenant, day)
        .then((totals) => {
          if (!this.days.has(key)) this.days.set(key, { ...totals, tokens: { ...totals.tokens }, inflight: 0 });
        })
        .finally(() => this.loading.delete(key));
      this.loading.set(key, loading);
    }
    return loading;
  }

  private trim(): void {
    if (this.days.size <= MAX_DAYS_HELD) return;
    for (const [key, day] of this.days) {
      if (this.days.size <= MAX_DAYS_HELD / 2) break;
      if (day.inflight === 0) this.days.delete(key);
    }
  }
}

const dayKey = (r: Amount) => `${r.tenant}\u0000${'dayStartMs' in r ? r.dayStartMs : Math.floor(r.timeMs / DAY_MS) * DAY_MS}`;

function splitKey(key: string): [string, number] {
  const at = key.lastIndexOf('\u0000');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}

const TOKEN_NAMES: Record<TokenKind, string> = { input: 'input', output: 'output', cacheRead: 'cache read', cacheWrite: 'cache write', reasoning: 'reasoning' };

/** What a record, or a batch's share of a day, adds to the day. */
type Amount = Pick<UsageRecord, 'costNanos' | 'tokens' | 'tenant'> & ({ timeMs: number } | { dayStartMs: number });

/** Why adding the amount would pass what the day can hold, or null. */
function overflowOf(day: DayTotals, r: Amount): string | null {
  // Worded only when it happens: every record of every batch passes here.
  const where = () => {
    const [tenant, dayStart] = splitKey(dayKey(r));
    return `tenant "${tenant}" on ${new Date(dayStart).toISOString().slice(0, 10)} (UTC) would exceed what the store can hold`;
  };
  if (r.costNanos !== null && day.costNanos + r.costNanos > MAX_DAY_COST_NANOS) return `${where()} ($${formatUsd(MAX_DAY_COST_NANOS)} a day)`;
  for (const kind of TOKEN_KINDS) {
    if (day.tokens[kind] + r.tokens[kind] > MAX_DAY_TOKENS) return `${where()} (${MAX_DAY_TOKENS.toLocaleString('en-US')} ${TOKEN_NAMES[kind]} tokens a day)`;
  }
  return null;
}

function add(day: DayTotals, r: Pick<Amount, 'costNanos' | 'tokens'>, sign: 1 | -1): void {
  if (r.costNanos !== null) day.costNanos += sign === 1 ? r.costNanos : -r.costNanos;
  for (const kind of TOKEN_KINDS) day.tokens[kind] += sign * r.tokens[kind];
}
