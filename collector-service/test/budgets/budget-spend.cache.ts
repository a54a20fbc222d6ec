import type { Budget } from '../../src/budgets/budget';
import { BudgetSpendCache } from '../../src/budgets/budget-spend.cache';
import type { RecordCorrection, StoragePort } from '../../src/storage/storage.port';
import { IngestEvents } from '../../src/ingest/ingest-events';
import { record } from '../support/records';

const NOW = Date.UTC(2026, 10, 20, 12);
const BUDGET: Budget = {
  id: 'b1',
  name: 'all',
  scope: {},
  period: 'month',
  timezone: 'UTC',
  limitNanos: '1000000000',
  thresholds: [0.8, 1],
  action: 'block',
  channels: [],
  createdAtMs: 0,
  updatedAtMs: 0,
  revision: 1,
};

type HoldPoint = 'before' | 'after' | 'read';

/**
 * A real store whose ingest can be held before or after its commit, and whose rollup reads can be held
 * once read (before they answer), so a spend read can be made to overlap a batch in every order.
 * `hold` says when the held call has arrived there.
 */
function heldStore(inner: StoragePort) {
  const holds: Partial<Record<HoldPoint, Promise<void>>> = {};
  const arrived: Partial<Record<HoldPoint, () => void>> = {};
  const at = async (point: HoldPoint) => {
    if (!holds[point]) return;
    arrived[point]?.();
    await holds[point];
  };
  const store = new Proxy(inner, {
    get(target, property) {
      if (property === 'ingest') {
        return async (records: Parameters<StoragePort['ingest']>[0]) => {
          await at('before');
          const outcome = await target.ingest(records);
          await at('after');
          return outcome;
        };
      }
      const value: unknown = Reflect.get(target, property);
      if (property === 'aggregate' || property === 'aggregateHeld') {
        return async (...args: unknown[]) => {
          const answer: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          await at('read');
          return answer;
        };
      }
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  /** Holds the next calls at `point` until `release`; `arrival` resolves when one gets there. */
  const hold = (point: HoldPoint) => {
    const g = gate();
    const arrival = new Promise<void>((resolve) => (arrived[point] = resolve));
    holds[point] = g.promise;
    return {
      arrival,
      release: () => {
        holds[point] = undefined;
        arrived[point] = undefined;
        g.open();
      },
    };
  };
  return { store, holds, hold };
}

/** Ingest as the service makes it: the store's ingest, announced through the events. */
function ingestingThrough(events: IngestEvents, store: StoragePort): Pick<StoragePort, 'ingest'> {
  return { ingest: (records) => events.storing(records, (batch) => store.ingest(batch)) };
}

function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** A fresh store of one adapter, and how to throw it away. */
export type OpenStore = () => Promise<{ store: StoragePort; destroy: () => Promise<void> }>;

/** The cache's exactness rules, run on each adapter (budget-spend.cache.sqlite/mongo.test.ts). */
export function spendCacheSuite(name: string, open: OpenStore): void {
  describe(`budget spend cache: ${name}`, () => {
    let inner: StoragePort;
    let destroy: () => Promise<void>;
    beforeEach(async () => {
      ({ store: inner, destroy } = await open());
    });
    afterEach(() => destroy?.());

    const spent = async (cache: BudgetSpendCache) => (await cache.spend('default', BUDGET, NOW)).spend.total;

    it.each(['before', 'after'] as const)(
      'never double counts a batch that overlaps a spend read (held %s its commit), and is exact after a sync',
      async (where) => {
        const events = new IngestEvents();
        const held = heldStore(inner);
        const store = ingestingThrough(events, held.store);
        const cache = new BudgetSpendCache(inner, events);
        await store.ingest([record({ timeMs: NOW - 1000, costNanos: 5n })]);
        const g = gate();
        held.holds[where] = g.promise;
        const ingesting = store.ingest([record({ timeMs: NOW - 500, costNanos: 7n })]);
        await new Promise((r) => setImmediate(r));
        const during = await spent(cache); // read while the batch is in flight
        expect([5n, 12n]).toContain(during);
        g.open();
        await ingesting;
        expect(await spent(cache)).toBeLessThanOrEqual(12n);
        await cache.sync(NOW);
        expect(await spent(cache)).toBe(12n);
        held.holds[where] = undefined;
        await store.ingest([record({ timeMs: NOW - 100, costNanos: 30n })]);
        expect(await spent(cache)).toBe(42n); // a batch after the read is added as it is stored
        cache.close();
      },
    );

    it.each([
      ['before', 'held until after the ack'],
      ['after', 'held until after the ack'],
      ['before', 'answered before the ack'],
      ['after', 'answered before the ack'],
    ] as const)(
      "has this instance's batch in the very next check after its ack when a spend read overlapped it (batch held %s its commit, the read %s), once",
      async (where, read) => {
        const events = new IngestEvents();
        const held = heldStore(inner);
        const store = ingestingThrough(events, held.store);
        const cache = new BudgetSpendCache(held.store, events);
        await store.ingest([record({ timeMs: NOW - 1000, costNanos: 5n })]);
        expect(await spent(cache)).toBe(5n);
        // The batch is under way, before or after its commit, when the spend is read again.
        const batch = held.hold(where);
        const ingesting = store.ingest([record({ timeMs: NOW - 500, costNanos: 7n })]);
        await batch.arrival;
        const reading = held.hold('read');
        const fresh = cache.fresh('default', BUDGET, NOW);
        await reading.arrival;
        if (read === 'answered before the ack') {
          reading.release();
          await fresh;
        }
        batch.release();
        await ingesting; // acknowledged
        expect(await spent(cache)).toBe(12n);
        reading.release();
        await fresh;
        expect(await spent(cache)).toBe(12n);
        await cache.sync(NOW);
        expect(await spent(cache)).toBe(12n);
        await store.ingest([record({ timeMs: NOW - 100, costNanos: 30n })]);
        expect(await spent(cache)).toBe(42n);
        cache.close();
      },
    );

    it("adds a user's records to that user's budget and the budgets without a user, and no other user's", async () => {
      const events = new IngestEvents();
      const store = ingestingThrough(events, inner);
      const cache = new BudgetSpendCache(inner, events);
      const ann: Budget = { ...BUDGET, id: 'ann', scope: { user: 'ann' } };
      const ben: Budget = { ...BUDGET, id: 'ben', scope: { user: 'ben' } };
      const each: Budget = { ...BUDGET, id: 'each', scope: { perUser: true } };
      for (const b of [ann, ben, each, BUDGET]) await cache.spend('default', b, NOW);
      await store.ingest([
        record({ user: 'ann', timeMs: NOW, costNanos: 2n }),
        record({ user: 'ann', timeMs: NOW, costNanos: 3n }),
        record({ user: null, timeMs: NOW, costNanos: 7n }),
      ]);
      expect((await cache.spend('default', ann, NOW)).spend.total).toBe(5n);
      expect((await cache.spend('default', ben, NOW)).spend.total).toBe(0n);
      expect((await cache.spend('default', BUDGET, NOW)).spend.total).toBe(12n);
      expect([...(await cache.spend('default', each, NOW)).spend.byUser!]).toEqual([['ann', 5n]]);
      cache.close();
    });

    it("adds a tagged record to the budgets whose tags it includes, and re-reads the same sum after another instance's write", async () => {
      const events = new IngestEvents();
      const store = ingestingThrough(events, inner);
      const cache = new BudgetSpendCache(inner, events);
      const search: Budget = { ...BUDGET, id: 'search', scope: { tags: { team: 'search' } } };
      const prodSearch: Budget = { ...BUDGET, id: 'prod-search', scope: { tags: { team: 'search', env: 'prod' }, model: 'o3' } };
      await store.ingest([record({ tags: { team: 'search' }, timeMs: NOW, costNanos: 1n })]);
      for (const b of [search, prodSearch]) await cache.spend('default', b, NOW);
      await store.ingest([
        record({ tags: { env: 'prod', team: 'search' }, model: 'o3', timeMs: NOW, costNanos: 2n }),
        record({ tags: { team: 'search', env: 'prod', run: 'r1' }, model: 'gpt-4o', timeMs: NOW, costNanos: 4n }),
        record({ tags: { team: 'ads', env: 'prod' }, model: 'o3', timeMs: NOW, costNanos: 8n }),
        record({ tags: {}, model: 'o3', timeMs: NOW, costNanos: 16n }),
      ]);
      expect((await cache.spend('default', search, NOW)).spend.total).toBe(7n);
      expect((await cache.spend('default', prodSearch, NOW)).spend.total).toBe(2n);
      await inner.ingest([record({ tags: { team: 'search', env: 'prod' }, model: 'o3', timeMs: NOW, costNanos: 32n })]); // another instance
      await cache.sync(NOW);
      expect((await cache.spend('default', search, NOW)).spend.total).toBe(39n);
      expect((await cache.spend('default', prodSearch, NOW)).spend.total).toBe(34n);
      cache.close();
    });

    it('adds only records of the period and scope, and notices writes it did not make', async () => {
      const events = new IngestEvents();
      const store = ingestingThrough(events, inner);
      const cache = new BudgetSpendCache(inner, events);
      const scoped: Budget = { ...BUDGET, id: 'b2', scope: { model: 'o3' } };
      expect((await cache.spend('default', scoped, NOW)).spend.total).toBe(0n);
      await store.ingest([
        record({ model: 'o3', timeMs: NOW, costNanos: 3n }),
        record({ model: 'gpt-4o', timeMs: NOW, costNanos: 5n }),
        record({ model: 'o3', timeMs: Date.UTC(2026, 9, 31), costNanos: 9n }),
      ]);
      expect((await cache.spend('default', scoped, NOW)).spend.total).toBe(3n);
      await cache.sync(NOW); // nothing written elsewhere yet: nothing to re-read
      await inner.ingest([record({ model: 'o3', timeMs: NOW, costNanos: 11n })]); // written past the feed: another instance
      expect((await cache.spend('default', scoped, NOW)).spend.total).toBe(3n);
      await cache.sync(NOW);
      expect((await cache.spend('default', scoped, NOW)).spend.total).toBe(14n);
      cache.close();
    });

    it("catches up with another instance's writes on the next sync while its own batches of the tenant are always in flight, and counts each record once", async () => {
      const events = new IngestEvents();
      const held = heldStore(inner);
      const store = ingestingThrough(events, held.store);
      const cache = new BudgetSpendCache(inner, events);
      await store.ingest([record({ timeMs: NOW - 1000, costNanos: 5n })]);
      expect(await spent(cache)).toBe(5n); // read while nothing was in flight
      await cache.sync(NOW);
      // This instance ingests the tenant without pause: a batch is in flight through every sync below.
      const g = gate();
      held.holds.before = g.promise;
      const ingesting = store.ingest([record({ timeMs: NOW - 500, costNanos: 7n })]);
      await new Promise((r) => setImmediate(r));
      await inner.ingest([record({ timeMs: NOW - 200, costNanos: 11n })]); // another instance
      await cache.sync(NOW);
      expect(await spent(cache)).toBe(16n);
      g.open();
      await ingesting;
      held.holds.before = undefined;
      expect(await spent(cache)).toBeLessThanOrEqual(23n);
      await cache.sync(NOW);
      expect(await spent(cache)).toBe(23n);
      await store.ingest([record({ timeMs: NOW - 100, costNanos: 30n })]);
      expect(await spent(cache)).toBe(53n);
      cache.close();
    });

    it('reads spend again after a re-pricing corrected stored costs, whoever corrected them', async () => {
      const events = new IngestEvents();
      const store = ingestingThrough(events, inner);
      const cache = new BudgetSpendCache(inner, events);
      const o3: Budget = { ...BUDGET, id: 'o3', scope: { model: 'o3' } };
      await store.ingest([record({ model: 'o3', timeMs: NOW, costNanos: 3n }), record({ model: 'gpt-4o', timeMs: NOW, costNanos: 5n })]);
      expect((await cache.spend('default', o3, NOW)).spend.total).toBe(3n);
      expect((await cache.spend('default', BUDGET, NOW)).spend.total).toBe(8n);
      await cache.sync(NOW);
      // A re-pricing makes o3 dearer: the calls are the same, their costs are not.
      const corrections: RecordCorrection[] = [];
      for await (const previous of inner.streamRecords({ tenant: 'default', fromMs: NOW, toMs: NOW + 1, filters: { model: 'o3' } })) {
        const prior = {
          costNanos: previous.costNanos?.toString() ?? null,
          unpricedReason: previous.unpricedReason,
          unitPrices: previous.unitPrices,
          priceSource: previous.priceSource,
          priceBookVersion: previous.priceBookVersion,
          repricedAtMs: NOW,
        };
        corrections.push({
          previous,
          next: { ...previous, costNanos: 40n, priceSource: 'operator:corrected', priorPricings: [...previous.priorPricings, prior] },
        });
      }
      expect(await inner.correctRecords(corrections)).toHaveLength(1);
      await cache.sync(NOW);
      expect((await cache.spend('default', o3, NOW)).spend.total).toBe(40n);
      expect((await cache.spend('default', BUDGET, NOW)).spend.total).toBe(45n);
      cache.close();
    });
  });
}
