import { TooManyRowsError } from '../../src/storage/rollup-rows';
import type { RollupQuery, StoragePort } from '../../src/storage/storage.port';
import { record } from '../support/records';
import { compactionContract } from './compaction.contract';
import { correctionsContract } from './corrections.contract';
import { repositoriesContract } from './repositories.contract';

/**
 * The storage contract: every behaviour the service relies on, run against each adapter by a small
 * wiring file (sqlite.contract.test.ts, mongo.contract.test.ts). A backend that cannot do something
 * declares it in `capabilities`, and exactly those cases are skipped.
 */
export interface StoreFactory {
  /** A fresh, empty store, and a way to open a second instance on the same data. */
  create(): Promise<StoreFixture>;
  /** What the backend does beyond the port; a case that needs a capability runs only where it is declared. */
  capabilities?: {
    /**
     * Stored batches reach the rollups after their ack (sqlite: folds; mongo: compaction), and that
     * move can be interrupted at these points (a crash there), each a case of its own.
     */
    compaction?: { crashPoints: readonly string[] };
    /** Correcting records can stop at these points between its writes (sqlite: none, a correction is one transaction). */
    corrections?: { crashPoints: readonly string[] };
  };
}

export interface StoreFixture {
  store: StoragePort;
  another(): Promise<StoragePort>;
  destroy(): Promise<void>;
  /** With the compaction capability. */
  compaction?: {
    /** Another instance on the same data that stores batches, and whose move of them into the rollups stops at `point` (throws, or never runs). */
    interrupted(point: string): Promise<{ store: StoragePort; compact(): Promise<void> }>;
    /** Moves what is stored into the rollups now, in this instance (what its background work does moments after each ingest). */
    compact(store: StoragePort): Promise<void>;
  };
  /** Another instance on the same data whose correction of records stops at `point` (throws). */
  correcting?(point: string): Promise<StoragePort>;
}

const ALL: Omit<RollupQuery, 'groupBy'> = { tenant: 'default', fromMs: 0, toMs: Date.UTC(2100, 0, 1), filters: {} };

