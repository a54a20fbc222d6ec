import { breakdownGroups } from '../../src/reports/breakdown-groups';
import type { DimensionFilters, DimensionPair, RollupQuery, RollupRow, StoragePort, ValueSums } from '../../src/storage/storage.port';
import type { UsageRecord } from '../../src/usage/usage-record';
import { record } from '../support/records';
import type { StoreFixture } from './storage.contract';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BUCKET = 15 * 60_000;
const NOV = Date.UTC(2026, 10, 1);

/** Records over five weeks (three UTC months) with every mix of users, models, statuses, tags and missing prices; sums pass 2^53 nanos. */
export function records(n: number, seed: number, spanMs = 36 * DAY, startMs = NOV - 4 * DAY): UsageRecord[] {
  let s = seed;
  const next = (k: number) => Math.floor((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 12) % k;
  return Array.from({ length: n }, () => {
    const tags: Record<string, string> = {};
    if (next(3) === 0) tags.team = ['search', 'ads'][next(2)];
    const conversation = next(4) === 0 ? null : `chat-${next(60)}`;
    return record({
      conversation,
      tenant: next(8) === 0 ? 'acme' : 'default',
      timeMs: startMs + next(spanMs / 1000) * 1000,
      user: ['ann', 'ben', null][next(3)],
      model: ['gpt-4o', 'o3'][next(2)],
      status: next(9) === 0 ? 'error' : 'ok',
      costNanos: next(10) === 0 ? null : BigInt(next(100_000)) * 100_000_000_000n + BigInt(next(1000)),
      tokens: { input: next(5000), output: next(3000), cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      durationMs: next(2000),
      tags,
    });
  });
}

/** The pair of dimensions the cases keep rollups for (a store may keep them, see keepPairRollups): the two-dimension queries below ask by it, and by one not kept. */
const KEPT_PAIRS: DimensionPair[] = [['user', 'model']];

export async function keepPairs(store: StoragePort, pairs: DimensionPair[] = KEPT_PAIRS): Promise<void> {
  for (const tenant of ['default', 'acme']) await store.keepPairRollups(tenant, pairs);
}

/** Queries of every shape a store answers differently: totals, buckets, one dimension over whole and partial days and months, two dimensions (a kept pair and another), tags. */
const QUERIES: (Omit<RollupQuery, 'tenant' | 'fromMs' | 'toMs' | 'filters'> & Partial<RollupQuery>)[] = [
  { groupBy: [] },
  { groupBy: ['bucket'] },
  { groupBy: ['user'] },
  { groupBy: [], filters: { user: 'ben' } },
  { groupBy: ['user'], fromMs: NOV + 5 * HOUR + 45 * 60_000, toMs: NOV + 2 * DAY + 2 * HOUR + BUCKET },
  { groupBy: ['status'], fromMs: NOV - 2 * HOUR, toMs: NOV + 29 * DAY + 23 * HOUR },
  { groupBy: ['model'], filters: { user: 'ann' } },
  { groupBy: ['bucket'], filters: { model: 'o3' }, fromMs: NOV, toMs: NOV + DAY },
  { groupBy: ['user'], tags: { team: 'search' } },
  { groupBy: ['model'], fromMs: NOV + DAY + 20 * HOUR, toMs: NOV + 3 * DAY + 4 * HOUR },
  { groupBy: [], filters: { user: 'ben', model: 'gpt-4o' } },
  { groupBy: ['user', 'model'], fromMs: NOV + 5 * HOUR + 45 * 60_000, toMs: NOV + 2 * DAY + 2 * HOUR + BUCKET },
  { groupBy: ['user'], filters: { model: 'o3' }, fromMs: NOV - 2 * HOUR, toMs: NOV + 29 * DAY + 23 * HOUR },
  { groupBy: ['status'], filters: { user: 'ann' }, fromMs: NOV - DAY - HOUR, toMs: NOV + 6 * DAY + 20 * HOUR },
];

/** Value breakdowns over a range of whole and partial days, and over parts of one day. */
const VALUE_QUERIES: { by: string; fromMs: number; toMs: number }[] = [
  { by: 'conversation', fromMs: NOV - 10 * DAY, toMs: NOV + 40 * DAY },
  { by: 'tag:team', fromMs: NOV - 10 * DAY, toMs: NOV + 40 * DAY },
  { by: 'conversation', fromMs: NOV + 5 * HOUR + 45 * 60_000, toMs: NOV + 2 * DAY + 2 * HOUR + BUCKET },
  { by: 'tag:team', fromMs: NOV - 2 * HOUR, toMs: NOV + 29 * DAY + 23 * HOUR },
  { by: 'conversation', fromMs: NOV + DAY + 2 * HOUR, toMs: NOV + DAY + 7 * HOUR },
];

/** Breakdowns by conversation with filters, over whole and partial days and over part of one day. */
const FILTERED_CONVERSATIONS: { filters: DimensionFilters; fromMs: number; toMs: number }[] = [
  { filters: { model: 'o3' }, fromMs: NOV - 10 * DAY, toMs: NOV + 40 * DAY },
  { filters: { user: 'ann', status: 'ok' }, fromMs: NOV + 5 * HOUR + 45 * 60_000, toMs: NOV + 2 * DAY + 2 * HOUR + BUCKET },
  { filters: { user: 'ben', model: 'gpt-4o' }, fromMs: NOV + DAY + 2 * HOUR, toMs: NOV + DAY + 7 * HOUR },
];

/** Each value's sums over the records of a breakdown query (with its filters) outside `uncovered` (a store's value rollups leave those to their caller). */
export function expectedValues(
  all: readonly UsageRecord[],
  tenant: string,
  q: { by: string; fromMs: number; toMs: number; filters?: DimensionFilters },
  uncovered: ValueSums['uncovered'],
) {
  const valueOf = (r: UsageRecord) => (q.by === 'conversation' ? r.conversation : (r.tags[q.by.slice('tag:'.length)] ?? null));
  const inRange = all.filter((r) => {
    const bucket = Math.floor(r.timeMs / BUCKET) * BUCKET;
    return (
      r.tenant === tenant &&
      bucket >= q.fromMs &&
      bucket < q.toMs &&
      !uncovered.some((u) => bucket >= u.fromMs && bucket < u.toMs) &&
      matches(r, q.filters ?? {})
    );
  });
  const values = [...new Set(inRange.map(valueOf).filter((v) => v !== null))];
  return values
    .map((value) => {
      const [row] = expected(
        inRange.filter((r) => valueOf(r) === value),
        { tenant, fromMs: q.fromMs, toMs: q.toMs, filters: {}, groupBy: [] },
      );
      const { key: _key, ...totals } = row;
      return { value, totals };
    })
    .sort((a, b) => a.value.localeCompare(b.value));
}

const matches = (r: UsageRecord, filters: DimensionFilters) =>
  Object.entries(filters).every(([d, v]) => v === undefined || (r as unknown as Record<string, unknown>)[d] === v);

/** What a query must answer, summed from the records themselves. */
function expected(all: readonly UsageRecord[], q: RollupQuery): RollupRow[] {
  const rows = new Map<string, RollupRow>();
  for (const r of all) {
    const bucket = Math.floor(r.timeMs / BUCKET) * BUCKET;
    if (r.tenant !== q.tenant || bucket < q.fromMs || bucket >= q.toMs) continue;
    if (!matches(r, q.filters)) continue;
    if (Object.entries(q.tags ?? {}).some(([k, v]) => r.tags[k] !== v)) continue;
    const key: RollupRow['key'] = {};
    for (const g of q.groupBy) {
      if (g === 'bucket') key.bucket = bucket;
      else key[g] = (r as unknown as Record<string, string | null>)[g] ?? null;
    }
    const id = JSON.stringify(key);
    let row = rows.get(id);
    if (!row)
      rows.set(
        id,
        (row = {
          key,
          costNanos: 0n,
          calls: 0,
          errorCalls: 0,
          unpricedCalls: 0,
          tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
          durationMsSum: 0,
        }),
      );
    row.costNanos += r.costNanos ?? 0n;
    row.calls++;
    if (r.status === 'error') row.errorCalls++;
    if (r.costNanos === null) row.unpricedCalls++;
    row.tokens.input += r.tokens.input;
    row.tokens.output += r.tokens.output;
    row.durationMsSum += r.durationMs;
  }
  return sorted([...rows.values()]);
}

const sorted = (rows: RollupRow[]) =>
  rows.map((r) => ({ ...r, key: Object.fromEntries(Object.entries(r.key).sort()) })).sort((a, b) => JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));

/** Every query answers exactly what the records sum to, in both tenants. */
export async function expectExact(store: StoragePort, all: readonly UsageRecord[]): Promise<void> {
  for (const tenant of ['default', 'acme']) {
    for (const shape of QUERIES) {
      const query: RollupQuery = { tenant, fromMs: NOV - 10 * DAY, toMs: NOV + 40 * DAY, filters: {}, ...shape };
      expect({ query, rows: sorted(await store.aggregate(query)) }).toEqual({ query, rows: expected(all, query) });
    }
    for (const q of VALUE_QUERIES) {
      const answer = await store.valueSums({ tenant, ...q, maxValues: 1000 });
      const values = answer.values.slice().sort((a, b) => a.value.localeCompare(b.value));
      // Every store here was written with value rollups: they answer the whole range.
      expect({ q, values, more: answer.more, uncovered: answer.uncovered }).toEqual({
        q,
        values: expectedValues(all, tenant, q, []),
        more: false,
        uncovered: [],
      });
    }
    for (const q of FILTERED_CONVERSATIONS) {
      const query = { ...q, by: 'conversation' };
      // A store whose value rollups cannot tell a filter's calls leaves them uncovered: what it answers is exact.
      const answer = await store.valueSums({ tenant, ...query, maxValues: 1000 });
      const values = answer.values.slice().sort((a, b) => a.value.localeCompare(b.value));
      expect({ query, values, more: answer.more }).toEqual({ query, values: expectedValues(all, tenant, query, answer.uncovered), more: false });
      // The breakdown, whatever answered which days: every conversation, and the calls without one.
      const groups = await breakdownGroups(
        { storage: store, tenant, range: { fromMs: q.fromMs, toMs: q.toMs, tz: 'UTC' }, filters: q.filters, maxValues: 1000 },
        'conversation',
      );
      const without = expected(
        all.filter((r) => r.conversation === null),
        { tenant, fromMs: q.fromMs, toMs: q.toMs, filters: q.filters, groupBy: [] },
      ).map(({ key: _key, ...totals }) => ({ value: null, totals }));
      const byKey = (a: { value: string | null }, b: { value: string | null }) => (a.value ?? '').localeCompare(b.value ?? '');
      expect({ query, groups: groups.map((g) => ({ value: g.key, totals: g.totals })).sort(byKey) }).toEqual({
        query,
        groups: [...without, ...expectedValues(all, tenant, query, [])].sort(byKey),
      });
    }
  }
}

/** As expectExact for every query shape and value breakdown of the tenant, all asked at once (reads that begin together may share their round trips). */
async function expectExactAtOnce(store: StoragePort, all: readonly UsageRecord[]): Promise<void> {
  const tenant = 'default';
  const queries = QUERIES.map((shape): RollupQuery => ({ tenant, fromMs: NOV - 10 * DAY, toMs: NOV + 40 * DAY, filters: {}, ...shape }));
  const [rows, values] = await Promise.all([
    Promise.all(queries.map((query) => store.aggregate(query))),
    Promise.all(VALUE_QUERIES.map((q) => store.valueSums({ tenant, ...q, maxValues: 1000 }))),
  ]);
  queries.forEach((query, i) => expect({ query, rows: sorted(rows[i]) }).toEqual({ query, rows: expected(all, query) }));
  VALUE_QUERIES.forEach((q, i) =>
    expect({ q, values: values[i].values.slice().sort((a, b) => a.value.localeCompare(b.value)), uncovered: values[i].uncovered }).toEqual({
      q,
      values: expectedValues(all, tenant, q, []),
      uncovered: [],
    }),
  );
}

export async function ingestInBatches(store: StoragePort, all: readonly UsageRecord[], size = 150): Promise<void> {
  for (let i = 0; i < all.length; i += size) await store.ingest(all.slice(i, i + size));
}

/**
 * The contract of moving stored batches into the rollups after their ack (run by storage.contract.ts
 * for backends that declare the capability): whoever moves them, however often, whatever stops
 * half way, every record counts once, and every query answers the same before and after.
 */
export function compactionContract(fixture: () => StoreFixture, crashPoints: readonly string[]): void {
  describe('moving stored batches into the rollups', () => {
    const compaction = () => fixture().compaction!;

    it('answers every query shape exactly, before and after the batches are moved', async () => {
      await keepPairs(fixture().store);
      const all = records(1200, 5);
      await ingestInBatches(fixture().store, all);
      await expectExact(fixture().store, all);
      await compaction().compact(fixture().store);
      await expectExact(fixture().store, all);
    });

    it.each([...crashPoints])('counts every record once when moving them stops at %s, and another instance moves them again', async (point) => {
      const early = records(500, 7);
      const late = records(400, 8);
      await keepPairs(fixture().store);
      await ingestInBatches(fixture().store, early);
      await compaction().compact(fixture().store);
      const crashed = await compaction().interrupted(point);
      try {
        await ingestInBatches(crashed.store, late);
        await crashed.compact().catch(() => undefined);
        await expectExact(fixture().store, [...early, ...late]);
        await compaction().compact(fixture().store);
        await expectExact(fixture().store, [...early, ...late]);
        const restarted = await fixture().another();
        await compaction().compact(restarted);
        await expectExact(restarted, [...early, ...late]);
        await restarted.close();
      } finally {
        await crashed.store.close();
      }
    });

    it('answers what another instance moved once it has, though its own reads of the moved period were answered before', async () => {
      const store = fixture().store;
      const first = records(500, 21);
      await ingestInBatches(store, first);
      await compaction().compact(store);
      // Reads every shape once: this instance now knows the head, and keeps its documents.
      await expectExact(store, first);
      const other = await fixture().another();
      try {
        let all = first;
        for (const seed of [22, 23]) {
          const more = records(300, seed, 3 * DAY, NOV + 2 * DAY);
          all = [...all, ...more];
          await ingestInBatches(other, more);
          await compaction().compact(other);
          // The other instance published a head and deleted the batches it moved: this one's next read sees both.
          await expectExact(store, all);
          await expectExactAtOnce(store, all);
        }
      } finally {
        await other.close();
      }
    });

    it('counts every record once when two instances move the same batches at once, while more arrive', async () => {
      await keepPairs(fixture().store);
      const other = await fixture().another();
      const all = records(900, 9);
      await ingestInBatches(fixture().store, all.slice(0, 400));
      await Promise.all([
        compaction().compact(fixture().store),
        compaction().compact(other),
        ingestInBatches(other, all.slice(300, 700)),
        compaction().compact(fixture().store),
        compaction().compact(other),
        ingestInBatches(fixture().store, all.slice(600)),
        compaction().compact(other),
      ]);
      await expectExact(other, all);
      await Promise.all([compaction().compact(fixture().store), compaction().compact(other)]);
      await expectExact(fixture().store, all);
      await other.close();
    });

    it('answers the same when a pair is kept only after its days were moved, while and after they are rewritten, and once it is no longer kept', async () => {
      // Four days across a month's end: every day compacted before a pair is kept is rewritten once
      // per pair (a run each, the most of this case's time on mongo), so the days are few.
      const first = records(400, 13, 4 * DAY, NOV - DAY);
      await ingestInBatches(fixture().store, first);
      await compaction().compact(fixture().store);
      await keepPairs(fixture().store);
      // On days moved before the pair was kept, as is the third's.
      const second = records(200, 14, 2 * DAY, NOV + DAY);
      await ingestInBatches(fixture().store, second);
      await expectExact(fixture().store, [...first, ...second]);
      await compaction().compact(fixture().store);
      await expectExact(fixture().store, [...first, ...second]);
      await keepPairs(fixture().store, [['model', 'status']]);
      const third = records(150, 15, DAY, NOV + 2 * DAY);
      await ingestInBatches(fixture().store, third);
      await compaction().compact(fixture().store);
      await expectExact(fixture().store, [...first, ...second, ...third]);
      await keepPairs(fixture().store, []);
      await compaction().compact(fixture().store);
      await expectExact(fixture().store, [...first, ...second, ...third]);
    });

    it('counts records that arrive late for buckets already moved once, also when they repeat ones already counted', async () => {
      const first = records(400, 11, 2 * DAY, NOV);
      await ingestInBatches(fixture().store, first);
      await compaction().compact(fixture().store);
      const lateOnes = records(300, 12, 2 * DAY, NOV);
      await ingestInBatches(fixture().store, [...lateOnes.slice(0, 150), ...first.slice(0, 50)]);
      await expectExact(fixture().store, [...first, ...lateOnes.slice(0, 150)]);
      await compaction().compact(fixture().store);
      await ingestInBatches(fixture().store, [...lateOnes.slice(100), ...first.slice(25, 75)]);
      await compaction().compact(fixture().store);
      await expectExact(fixture().store, [...first, ...lateOnes]);
    });
  });
}
