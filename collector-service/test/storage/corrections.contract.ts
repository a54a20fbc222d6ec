import type { RecordCorrection, StoragePort } from '../../src/storage/storage.port';
import { revisionOf, type UsageRecord } from '../../src/usage/usage-record';
import { expectExact, ingestInBatches, records } from './compaction.contract';
import type { StoreFixture } from './storage.contract';

/** A re-pricing of the records: every other one dearer by a little over a dollar, `o3` at half its cost, unpriced ones priced. */
function corrected(r: UsageRecord): UsageRecord {
  const costNanos = r.costNanos === null ? 5_000n + BigInt(r.tokens.input) : r.model === 'o3' ? r.costNanos / 2n : r.costNanos + 1_000_000_007n;
  const prior = {
    costNanos: r.costNanos?.toString() ?? null,
    unpricedReason: r.unpricedReason,
    unitPrices: r.unitPrices,
    priceSource: r.priceSource,
    priceBookVersion: r.priceBookVersion,
    repricedAtMs: Date.UTC(2026, 11, 3),
  };
  return {
    ...r,
    costNanos,
    unpricedReason: null,
    priceSource: 'operator:corrected',
    priceBookVersion: 'pb-corrected',
    priorPricings: [...r.priorPricings, prior],
  };
}

const reprices = (r: UsageRecord, i: number) => i % 2 === 0 || r.costNanos === null;

/** The corrections a run makes from what is stored now: the records still at revision 0 it re-prices. */
async function correctionsFrom(store: StoragePort, tenant: string, wanted: ReadonlySet<string>): Promise<RecordCorrection[]> {
  const out: RecordCorrection[] = [];
  for await (const previous of store.streamRecords({ tenant, fromMs: 0, toMs: Date.UTC(2100, 0, 1), filters: {} })) {
    if (wanted.has(previous.id) && revisionOf(previous) === 0) out.push({ previous, next: corrected(previous) });
  }
  return out;
}

/** Every record as stored shows its corrected cost, once: revision 1 if re-priced, 0 if not. */
async function expectRecords(store: StoragePort, after: readonly UsageRecord[]): Promise<void> {
  const stored = new Map<string, [bigint | null, number]>();
  for (const tenant of ['default', 'acme']) {
    for await (const r of store.streamRecords({ tenant, fromMs: 0, toMs: Date.UTC(2100, 0, 1), filters: {} })) stored.set(r.id, [r.costNanos, revisionOf(r)]);
  }
  expect(stored).toEqual(new Map(after.map((r) => [r.id, [r.costNanos, revisionOf(r)]])));
}

/**
 * Re-pricing's contract (run by storage.contract.ts on every backend): each record's correction at a
 * revision counts once in every rollup, whoever applies it, however often, wherever a run stops.
 */
export function correctionsContract(fixture: () => StoreFixture, crashPoints: readonly string[]): void {
  describe('correcting records (re-pricing)', () => {
    let all: UsageRecord[];
    let wanted: Set<string>;
    let after: UsageRecord[];
    beforeEach(async () => {
      all = records(120, 11);
      wanted = new Set(all.filter(reprices).map((r) => r.id));
      after = all.map((r) => (wanted.has(r.id) ? corrected(r) : r));
      await ingestInBatches(fixture().store, all);
    });
    const correctAll = async (store: StoragePort) => [
      ...(await store.correctRecords(await correctionsFrom(store, 'default', wanted))),
      ...(await store.correctRecords(await correctionsFrom(store, 'acme', wanted))),
    ];

    it('replaces each record, keeps its previous pricing, and corrects every rollup by the difference, once', async () => {
      const corrections = [...(await correctionsFrom(fixture().store, 'default', wanted)), ...(await correctionsFrom(fixture().store, 'acme', wanted))];
      expect(corrections).toHaveLength(wanted.size);
      expect(new Set(await fixture().store.correctRecords(corrections))).toEqual(wanted);
      await expectExact(fixture().store, after);
      const sample = corrections.find((c) => c.previous.costNanos !== null)!;
      const stored = await fixture().store.getRecord(sample.next.tenant, sample.next.id);
      expect(stored).toMatchObject({
        costNanos: sample.next.costNanos,
        priceSource: 'operator:corrected',
        priorPricings: [{ costNanos: sample.previous.costNanos!.toString(), priceSource: sample.previous.priceSource }],
      });
      // The same corrections again (a retry of the whole call): every record is past that revision.
      expect(await fixture().store.correctRecords(corrections)).toEqual([]);
      await expectExact(fixture().store, after);
      await fixture().compaction?.compact(fixture().store);
      await expectExact(fixture().store, after);
      await expectRecords(fixture().store, after);
    });

    it('corrects each record once when two instances apply the same corrections at once', async () => {
      const other = await fixture().another();
      try {
        const corrections = await correctionsFrom(fixture().store, 'default', wanted);
        const [mine, theirs] = await Promise.all([fixture().store.correctRecords(corrections), other.correctRecords(corrections)]);
        expect(mine.filter((id) => theirs.includes(id))).toEqual([]);
        expect(mine.length + theirs.length).toBe(corrections.length);
        await other.correctRecords(await correctionsFrom(other, 'acme', wanted));
        await expectExact(fixture().store, after);
        await expectExact(other, after);
        await expectRecords(other, after);
      } finally {
        await other.close();
      }
    });

    it('ends exact when a run stops half way and the next run starts again from what is stored', async () => {
      const first = await correctionsFrom(fixture().store, 'default', wanted);
      await fixture().store.correctRecords(first.slice(0, Math.floor(first.length / 2)));
      await correctAll(fixture().store);
      await expectExact(fixture().store, after);
      expect(await correctAll(fixture().store)).toEqual([]);
      await expectRecords(fixture().store, after);
    });

    if (crashPoints.length > 0)
      it.each([...crashPoints])('ends exact when an instance correcting records stops at %s and another runs again', async (point) => {
        const crashing = await fixture().correcting!(point);
        try {
          await expect(crashing.correctRecords(await correctionsFrom(crashing, 'default', wanted))).rejects.toThrow(point);
        } finally {
          await crashing.close();
        }
        await correctAll(fixture().store);
        await expectExact(fixture().store, after);
        await fixture().compaction?.compact(fixture().store);
        await expectExact(fixture().store, after);
        expect(await correctAll(fixture().store)).toEqual([]);
        await expectRecords(fixture().store, after);
      });
  });
}