export function storageContract(name: string, factory: StoreFactory): void {
  // FerretDB on SQLite is slow to write thousands of documents; correctness, not speed, is tested here.
  jest.setTimeout(60_000);
  describe(`storage contract: ${name}`, () => {
    let store: StoragePort;
    let fixture: StoreFixture;
    beforeEach(async () => {
      fixture = await factory.create();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.destroy();
    });

    it('stores a record once however often it is delivered, and counts it once', async () => {
      const batch = [record(), record({ costNanos: 31_950_000n, user: 'bob' })];
      expect((await store.ingest(batch)).stored).toHaveLength(2);
      const again = await store.ingest(batch);
      expect(again).toEqual({ stored: [], duplicates: 2 });
      const overlapping = await store.ingest([batch[1], record({ costNanos: 1n })]);
      expect(overlapping.stored).toHaveLength(1);
      const [total] = await store.aggregate({ ...ALL, groupBy: [] });
      expect(total).toMatchObject({ costNanos: 23_750_000n + 31_950_000n + 1n, calls: 3 });
    });

    it('keeps rollup sums exact to the nano for random data, above 2^53 nanos too', async () => {
      let seed = 3;
      const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
      const records = Array.from({ length: 5000 }, (_, i) =>
        record({
          timeMs: Date.UTC(2026, 10, 1) + next(30 * 86_400_000),
          model: ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet'][i % 3],
          user: i % 7 === 0 ? null : `user-${next(50)}`,
          costNanos: i % 11 === 0 ? null : BigInt(next(1_000_000_000)) * 10_000n + BigInt(next(10_000)),
          status: i % 13 === 0 ? 'error' : 'ok',
          tokens: { input: next(5000), output: next(5000), cacheRead: 0, cacheWrite: 0, reasoning: 0 },
        }),
      );
      for (let i = 0; i < records.length; i += 512) await store.ingest(records.slice(i, i + 512));
      const expected = records.reduce((sum, r) => sum + (r.costNanos ?? 0n), 0n);
      expect(expected > 2n ** 53n).toBe(true);
      const [total] = await store.aggregate({ ...ALL, groupBy: [] });
      expect(total.costNanos).toBe(expected);
      expect(total.calls).toBe(records.length);
      expect(total.unpricedCalls).toBe(records.filter((r) => r.costNanos === null).length);
      expect(total.errorCalls).toBe(records.filter((r) => r.status === 'error').length);
      expect(total.tokens.input).toBe(records.reduce((s, r) => s + r.tokens.input, 0));

      const byModel = await store.aggregate({ ...ALL, groupBy: ['model'] });
      for (const row of byModel) {
        expect(row.costNanos).toBe(records.filter((r) => r.model === row.key.model).reduce((s, r) => s + (r.costNanos ?? 0n), 0n));
      }
      const noUser = await store.aggregate({ ...ALL, groupBy: ['user'] });
      expect(noUser.find((r) => r.key.user === null)?.calls).toBe(records.filter((r) => r.user === null).length);
      const onlyMini = await store.aggregate({ ...ALL, filters: { model: 'gpt-4o-mini' }, groupBy: [] });
      expect(onlyMini[0].calls).toBe(records.filter((r) => r.model === 'gpt-4o-mini').length);
    });

    it('puts a record in the 15-minute bucket of its start time', async () => {
      const boundary = Date.UTC(2026, 10, 24, 12, 15);
      await store.ingest([record({ timeMs: boundary - 1 }), record({ timeMs: boundary })]);
      const rows = await store.aggregate({ ...ALL, groupBy: ['bucket'] });
      expect(rows.map((r) => [r.key.bucket, r.calls]).sort()).toEqual([
        [boundary - 15 * 60_000, 1],
        [boundary, 1],
      ]);
      const later = await store.aggregate({ ...ALL, fromMs: boundary, groupBy: [] });
      expect(later[0].calls).toBe(1);
    });

    it('counts maxRows over the values the range holds, not over those of the month or the whole days around it', async () => {
      const day = (d: number, hour = 12) => Date.UTC(2026, 10, d, hour);
      const records = [
        // Three users every day from the 2nd to the 21st (before 20:00 on the 21st).
        ...Array.from({ length: 20 }, (_, d) =>
          ['u-0', 'u-1', 'u-2'].map((user, i) => record({ user, timeMs: day(d + 2, 6), costNanos: BigInt(1 + i) })),
        ).flat(),
        // Ten users on the 1st only, and ten others on the 21st after 20:00: outside the range.
        ...Array.from({ length: 10 }, (_, i) => record({ user: `early-${i}`, timeMs: day(1) })),
        ...Array.from({ length: 10 }, (_, i) => record({ user: `late-${i}`, timeMs: day(21, 21) })),
      ];
      await store.ingest(records);
      await fixture.compaction?.compact(store);
      const query: RollupQuery = { ...ALL, fromMs: day(2, 0), toMs: day(21, 20), groupBy: ['user'] };
      const rows = await store.aggregate({ ...query, maxRows: 3 });
      expect(rows.map((r) => [r.key.user, r.calls, r.costNanos]).sort()).toEqual([
        ['u-0', 20, 20n],
        ['u-1', 20, 40n],
        ['u-2', 20, 60n],
      ]);
      await expect(store.aggregate({ ...query, maxRows: 2 })).rejects.toThrow(TooManyRowsError);
    });

    it('keeps tenants apart', async () => {
      await store.ingest([record({ tenant: 'acme' }), record({ tenant: 'globex' })]);
      expect((await store.aggregate({ ...ALL, tenant: 'acme', groupBy: [] }))[0].calls).toBe(1);
      expect((await store.listRecords({ ...ALL, tenant: 'globex', limit: 10 })).records).toHaveLength(1);
    });

    it('finds one record by id in its own tenant only, as it was stored', async () => {
      const mine = record({ tenant: 'acme', costNanos: 123_456_789_012n, tags: { team: 'search' } });
      await store.ingest([mine, record({ tenant: 'acme' })]);
      expect(await store.getRecord('acme', mine.id)).toEqual(mine);
      expect(await store.getRecord('globex', mine.id)).toBeNull();
      expect(await store.getRecord('acme', 'f'.repeat(48))).toBeNull();
    });

    it('pages raw records newest first with a cursor that stays stable under new inserts', async () => {
      const base = Date.UTC(2026, 10, 24);
      await store.ingest(Array.from({ length: 25 }, (_, i) => record({ timeMs: base + i * 1000 })));
      const first = await store.listRecords({ ...ALL, limit: 10 });
      expect(first.records.map((r) => r.timeMs)).toEqual(Array.from({ length: 10 }, (_, i) => base + (24 - i) * 1000));
      await store.ingest([record({ timeMs: base + 100_000 })]); // newer than everything: must not shift later pages
      const second = await store.listRecords({ ...ALL, limit: 10, cursor: first.nextCursor! });
      expect(second.records.map((r) => r.timeMs)).toEqual(Array.from({ length: 10 }, (_, i) => base + (14 - i) * 1000));
      const third = await store.listRecords({ ...ALL, limit: 10, cursor: second.nextCursor! });
      expect(third.records).toHaveLength(5);
      expect(third.nextCursor).toBeNull();
      expect(third.records[0].costNanos).toBe(23_750_000n);
    });

    it('streams every matching record oldest first without a page limit', async () => {
      await store.ingest(Array.from({ length: 2500 }, (_, i) => record({ timeMs: Date.UTC(2026, 0, 1) + i })));
      let count = 0;
      let last = -1;
      for await (const r of store.streamRecords(ALL)) {
        expect(r.timeMs).toBeGreaterThan(last);
        last = r.timeMs;
        count++;
      }
      expect(count).toBe(2500);
    });

    it('purges old raw records and keeps their rollups', async () => {
      await store.ingest([record({ timeMs: Date.UTC(2025, 0, 1) }), record({ timeMs: Date.UTC(2026, 0, 1) })]);
      expect(await store.purgeRecordsBefore(Date.UTC(2025, 6, 1))).toBe(1);
      expect((await store.listRecords({ ...ALL, limit: 10 })).records).toHaveLength(1);
      expect((await store.aggregate({ ...ALL, groupBy: [] }))[0].calls).toBe(2);
    });

    it('shares one store between two instances writing the same batches at once without double counting', async () => {
      const other = await fixture.another();
      const batch = Array.from({ length: 200 }, () => record());
      await Promise.all([store.ingest(batch), other.ingest(batch), store.ingest(batch.slice(50)), other.ingest(batch.slice(0, 120))]);
      const [total] = await other.aggregate({ ...ALL, groupBy: [] });
      expect(total.calls).toBe(200);
      expect(total.costNanos).toBe(200n * 23_750_000n);
      await other.close();
    });

    describe('tag filters', () => {
      let seed = 11;
      // The high bits: an LCG's low bits repeat with short periods, which would correlate the picks.
      const next = (n: number) => Math.floor((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 12) % n;
      const pick = <T>(values: T[]) => values[next(values.length)];
      /** Records with every mix of tags: none, one, several, given in any key order. */
      const tagged = (n: number) =>
        Array.from({ length: n }, () => {
          const tags: Record<string, string> = {};
          const env = pick(['prod', 'dev', null]);
          const team = pick(['search', 'ads', null]);
          if (next(2)) {
            if (env) tags.env = env;
            if (team) tags.team = team;
          } else {
            if (team) tags.team = team;
            if (env) tags.env = env;
          }
          if (next(4) === 0) tags.run = `r${next(5)}`;
          return record({
            timeMs: Date.UTC(2026, 10, 1) + next(3 * 86_400_000),
            user: pick(['ann', 'ben', null]),
            model: pick(['gpt-4o', 'o3']),
            costNanos: next(10) === 0 ? null : BigInt(next(100_000)) * 100_000_000_000n + BigInt(next(100_000)),
            status: next(9) === 0 ? 'error' : 'ok',
            tags,
          });
        });
      const includes = (r: ReturnType<typeof record>, want: Record<string, string>) => Object.entries(want).every(([k, v]) => r.tags[k] === v);
      const sum = (rs: ReturnType<typeof record>[]) => rs.reduce((s, r) => s + (r.costNanos ?? 0n), 0n);

      it('sums exactly the records whose tags include every tag asked for', async () => {
        const records = tagged(600);
        await store.ingest(records.slice(0, 300));
        await store.ingest(records.slice(300));
        const wants: Record<string, string>[] = [
          { team: 'search' },
          { env: 'prod', team: 'search' },
          { team: 'search', env: 'prod' },
          { env: 'dev' },
          { run: 'r1', env: 'prod' },
        ];
        for (const want of wants) {
          const matching = records.filter((r) => includes(r, want));
          const [row] = await store.aggregate({ ...ALL, tags: want, groupBy: [] });
          expect(row).toMatchObject({
            costNanos: sum(matching),
            calls: matching.length,
            errorCalls: matching.filter((r) => r.status === 'error').length,
            unpricedCalls: matching.filter((r) => r.costNanos === null).length,
          });
          expect(row.tokens.input).toBe(matching.reduce((s, r) => s + r.tokens.input, 0));
        }
        expect(sum(records.filter((r) => includes(r, { team: 'search' }))) > 2n ** 53n).toBe(true);
        expect(await store.aggregate({ ...ALL, tags: { team: 'nobody' }, groupBy: [] })).toEqual([]);
        expect(await store.aggregate({ ...ALL, tags: { team: 'search', env: 'staging' }, groupBy: [] })).toEqual([]);
        // No tag filter (or an empty one): every record, tagged or not.
        expect((await store.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ costNanos: sum(records), calls: 600 });
        expect((await store.aggregate({ ...ALL, tags: {}, groupBy: [] }))[0]).toMatchObject({ costNanos: sum(records), calls: 600 });
      });

      it('combines a tag filter with dimension filters, grouping and a time range', async () => {
        const records = tagged(400);
        await store.ingest(records);
        const want = { team: 'search' };
        const byUser = await store.aggregate({ ...ALL, tags: want, filters: { model: 'o3' }, groupBy: ['user'] });
        for (const user of ['ann', 'ben', null]) {
          const matching = records.filter((r) => includes(r, want) && r.model === 'o3' && r.user === user);
          expect(byUser.find((row) => row.key.user === user)?.costNanos ?? 0n).toBe(sum(matching));
        }
        expect(byUser).toHaveLength(3);
        const fromMs = Date.UTC(2026, 10, 2);
        const toMs = Date.UTC(2026, 10, 3, 6);
        const byBucket = await store.aggregate({ ...ALL, fromMs, toMs, tags: want, filters: { user: 'ann' }, groupBy: ['bucket'] });
        const inRange = records.filter((r) => includes(r, want) && r.user === 'ann' && r.timeMs >= fromMs && r.timeMs < toMs);
        expect(byBucket.reduce((s, row) => s + row.costNanos, 0n)).toBe(sum(inRange));
        for (const row of byBucket) expect(row.calls).toBe(inRange.filter((r) => Math.floor(r.timeMs / 900_000) * 900_000 === row.key.bucket).length);
      });

      it('sums the tagged records per tag set, whatever order their keys came in, with filters and a time range', async () => {
        const records = tagged(500);
        await store.ingest(records.slice(0, 250));
        await store.ingest(records.slice(250));
        const fromMs = Date.UTC(2026, 10, 1, 7);
        const toMs = Date.UTC(2026, 10, 3, 2);
        const matching = records.filter((r) => Object.keys(r.tags).length > 0 && r.model === 'o3' && r.timeMs >= fromMs && r.timeMs < toMs);
        const expected = new Map<string, typeof matching>();
        for (const r of matching) {
          const set = JSON.stringify(Object.entries(r.tags).sort(([a], [b]) => (a < b ? -1 : 1)));
          expected.set(set, [...(expected.get(set) ?? []), r]);
        }
        const rows = await store.aggregate({ ...ALL, fromMs, toMs, filters: { model: 'o3' }, byTagSet: true, groupBy: [] });
        expect(rows.map((row) => row.key.tags).sort()).toEqual([...expected.keys()].sort());
        for (const row of rows) {
          const group = expected.get(row.key.tags!)!;
          expect(row).toMatchObject({ costNanos: sum(group), calls: group.length, errorCalls: group.filter((r) => r.status === 'error').length });
        }
        const byUser = await store.aggregate({ ...ALL, tags: { team: 'ads' }, byTagSet: true, groupBy: ['user'] });
        for (const row of byUser) {
          const group = records.filter(
            (r) =>
              includes(r, { team: 'ads' }) &&
              r.user === row.key.user &&
              JSON.stringify(Object.entries(r.tags).sort(([a], [b]) => (a < b ? -1 : 1))) === row.key.tags,
          );
          expect(row.costNanos).toBe(sum(group));
          expect(row.calls).toBe(group.length);
        }
        expect(byUser.reduce((n, row) => n + row.calls, 0)).toBe(records.filter((r) => includes(r, { team: 'ads' })).length);
      });

      it('sums the tagged records per tag set under a dimension filter once in the rollups, and refuses an answer of more rows than maxRows', async () => {
        const records = tagged(600);
        await store.ingest(records.slice(0, 300));
        await store.ingest(records.slice(300));
        await fixture.compaction?.compact(store);
        const setOf = (r: ReturnType<typeof record>) => JSON.stringify(Object.entries(r.tags).sort(([a], [b]) => (a < b ? -1 : 1)));
        const expected = new Map<string, ReturnType<typeof record>[]>();
        for (const r of records.filter((r) => Object.keys(r.tags).length > 0 && r.user === 'ann'))
          expected.set(setOf(r), [...(expected.get(setOf(r)) ?? []), r]);
        const query: RollupQuery = { ...ALL, filters: { user: 'ann' }, byTagSet: true, groupBy: [] };
        const rows = await store.aggregate({ ...query, maxRows: expected.size });
        expect(rows.map((row) => row.key.tags).sort()).toEqual([...expected.keys()].sort());
        for (const row of rows) expect(row).toMatchObject({ costNanos: sum(expected.get(row.key.tags!)!), calls: expected.get(row.key.tags!)!.length });
        expect(expected.size).toBeGreaterThan(3);
        await expect(store.aggregate({ ...query, maxRows: expected.size - 1 })).rejects.toThrow(TooManyRowsError);
        await expect(store.aggregate({ ...query, maxRows: 3 })).rejects.toThrow(TooManyRowsError);
      });

      it('counts a retried tagged batch once, also when two instances write it at once', async () => {
        const other = await fixture.another();
        const records = tagged(200);
        await store.ingest(records.slice(0, 150));
        await Promise.all([store.ingest(records), other.ingest(records), store.ingest(records.slice(100)), other.ingest(records.slice(0, 50))]);
        await store.ingest(records);
        const wants: Record<string, string>[] = [{ team: 'ads' }, { env: 'prod' }];
        for (const want of wants) {
          const matching = records.filter((r) => includes(r, want));
          expect((await other.aggregate({ ...ALL, tags: want, groupBy: [] }))[0]).toMatchObject({ costNanos: sum(matching), calls: matching.length });
        }
        await other.close();
      });
    });

    it('keeps API keys by hash, lists them per tenant, and revokes them', async () => {
      await store.createApiKey({ id: 'k1', hash: 'aa'.repeat(32), role: 'viewer', tenant: 'acme', name: 'finance', createdAtMs: 1, revokedAtMs: null });
      await store.createApiKey({ id: 'k2', hash: 'bb'.repeat(32), role: 'ingest', tenant: null, name: null, createdAtMs: 2, revokedAtMs: null });
      expect(await store.hasApiKeys()).toBe(true);
      expect(await store.findApiKey('aa'.repeat(32))).toMatchObject({ id: 'k1', role: 'viewer', tenant: 'acme', name: 'finance' });
      expect((await store.listApiKeys('acme')).map((k) => k.id)).toEqual(['k1']);
      expect((await store.listApiKeys(null)).map((k) => k.id)).toEqual(['k2', 'k1']);
      expect(await store.revokeApiKey('k1', 'globex', 3)).toBe(false);
      expect(await store.revokeApiKey('k1', 'acme', 3)).toBe(true);
      expect(await store.revokeApiKey('k1', 'acme', 4)).toBe(false);
      expect(await store.findApiKey('aa'.repeat(32))).toBeNull();
      await store.revokeApiKey('k2', null, 5);
      expect(await store.hasApiKeys()).toBe(false);
    });

    if (factory.capabilities?.compaction) compactionContract(() => fixture, factory.capabilities.compaction.crashPoints);
    correctionsContract(() => fixture, factory.capabilities?.corrections?.crashPoints ?? []);
    repositoriesContract(() => fixture);
  });
}
