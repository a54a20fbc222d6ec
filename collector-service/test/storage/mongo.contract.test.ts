import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type Binary, Collection, MongoClient } from 'mongodb';
import { MongoStore, type MongoFaults, type MongoStoreOptions } from '../../src/storage/mongo/mongo.store';
import { type ClaimLinkDoc, storedBy } from '../../src/storage/mongo/record-claims';
import { type RecordDoc, toRecordDoc } from '../../src/storage/mongo/record-docs';
import { GROUP_PARTS, valuePart } from '../../src/storage/mongo/groups';
import type { RollupDocs } from '../../src/storage/mongo/rollup-docs';
import { packRows, unpackRows } from '../../src/storage/mongo/sums-table';
import { jsonColumns } from '../support/old-stores';
import { record } from '../support/records';
import { storageContract } from './storage.contract';
import { breakdownGroups } from '../../src/reports/breakdown-groups';
import { CONVERSATION_COLUMNS, CONVERSATION_GROUP, conversationValueRow, packValues, unpackValues } from '../../src/storage/mongo/value-rows';
import type { UsageRecord } from '../../src/usage/usage-record';
import type { RollupQuery } from '../../src/storage/storage.port';
import { budgetFromBody } from '../../src/budgets/budget';
import { DEFAULT_RULES } from '../../src/alerts/alert-rule';

/**
 * Runs against the MongoDB-wire server in MONGODB_URI: FerretDB (SQLite backend), started by the test
 * command, or any real MongoDB. Without one the suite fails rather than pass untested.
 */
const uri = process.env.MONGODB_URI;
if (!uri) {
  test('the mongo contract suite has a MongoDB-wire server to run against', () => {
    throw new Error('MONGODB_URI is not set: run the tests with ./run test (it starts FerretDB) or point MONGODB_URI at a MongoDB');
  });
} else {
  const open = async (dbName: string, faults?: MongoFaults, compaction?: MongoStoreOptions['compaction']) => {
    const store = new MongoStore(uri, { dbName, faults, compaction });
    await store.init();
    return store;
  };
  /** Compaction only when a case asks for it, so each case decides what is compacted when. */
  const MANUAL = { everyMs: 0 };
  const dropDatabase = async (dbName: string) => {
    const store = await open(dbName);
    await (store as unknown as { db: { dropDatabase(): Promise<unknown> } }).db.dropDatabase();
    await store.close();
  };

  // The old-days cases: calls over days of March, with and without a conversation and a team tag.
  const DAY = 86_400_000;
  const MARCH = Date.UTC(2026, 2, 1);
  const made = (n: number, startMs: number, days: number) =>
    Array.from({ length: n }, (_, i) =>
      record({
        timeMs: startMs + Math.floor((i * days * DAY) / n),
        conversation: i % 5 === 0 ? null : `chat-${i % 13}`,
        tags: i % 3 === 0 ? {} : { team: `team-${i % 4}` },
        costNanos: BigInt(i) * 1_000_003n,
      }),
    );
  const ingest = async (store: MongoStore, rs: UsageRecord[]) => {
    for (let i = 0; i < rs.length; i += 100) await store.ingest(rs.slice(i, i + 100));
  };
  /** Breakdowns by conversation and by tag key over each range equal the records' sums, to the nano. */
  const expectBreakdownsExact = async (store: MongoStore, all: UsageRecord[], ranges: [number, number][]) => {
    for (const [fromMs, toMs] of ranges) {
      for (const [by, valueOf] of [
        ['conversation', (r: UsageRecord) => r.conversation],
        ['tag:team', (r: UsageRecord) => r.tags.team ?? null],
      ] as const) {
        const groups = await breakdownGroups({ storage: store, tenant: 'default', range: { fromMs, toMs, tz: 'UTC' }, filters: {}, maxValues: 1000 }, by);
        const expected = new Map<string | null, bigint>();
        for (const r of all.filter((r) => r.timeMs >= fromMs && r.timeMs < toMs)) expected.set(valueOf(r), (expected.get(valueOf(r)) ?? 0n) + r.costNanos!);
        expect(new Map(groups.map((g) => [g.key, g.totals.costNanos]))).toEqual(expected);
      }
    }
  };

  storageContract('mongo', {
    capabilities: {
      compaction: { crashPoints: ['afterJournal', 'beforeHead', 'afterHead', 'afterDelete', 'afterReplaced'] },
      corrections: { crashPoints: ['afterCorrectionClaims', 'afterCorrectionRolled'] },
    },
    async create() {
      const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
      const store = await open(dbName, undefined, MANUAL);
      return {
        store,
        another: () => open(dbName, undefined, MANUAL),
        destroy: async () => {
          await store.close();
          await dropDatabase(dbName);
        },
        correcting: (point) => open(dbName, { [point]: true }, MANUAL),
        compaction: {
          async interrupted(point) {
            const crashing = await open(dbName, { [point]: true }, MANUAL);
            return { store: crashing, compact: () => crashing.compact() };
          },
          compact: (s) => (s as MongoStore).compact(),
        },
      };
    },
  });

  describe('mongo: exact without transactions', () => {
    const ALL = { tenant: 'default', fromMs: 0, toMs: Date.UTC(2100, 0, 1), filters: {} };
    it.each<keyof MongoFaults>(['afterOpen', 'afterInsert', 'afterClaim', 'afterDeltas'])(
      'ends exact when a crash at %s is followed by the sender retrying',
      async (step) => {
        const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
        const batch = Array.from({ length: 50 }, (_, i) => record({ costNanos: BigInt(1000 + i), tags: i % 3 ? { team: i % 2 ? 'search' : 'ads' } : {} }));
        const crashing = await open(dbName, { [step]: true });
        await expect(crashing.ingest(batch)).rejects.toThrow(`injected fault ${step}`);
        await crashing.close();
        const restarted = await open(dbName);
        await restarted.ingest(batch); // the sender's retry
        await restarted.ingest(batch.slice(0, 10)); // and a late duplicate
        const [total] = await restarted.aggregate({ ...ALL, groupBy: [] });
        expect(total.calls).toBe(50);
        expect(total.costNanos).toBe(batch.reduce((s, r) => s + r.costNanos!, 0n));
        const search = batch.filter((r) => r.tags.team === 'search');
        expect((await restarted.aggregate({ ...ALL, tags: { team: 'search' }, groupBy: [] }))[0]).toMatchObject({
          calls: search.length,
          costNanos: search.reduce((s, r) => s + r.costNanos!, 0n),
        });
        await restarted.close();
        await dropDatabase(dbName);
      },
    );

    it('finishes, at start, a batch left open by a crash the sender never retried', async () => {
      const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
      const crashing = await open(dbName, { afterClaim: true });
      await expect(crashing.ingest([record({ costNanos: 7n }), record({ costNanos: 8n })])).rejects.toThrow();
      await crashing.close();
      const restarted = await open(dbName);
      const [total] = await restarted.aggregate({ ...ALL, groupBy: [] });
      expect(total).toMatchObject({ calls: 2, costNanos: 15n });
      await restarted.close();
      await dropDatabase(dbName);
    });

    it.each<keyof MongoFaults>(['afterOpen', 'afterInsert', 'afterDeltas'])(
      'ends exact when the sender retries a batch, crashed at %s, to another instance already running',
      async (step) => {
        const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
        const batch = Array.from({ length: 50 }, (_, i) => record({ costNanos: BigInt(2000 + i) }));
        const survivor = await open(dbName);
        const crashing = await open(dbName, { [step]: true });
        await expect(crashing.ingest(batch)).rejects.toThrow(`injected fault ${step}`);
        await crashing.close();
        await survivor.ingest(batch); // no restart in between: the survivor must finish what it finds
        const expected = { calls: 50, costNanos: batch.reduce((s, r) => s + r.costNanos!, 0n) };
        expect((await survivor.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject(expected);
        const later = await open(dbName); // and a start-up that finishes whatever is still open
        expect((await later.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject(expected);
        await Promise.all([survivor.close(), later.close()]);
        await dropDatabase(dbName);
      },
    );

    it('counts a batch once when other instances finish it while its writer is still storing it', async () => {
      const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
      const writer = await open(dbName);
      const batches = Array.from({ length: 3 }, (_, b) =>
        Array.from({ length: 200 }, (_, i) => record({ costNanos: BigInt(b * 1000 + i), user: `u${i % 7}` })),
      );
      const starts = async () => {
        // Each start-up finishes every open batch it finds: the writer's, mid-flight, included.
        for (let i = 0; i < 3; i++) await (await open(dbName)).close();
      };
      await Promise.all([Promise.all(batches.map((b) => writer.ingest(b))), starts(), starts()]);
      const all = batches.flat();
      const byUser = await writer.aggregate({ ...ALL, groupBy: ['user'] });
      expect(byUser.reduce((s, r) => s + r.calls, 0)).toBe(all.length);
      for (const row of byUser) expect(row.costNanos).toBe(all.filter((r) => r.user === row.key.user).reduce((s, r) => s + r.costNanos!, 0n));
      await writer.close();
      await dropDatabase(dbName);
    });

    it('counts a batch its writer left half stored once: the half it stored and the rest stored by whoever finishes it', async () => {
      const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
      const batch = Array.from({ length: 40 }, (_, i) => record({ costNanos: BigInt(3000 + i) }));
      const crashing = await open(dbName, { afterOpen: true });
      await expect(crashing.ingest(batch)).rejects.toThrow('injected fault afterOpen');
      await crashing.close();
      const db = await rawDb(dbName);
      const [open1] = await db.collection('rollup_batches').find({ state: 'pending' }).toArray();
      // As if the writer's insert had stored half of the batch when it died.
      await db.collection<RecordDoc>('usage_records').insertMany(batch.slice(0, 20).map((r) => toRecordDoc(r, String(open1._id))));
      const restarted = await open(dbName);
      await restarted.ingest(batch.slice(10, 30)); // a retry overlapping both halves
      expect((await restarted.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 40, costNanos: batch.reduce((s, r) => s + r.costNanos!, 0n) });
      await restarted.close();
      await db.client.close();
      await dropDatabase(dbName);
    });
  });

  describe('mongo: compaction, durability and money', () => {
    const ALL = { tenant: 'default', fromMs: 0, toMs: Date.UTC(2100, 0, 1), filters: {} };
    const fresh = () => `tokenledger_test_${randomUUID().slice(0, 8)}`;
    /** A store whose driver reports every command it sends. */
    const watched = async (dbName: string, compaction?: MongoStoreOptions['compaction']) => {
      const url = new URL(uri);
      url.searchParams.set('monitorCommands', 'true');
      const store = new MongoStore(url.toString(), { dbName, compaction });
      await store.init();
      const commands: { name: string; command: Record<string, unknown>; docs: number }[] = [];
      const client = (store as unknown as { connection: { getClient(): import('mongodb').MongoClient } }).connection.getClient();
      const started = new Map<number, { name: string; command: Record<string, unknown> }>();
      client.on('commandStarted', (e) => started.set(e.requestId, { name: e.commandName, command: e.command }));
      client.on('commandSucceeded', (e) => {
        const cursor = (e.reply as { cursor?: { firstBatch?: unknown[]; nextBatch?: unknown[] } }).cursor;
        commands.push({ ...started.get(e.requestId)!, docs: (cursor?.firstBatch ?? cursor?.nextBatch ?? []).length });
      });
      return { store, commands };
    };
    /** The documents some commands (see `watched`) read of the collections whose names start with `prefix`. */
    const docsRead = (commands: { name: string; command: Record<string, unknown>; docs: number }[], prefix: string) =>
      commands
        .filter((c) => (c.name === 'find' || c.name === 'getMore') && String(c.command.find ?? c.command.collection).startsWith(prefix))
        .reduce((sum, c) => sum + c.docs, 0);

    it('indexes stored records by tenant and time on MongoDB, and on FerretDB (which reads by no index but _id) only by id and claim', async () => {
      const dbName = fresh();
      const store = await open(dbName, undefined, MANUAL);
      await store.ingest([record()]);
      const db = await rawDb(dbName);
      const onFerretDb = 'ferretdbVersion' in (await db.command({ buildInfo: 1 }));
      const indexes = (await db.collection('usage_records').indexes()).map((index) => JSON.stringify(index.key)).sort();
      expect(indexes).toEqual(onFerretDb ? ['{"_id":1}', '{"claim":1}'] : ['{"_id":1}', '{"claim":1}', '{"tenant":1,"timeMs":1,"_id":1}']);
      await store.close();
      await db.client.close();
      await dropDatabase(dbName);
    });

    it('moves stored batches into the compacted rollups on its own, moments after their ingest', async () => {
      const dbName = fresh();
      const store = await open(dbName, undefined, { everyMs: 100 });
      const batch = Array.from({ length: 30 }, (_, i) => record({ costNanos: BigInt(i + 1), timeMs: Date.UTC(2026, 10, 2) + i * 600_000 }));
      await store.ingest(batch);
      const db = await rawDb(dbName);
      // Every batch moved (the mark of the head that moved them stays: see PendingItems.listedFor).
      for (let waited = 0; (await db.collection('rollup_batches').countDocuments({ state: { $ne: 'superseded' } })) > 0; waited += 100) {
        if (waited > 20_000) throw new Error('the batch was not compacted within 20 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await db.collection('rollup_totals_2026_11').countDocuments()).toBe(1);
      expect((await store.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 30, costNanos: 465n });
      await store.close();
      await db.client.close();
      await dropDatabase(dbName);
    });

    it('reads a month report from a few compacted documents, however many batches made it', async () => {
      const dbName = fresh();
      const { store, commands } = await watched(dbName, MANUAL);
      for (let b = 0; b < 40; b++)
        await store.ingest(Array.from({ length: 10 }, (_, i) => record({ user: `u${i}`, timeMs: Date.UTC(2026, 10, 1) + b * 17 * 3_600_000 + i * 60_000 })));
      await store.compact();
      const month = { ...ALL, fromMs: Date.UTC(2026, 10, 1), toMs: Date.UTC(2026, 11, 1) };
      for (const groupBy of [[], ['bucket'], ['user']] as const) {
        commands.length = 0;
        const rows = await store.aggregate({ ...month, groupBy: [...groupBy] });
        expect(rows.reduce((sum, r) => sum + r.calls, 0)).toBe(400);
        const read = commands.filter((c) => c.name === 'find' || c.name === 'getMore');
        expect(read.reduce((sum, c) => sum + c.docs, 0)).toBeLessThanOrEqual(4);
      }
      await store.close();
      await dropDatabase(dbName);
    });

    it('sums a filtered tag breakdown over compacted groups one document at a time, exact to the nano, and refuses more tag sets than a breakdown may hold', async () => {
      const dbName = fresh();
      const store = await open(dbName, undefined, MANUAL);
      // 120 buckets over three days, 12 calls each, every call a group of its own (user, team, run).
      const calls = Array.from({ length: 1440 }, (_, i) =>
        record({
          timeMs: Date.UTC(2026, 10, 1) + Math.floor(i / 12) * 1_800_000 + (i % 12) * 1000,
          user: `user-${i % 5}`,
          tags: i % 4 === 0 ? {} : { team: `team-${i % 3}`, run: `r-${i % 7}` },
          costNanos: BigInt(i) * 1_000_000_007n,
        }),
      );
      await ingest(store, calls);
      await store.compact();
      const source = {
        storage: store,
        tenant: 'default',
        range: { fromMs: Date.UTC(2026, 10, 1), toMs: Date.UTC(2026, 11, 1), tz: 'UTC' },
        filters: { user: 'user-2' },
        maxValues: 1000,
      };
      const expected = new Map<string | null, bigint>();
      for (const r of calls.filter((r) => r.user === 'user-2')) expected.set(r.tags.team ?? null, (expected.get(r.tags.team ?? null) ?? 0n) + r.costNanos!);
      const docs = (store as unknown as { reader: { docs: RollupDocs } }).reader.docs;
      const groups = await breakdownGroups(source, 'tag:team');
      expect(new Map(groups.map((g) => [g.key, g.totals.costNanos]))).toEqual(expected);
      // The month holds 1,440 groups; a bucket's document 12.
      expect(docs.groupReads.mostHeld).toBeGreaterThan(0);
      expect(docs.groupReads.mostHeld).toBeLessThanOrEqual(12);
      // user-2's calls carry 21 tag sets (3 teams × 7 runs): more than 5 is refused, though the answer has 4 rows.
      await expect(breakdownGroups({ ...source, maxValues: 5 }, 'tag:team')).rejects.toThrow(
        /more than 5 values of tag set .*TOKENLEDGER_BREAKDOWN_MAX_VALUES/,
      );
      await store.close();
      await dropDatabase(dbName);
    });

    it('reads filtered and tagged breakdowns of whole days from their group days (for one user, one part of each), exact to the nano; a store compacted before them alike, until compaction gives its days theirs', async () => {
      const dbName = fresh();
      const store = await open(dbName, undefined, MANUAL);
      // Four days of November, a call every 10 minutes: 7 users, 2 models, 3 teams (and no tag).
      const calls = Array.from({ length: 576 }, (_, i) =>
        record({
          timeMs: Date.UTC(2026, 10, 1) + i * 600_000 + (i % 5) * 1000,
          user: `user-${i % 7}`,
          model: i % 2 ? 'gpt-4o' : 'gpt-4o-mini',
          tags: i % 4 === 0 ? {} : { team: `team-${i % 3}` },
          costNanos: BigInt(i) * 1_000_000_007n + 3n,
        }),
      );
      await ingest(store, calls);
      await store.compact();
      await store.close();
      // November 1 from 01:00 (the day less its first 4 buckets), November 2 and 3, November 4 until 05:00 (its first 20 buckets).
      const range = { tenant: 'default', fromMs: Date.UTC(2026, 10, 1, 1), toMs: Date.UTC(2026, 10, 4, 5) };
      const queries: RollupQuery[] = [
        { ...range, filters: { user: 'user-3' }, groupBy: ['model' as const] },
        { ...range, filters: { user: 'user-3' }, byTagSet: true, groupBy: [] },
        { ...range, filters: {}, tags: { team: 'team-1' }, groupBy: ['user' as const] },
        { ...range, filters: { model: 'gpt-4o', user: 'user-5' }, tags: { team: 'team-2' }, groupBy: ['model' as const] },
      ];
      const expected = queries.map((q) => {
        const sums = new Map<string, bigint>();
        for (const r of calls) {
          if (r.timeMs < q.fromMs || r.timeMs >= q.toMs || Object.entries(q.filters).some(([d, v]) => r[d as 'user'] !== v)) continue;
          if (q.tags && Object.entries(q.tags).some(([k, v]) => r.tags[k] !== v)) continue;
          if (q.byTagSet && Object.keys(r.tags).length === 0) continue;
          const key = q.byTagSet ? (r.tags.team ?? '') : q.groupBy.length > 0 ? r[q.groupBy[0] as 'model' | 'user']! : '';
          sums.set(key, (sums.get(key) ?? 0n) + r.costNanos!);
        }
        return sums;
      });
      /** Each query's sums by key, and the documents it read, by an instance of its own (whose memory holds none). */
      const reads = async () => {
        const answers: Map<string, bigint>[] = [];
        const docs: { groupDays: number; groups: number }[] = [];
        for (const q of queries) {
          const reader = await watched(dbName, MANUAL);
          const rows = await reader.store.aggregate(q);
          answers.push(
            new Map(rows.map((r) => [q.byTagSet ? (JSON.parse(r.key.tags!) as [string, string][])[0][1] : String(Object.values(r.key)[0] ?? ''), r.costNanos])),
          );
          const found = (prefix: string) => docsRead(reader.commands, prefix);
          docs.push({ groupDays: found('rollup_group_days_'), groups: found('rollup_groups_') });
          await reader.store.close();
        }
        return { answers, docs };
      };
      const compacted = await reads();
      expect(compacted.answers).toEqual(expected);
      // Of each whole day one document: the part of the day holding user-3 (or user-5); the 4 buckets of
      // November 1 outside the range and the 20 of November 4 inside it, each from its own.
      expect(compacted.docs[0]).toEqual({ groupDays: 3, groups: 24 });
      expect(compacted.docs[1]).toEqual({ groupDays: 3, groups: 24 });
      expect(compacted.docs[3]).toEqual({ groupDays: 3, groups: 24 });
      // Every user: the parts the 7 users are in, of each of the 3 days.
      expect(compacted.docs[2].groups).toBe(24);
      expect(compacted.docs[2].groupDays).toBeGreaterThan(3);
      expect(compacted.docs[2].groupDays).toBeLessThanOrEqual(3 * 7);
      // As a version before group days left the store: no group day documents, totals naming none.
      const db = await rawDb(dbName);
      for (const name of (await db.listCollections().toArray()).map((c) => c.name)) {
        if (name.startsWith('rollup_group_days_')) await db.collection(name).drop();
        if (!name.startsWith('rollup_totals_')) continue;
        const totals = db.collection<{ _id: string; rows: Binary }>(name);
        for (const doc of await totals.find().toArray()) {
          const rows = unpackRows(doc.rows).map((row) => ({ key: row.key.slice(0, 5), sums: row.sums }));
          await totals.updateOne({ _id: doc._id }, { $set: { rows: packRows(rows, 5, () => 'a total') } });
        }
      }
      const before = await reads();
      expect(before.answers).toEqual(expected);
      expect(before.docs.map((d) => d.groupDays)).toEqual([0, 0, 0, 0]);
      expect(before.docs[0].groups).toBe(4 * 96 - 4 - 76);
      const upgraded = await open(dbName, undefined, MANUAL);
      await upgraded.compact();
      await upgraded.close();
      const after = await reads();
      expect(after.answers).toEqual(expected);
      expect(after.docs.slice(0, 2)).toEqual([compacted.docs[0], compacted.docs[1]]);
      await db.client.close();
      await dropDatabase(dbName);
    });

    it('reads a breakdown filtered on dimensions other than the user from every part of each day, exact to the nano; group days packed as JSON columns by a version before alike, until compaction packs them as dictionary columns', async () => {
      const dbName = fresh();
      const store = await open(dbName, undefined, MANUAL);
      // Three days of May, a call every 5 minutes: 11 users, 3 features, 4 agents (and none), costs past 2^53 on some.
      const calls = Array.from({ length: 864 }, (_, i) =>
        record({
          timeMs: Date.UTC(2026, 4, 1) + i * 300_000 + (i % 7) * 1000,
          user: `user-${i % 11}`,
          feature: `feature-${i % 3}`,
          agent: i % 5 === 4 ? null : `agent-${i % 4}`,
          costNanos: BigInt(i) * 12_345_678_901_234n + 7n,
        }),
      );
      await ingest(store, calls);
      await store.compact();
      await store.close();
      // May 1 from 02:00, May 2, May 3 until 20:00.
      const range = { tenant: 'default', fromMs: Date.UTC(2026, 4, 1, 2), toMs: Date.UTC(2026, 4, 3, 20) };
      const queries: RollupQuery[] = [
        { ...range, filters: { feature: 'feature-1', agent: 'agent-2' }, groupBy: ['user' as const] },
        { ...range, filters: { feature: 'feature-0', agent: 'agent-3' }, groupBy: ['user' as const] },
        { ...range, filters: { feature: 'feature-2', agent: 'agent-9' }, groupBy: ['user' as const] },
      ];
      const expected = queries.map((q) => {
        const sums = new Map<string, bigint>();
        for (const r of calls) {
          if (r.timeMs < q.fromMs || r.timeMs >= q.toMs || Object.entries(q.filters).some(([d, v]) => r[d as 'user'] !== v)) continue;
          sums.set(r.user!, (sums.get(r.user!) ?? 0n) + r.costNanos!);
        }
        return sums;
      });
      const reads = async () => {
        const reader = await open(dbName, undefined, MANUAL);
        const answers = [];
        for (const q of queries) answers.push(new Map((await reader.aggregate(q)).map((row) => [row.key.user!, row.costNanos])));
        await reader.close();
        return answers;
      };
      const db = await rawDb(dbName);
      type Doc = { _id: string; rows: Binary };
      const groupDays = async () => {
        const docs: Doc[] = [];
        for (const name of (await db.listCollections().toArray()).map((c) => c.name).filter((n) => n.startsWith('rollup_group_days_')))
          docs.push(...(await db.collection<Doc>(name).find().toArray()).map((doc) => ({ ...doc, name })));
        return docs as (Doc & { name: string })[];
      };
      expect(await reads()).toEqual(expected);
      expect(expected[0].size).toBeGreaterThan(0);
      expect(expected[2].size).toBe(0);
      // As the version before dictionary columns left the store: group days as JSON columns, totals not saying how they are packed.
      const packed = await groupDays();
      expect(packed.length).toBeGreaterThan(3);
      expect(packed.every((doc) => doc.rows.buffer[0] === 0xff)).toBe(true);
      for (const doc of packed)
        await db.collection<Doc>(doc.name).updateOne({ _id: doc._id }, { $set: { rows: jsonColumns(unpackRows(doc.rows), GROUP_PARTS) } });
      const totals = db.collection<Doc>('rollup_totals_2026_05');
      for (const doc of await totals.find().toArray()) {
        const rows = unpackRows(doc.rows).map((row) => ({ key: row.key.slice(0, 8), sums: row.sums }));
        await totals.updateOne({ _id: doc._id }, { $set: { rows: packRows(rows, 8, () => 'a total') } });
      }
      expect(await reads()).toEqual(expected);
      const upgraded = await open(dbName, undefined, MANUAL);
      await upgraded.compact();
      await upgraded.close();
      // The latest head's totals name group days packed as dictionary columns, every day.
      const [head] = await db
        .collection<{ kind: string; k: number; months: Record<string, string> }>('rollup_heads')
        .find({ kind: 'head' })
        .sort({ k: -1 })
        .limit(1)
        .toArray();
      const latest = await totals.findOne({ _id: JSON.stringify(['default', head.months['2026-05']]) });
      const named = unpackRows(latest!.rows);
      expect(named.every((row) => row.key[8] === 1)).toBe(true);
      const runs = new Set(named.map((row) => row.key[5]));
      const repacked = (await groupDays()).filter((doc) => runs.has((JSON.parse(doc._id) as unknown[])[3] as string));
      expect(repacked.length).toBe(packed.length);
      expect(repacked.every((doc) => doc.rows.buffer[0] === 0xff)).toBe(true);
      expect(await reads()).toEqual(expected);
      await db.client.close();
      await dropDatabase(dbName);
    });

    it('reads a breakdown filtered on a feature and no user from the part of each day split by feature holding it, exact to the nano; a store compacted before that split alike, until compaction gives its days theirs', async () => {
      const dbName = fresh();
      const store = await open(dbName, undefined, MANUAL);
      // Three days of May, a call every 5 minutes: 11 users, 5 features (and none), 4 agents, 2 models, 3 teams (and no tag).
      const calls = Array.from({ length: 864 }, (_, i) =>
        record({
          timeMs: Date.UTC(2026, 4, 1) + i * 300_000 + (i % 7) * 1000,
          user: `user-${i % 11}`,
          feature: i % 6 === 5 ? null : `feature-${i % 6}`,
          agent: `agent-${i % 4}`,
          model: i % 2 ? 'gpt-4o' : 'gpt-4o-mini',
          tags: i % 4 === 0 ? {} : { team: `team-${i % 3}` },
          costNanos: BigInt(i) * 12_345_678_901_234n + 7n,
        }),
      );
      await ingest(store, calls);
      await store.compact();
      await store.close();
      // May 1 from 02:00, May 2 whole, May 3 until 20:00: group days of May 1 and 3 (less their buckets outside the range) and May 2.
      const range = { tenant: 'default', fromMs: Date.UTC(2026, 4, 1, 2), toMs: Date.UTC(2026, 4, 3, 20) };
      const queries: RollupQuery[] = [
        { ...range, filters: { feature: 'feature-1', agent: 'agent-1' }, groupBy: ['user' as const] },
        { ...range, filters: { feature: 'feature-0', agent: 'agent-2' }, groupBy: ['user' as const] },
        { ...range, filters: { feature: 'feature-4', model: 'gpt-4o-mini' }, tags: { team: 'team-1' }, groupBy: ['agent' as const] },
        { ...range, filters: { feature: 'feature-9', agent: 'agent-2' }, groupBy: ['user' as const] },
      ];
      const expected = queries.map((q) => {
        const sums = new Map<string, bigint>();
        for (const r of calls) {
          if (r.timeMs < q.fromMs || r.timeMs >= q.toMs || Object.entries(q.filters).some(([d, v]) => r[d as 'user'] !== v)) continue;
          if (q.tags && Object.entries(q.tags).some(([k, v]) => r.tags[k] !== v)) continue;
          const key = r[q.groupBy[0] as 'user' | 'agent']!;
          sums.set(key, (sums.get(key) ?? 0n) + r.costNanos!);
        }
        return sums;
      });
      /** Each query's sums by key, and the documents it read of each collection kind, by an instance of its own (whose memory holds none). */
      const reads = async () => {
        const answers: Map<string, bigint>[] = [];
        const docs: { byFeature: number; byUser: number }[] = [];
        for (const q of queries) {
          const reader = await watched(dbName, MANUAL);
          answers.push(new Map((await reader.store.aggregate(q)).map((row) => [String(Object.values(row.key)[0]), row.costNanos])));
          const found = (prefix: string) => docsRead(reader.commands, prefix);
          docs.push({ byFeature: found('rollup_group_feature_days_'), byUser: found('rollup_group_days_') });
          await reader.store.close();
        }
        return { answers, docs };
      };
      const split = await reads();
      expect(split.answers).toEqual(expected);
      expect(expected[0].size).toBeGreaterThan(0);
      expect(expected[1].size).toBeGreaterThan(0);
      expect(expected[2].size).toBeGreaterThan(0);
      expect(expected[3].size).toBe(0);
      // One document of each of the 3 days, none of the days split by user; none for a feature no call
      // has, unless its part holds another's.
      const written = new Set(calls.map((r) => valuePart(r.feature)));
      expect(split.docs).toEqual(queries.map((q) => ({ byFeature: written.has(valuePart(q.filters.feature!)) ? 3 : 0, byUser: 0 })));
      // As the version before the split by feature left the store: no such documents, totals naming none.
      const db = await rawDb(dbName);
      type Doc = { _id: string; rows: Binary };
      for (const name of (await db.listCollections().toArray()).map((c) => c.name))
        if (name.startsWith('rollup_group_feature_days_')) await db.collection(name).drop();
      const totals = db.collection<Doc>('rollup_totals_2026_05');
      for (const doc of await totals.find().toArray()) {
        const rows = unpackRows(doc.rows).map((row) => ({ key: row.key.slice(0, 9), sums: row.sums }));
        await totals.updateOne({ _id: doc._id }, { $set: { rows: packRows(rows, 9, () => 'a total') } });
      }
      const before = await reads();
      expect(before.answers).toEqual(expected);
      // Every part of each day split by user: the 11 users' parts.
      for (const { byFeature, byUser } of before.docs) {
        expect(byFeature).toBe(0);
        expect(byUser).toBeGreaterThan(3);
      }
      const upgraded = await open(dbName, undefined, MANUAL);
      await upgraded.compact();
      await upgraded.close();
      const after = await reads();
      expect(after.answers).toEqual(expected);
      expect(after.docs).toEqual(split.docs);
      await db.client.close();
      await dropDatabase(dbName);
    });

    it('reads a filtered breakdown by conversation of one user from the part of each day holding it, exact to the nano; a store compacted before the parts were split alike, until compaction gives its days theirs', async () => {
      const dbName = fresh();
      const store = await open(dbName, undefined, MANUAL);
      // Three days of March, a call every 10 minutes: 7 users and none, 2 models, 13 conversations and none.
      const calls = Array.from({ length: 432 }, (_, i) =>
        record({
          timeMs: MARCH + i * 600_000 + (i % 5) * 1000,
          user: i % 8 === 7 ? null : `user-${i % 8}`,
          model: i % 2 ? 'gpt-4o' : 'o3',
          conversation: i % 5 === 0 ? null : `chat-${i % 13}`,
          costNanos: BigInt(i) * 1_000_000_007n + 3n,
        }),
      );
      await ingest(store, calls);
      await store.compact();
      await store.close();
      // March 1 from 01:00, March 2 and 3.
      const range = { tenant: 'default', fromMs: MARCH + 3_600_000, toMs: MARCH + 3 * DAY, maxValues: 1000, by: 'conversation' };
      const filters: Record<string, string>[] = [{ user: 'user-3' }, { user: 'user-5', model: 'gpt-4o' }, { model: 'o3' }];
      const expected = (all: UsageRecord[]) =>
        filters.map((f) => {
          const sums = new Map<string, bigint>();
          for (const r of all) {
            if (r.timeMs < range.fromMs || r.timeMs >= range.toMs || r.conversation === null) continue;
            if (Object.entries(f).some(([d, v]) => r[d as 'user'] !== v)) continue;
            sums.set(r.conversation, (sums.get(r.conversation) ?? 0n) + r.costNanos!);
          }
          return { sums, uncovered: [] };
        });
      /** Each breakdown's sums by conversation, and the value day documents it read, by an instance of its own (whose memory holds none). */
      const reads = async () => {
        const answers: { sums: Map<string, bigint>; uncovered: unknown[] }[] = [];
        const docs: number[] = [];
        for (const f of filters) {
          const reader = await watched(dbName, MANUAL);
          const answer = await reader.store.valueSums({ ...range, filters: f });
          answers.push({ sums: new Map(answer.values.map((v) => [v.value, v.totals.costNanos])), uncovered: answer.uncovered });
          docs.push(
            reader.commands
              .filter(
                (c) => (c.name === 'find' || c.name === 'getMore') && /^rollup_(value|conversation)_days_/.test(String(c.command.find ?? c.command.collection)),
              )
              .reduce((sum, c) => sum + c.docs, 0),
          );
          await reader.store.close();
        }
        return { answers, docs };
      };
      const split = await reads();
      expect(split.answers).toEqual(expected(calls));
      // Of each day one document for one user: the part holding it.
      expect(split.docs.slice(0, 2)).toEqual([3, 3]);
      // Without a user, the parts of the users the day holds.
      expect(split.docs[2]).toBeGreaterThan(3);
      expect(split.docs[2]).toBeLessThanOrEqual(3 * 8);
      // As a version before the parts left the store: a day's conversations per group in one document, totals naming no parts.
      const db = await rawDb(dbName);
      type Doc = { _id: string; tenant: string; runId: string; rows: Binary };
      const days = db.collection<Doc>('rollup_value_days_2026_03');
      const whole = new Map<string, { tenant: string; runId: string; rows: ReturnType<typeof unpackRows> }>();
      for (const name of (await db.listCollections().toArray()).map((c) => c.name).filter((n) => n.startsWith('rollup_conversation_days_'))) {
        for (const doc of await db.collection<Doc>(name).find().toArray()) {
          const wholeId = JSON.stringify((JSON.parse(doc._id) as unknown[]).slice(0, 4));
          if (!whole.has(wholeId)) whole.set(wholeId, { tenant: doc.tenant, runId: doc.runId, rows: [] });
          whole.get(wholeId)!.rows.push(...unpackRows(doc.rows).map(conversationValueRow));
        }
        await db.collection(name).drop();
      }
      expect(whole.size).toBe(3);
      for (const [_id, { tenant, runId, rows }] of whole) await days.insertOne({ _id, tenant, runId, rows: packRows(rows, 3, () => 'a value') });
      const totals = db.collection<{ _id: string; rows: Binary }>('rollup_totals_2026_03');
      for (const doc of await totals.find().toArray()) {
        const rows = unpackRows(doc.rows).map((row) => ({ key: row.key.slice(0, 7), sums: row.sums }));
        await totals.updateOne({ _id: doc._id }, { $set: { rows: packRows(rows, 7, () => 'a total') } });
      }
      const before = await reads();
      expect(before.answers).toEqual(expected(calls));
      expect(before.docs).toEqual([3, 3, 3]);
      // Compaction gives the days their parts, a day per run.
      const upgraded = await open(dbName, undefined, MANUAL);
      await upgraded.compact();
      const after = await reads();
      expect(after).toEqual(split);
      // Calls arriving late for March 2, compacted onto the parts.
      const late = calls
        .slice(150, 170)
        .map((r, i) => record({ timeMs: r.timeMs, user: r.user, model: r.model, conversation: r.conversation, costNanos: BigInt(i) * 999_999_937n }));
      await ingest(upgraded, late);
      await upgraded.compact();
      await upgraded.close();
      const later = await reads();
      expect(later.answers).toEqual(expected([...calls, ...late]));
      expect(later.docs.slice(0, 2)).toEqual([3, 3]);
      // The days' single documents are deleted once the runs after those replacing them are published.
      expect(await days.countDocuments({ _id: { $regex: '"conversation groups"' } })).toBe(0);
      await db.client.close();
      await dropDatabase(dbName);
    });

    it("keeps a day's conversations per group a column per dimension and reads filtered breakdowns by conversation from them exactly; parts keyed by the group's JSON (a version before) alike, until compaction keys them so", async () => {
      const dbName = fresh();
      const store = await open(dbName, undefined, MANUAL);
      // Three days of March, a call every 10 minutes: 7 users and none, 3 models, 4 features, 11 conversations and none.
      const calls = Array.from({ length: 432 }, (_, i) =>
        record({
          timeMs: MARCH + i * 600_000 + (i % 5) * 1000,
          user: i % 8 === 7 ? null : `user-${i % 8}`,
          model: ['gpt-4o', 'o3', 'gpt-4o-mini'][i % 3],
          feature: `feature-${i % 4}`,
          conversation: i % 6 === 0 ? null : `chat-${i % 11}`,
          costNanos: BigInt(i) * 1_000_000_009n + 11n,
        }),
      );
      await ingest(store, calls);
      await store.compact();
      await store.close();
      // March 1 from 02:00 to March 3 at 20:00.
      const range = { tenant: 'default', fromMs: MARCH + 2 * 3_600_000, toMs: MARCH + 2 * DAY + 20 * 3_600_000, maxValues: 1000, by: 'conversation' };
      const filters: Record<string, string>[] = [
        { user: 'user-3' },
        { user: 'user-5', model: 'gpt-4o' },
        { model: 'o3', feature: 'feature-2' },
        { model: 'o9' },
      ];
      const expected = (all: UsageRecord[]) =>
        filters.map((f) => {
          const sums = new Map<string, bigint>();
          for (const r of all) {
            if (r.timeMs < range.fromMs || r.timeMs >= range.toMs || r.conversation === null) continue;
            if (Object.entries(f).some(([d, v]) => r[d as 'user'] !== v)) continue;
            sums.set(r.conversation, (sums.get(r.conversation) ?? 0n) + r.costNanos!);
          }
          return sums;
        });
      /** Each breakdown's sums by conversation, by an instance of its own (whose memory holds none). */
      const reads = async () => {
        const answers: Map<string, bigint>[] = [];
        for (const f of filters) {
          const reader = await open(dbName, undefined, MANUAL);
          const answer = await reader.valueSums({ ...range, filters: f });
          expect(answer.uncovered).toEqual([]);
          answers.push(new Map(answer.values.map((v) => [v.value, v.totals.costNanos])));
          await reader.close();
        }
        return answers;
      };
      const db = await rawDb(dbName);
      type Doc = { _id: string; rows: Binary };
      const parts = async () => {
        const docs: (Doc & { name: string })[] = [];
        for (const name of (await db.listCollections().toArray()).map((c) => c.name).filter((n) => n.startsWith('rollup_conversation_days_')))
          docs.push(...(await db.collection<Doc>(name).find().toArray()).map((doc) => ({ ...doc, name })));
        return docs;
      };
      const totals = db.collection<Doc>('rollup_totals_2026_03');
      /** The latest head's totals of March, and the parts of the runs they name. */
      const latest = async () => {
        const [head] = await db
          .collection<{ kind: string; k: number; months: Record<string, string> }>('rollup_heads')
          .find({ kind: 'head' })
          .sort({ k: -1 })
          .limit(1)
          .toArray();
        const named = unpackRows((await totals.findOne({ _id: JSON.stringify(['default', head.months['2026-03']]) }))!.rows);
        const runs = new Set(named.map((row) => row.key[2]));
        return { named, parts: (await parts()).filter((doc) => runs.has((JSON.parse(doc._id) as unknown[])[3] as string)) };
      };
      const answers = expected(calls);
      expect(answers.slice(0, 3).every((sums) => sums.size > 0)).toBe(true);
      expect(answers[3].size).toBe(0);
      expect(await reads()).toEqual(answers);
      const written = await latest();
      expect(written.named.every((row) => row.key[10] === 1)).toBe(true);
      expect(written.parts.length).toBeGreaterThan(3);
      expect(written.parts.every((doc) => unpackRows(doc.rows).every((row) => row.key.length === CONVERSATION_COLUMNS))).toBe(true);
      // As the version before left the store: parts keyed [bucket, by, JSON of the conversation and its group], totals not saying how.
      for (const doc of await parts())
        await db
          .collection<Doc>(doc.name)
          .updateOne({ _id: doc._id }, { $set: { rows: packRows(unpackRows(doc.rows).map(conversationValueRow), 3, () => 'a value') } });
      for (const doc of await totals.find().toArray()) {
        const rows = unpackRows(doc.rows).map((row) => ({ key: row.key.slice(0, 10), sums: row.sums }));
        await totals.updateOne({ _id: doc._id }, { $set: { rows: packRows(rows, 10, () => 'a total') } });
      }
      expect(await reads()).toEqual(answers);
      // Compaction keys them a column per dimension again, a day per run.
      const upgraded = await open(dbName, undefined, MANUAL);
      await upgraded.compact();
      const repacked = await latest();
      expect(repacked.named.every((row) => row.key[10] === 1)).toBe(true);
      expect(repacked.parts.length).toBe(written.parts.length);
      expect(repacked.parts.every((doc) => unpackRows(doc.rows).every((row) => row.key.length === CONVERSATION_COLUMNS))).toBe(true);
      expect(await reads()).toEqual(answers);
      // Calls arriving late for March 2, compacted onto the parts.
      const late = calls
        .slice(150, 170)
        .map((r, i) =>
          record({ timeMs: r.timeMs, user: r.user, model: r.model, feature: r.feature, conversation: r.conversation, costNanos: BigInt(i) * 999_999_937n }),
        );
      await ingest(upgraded, late);
      await upgraded.compact();
      await upgraded.close();
      expect(await reads()).toEqual(expected([...calls, ...late]));
      await db.client.close();
      await dropDatabase(dbName);
    });

    it('reads a compacted month again from memory: only the head and what is not compacted yet go to the server, and new compaction is seen exactly', async () => {
      const dbName = fresh();
      const { store, commands } = await watched(dbName, MANUAL);
      for (let b = 0; b < 10; b++)
        await store.ingest(
          Array.from({ length: 10 }, (_, i) =>
            record({ user: `u${i}`, costNanos: BigInt(100 + i), timeMs: Date.UTC(2026, 10, 1) + b * 50 * 3_600_000 + i * 60_000 }),
          ),
        );
      await store.compact();
      // A partial range by user reads the day values and the groups of the buckets at its edges.
      const range = { ...ALL, fromMs: Date.UTC(2026, 10, 3, 5), toMs: Date.UTC(2026, 10, 19, 7) };
      const queries = [
        { ...ALL, groupBy: [] },
        { ...range, groupBy: ['user' as const] },
        { ...range, groupBy: ['user' as const, 'bucket' as const] },
      ];
      // Rows in the order of their keys: a report does not depend on the order the store returns them in.
      const read = () =>
        Promise.all(queries.map(async (q) => (await store.aggregate(q)).sort((a, b) => (JSON.stringify(a.key) < JSON.stringify(b.key) ? -1 : 1))));
      const first = await read();
      commands.length = 0;
      expect(await read()).toEqual(first);
      const compacted = commands.filter((c) => c.name === 'find' && /^rollup_(totals|values|groups)_/.test(String(c.command.find)));
      expect(compacted).toEqual([]);
      await store.ingest([record({ user: 'u1', costNanos: 7n, timeMs: Date.UTC(2026, 10, 10) })]);
      await store.compact();
      const [all] = await store.aggregate({ ...ALL, groupBy: [] });
      expect(all.costNanos).toBe(first[0][0].costNanos + 7n);
      const u1 = (rows: Awaited<ReturnType<typeof store.aggregate>>) => rows.find((r) => r.key.user === 'u1')!.costNanos;
      expect(u1(await store.aggregate(queries[1]))).toBe(u1(first[1]) + 7n);
      await store.close();
      await dropDatabase(dbName);
    });

    it('answers a warm read in one find, the pending items listed with the marks of the heads published; a head another instance published is met, each record counted once', async () => {
      const dbName = fresh();
      const { store, commands } = await watched(dbName, MANUAL);
      const other = await open(dbName, undefined, MANUAL);
      let expected = 0n;
      const ingestBatch = async (into: MongoStore, b: number) => {
        const rs = Array.from({ length: 10 }, (_, i) => record({ costNanos: BigInt(b * 1000 + i), timeMs: Date.UTC(2026, 10, 1 + b) + i * 60_000 }));
        await into.ingest(rs);
        expected += rs.reduce((sum, r) => sum + r.costNanos!, 0n);
      };
      const total = async () => (await store.aggregate({ ...ALL, groupBy: [] }))[0].costNanos;
      const warmRead = async () => {
        commands.length = 0;
        expect(await total()).toBe(expected);
        return commands.map((c) => `${c.name} ${String(c.command.find ?? c.command[c.name])}`);
      };
      await ingestBatch(store, 0);
      await store.compact();
      expect(await total()).toBe(expected);
      expect(await warmRead()).toEqual(['find rollup_batches']);
      // The other instance moves batches past the head this one knows, twice; a batch rolled and not moved between.
      await ingestBatch(other, 1);
      await other.compact();
      await ingestBatch(other, 2);
      expect(await total()).toBe(expected);
      await ingestBatch(store, 3);
      await other.compact();
      expect(await total()).toBe(expected);
      expect(await warmRead()).toEqual(['find rollup_batches']);
      // One mark is kept: the latest head's.
      const db = await rawDb(dbName);
      const [latest] = await db.collection('rollup_heads').find({ kind: 'head' }).sort({ k: -1 }).limit(1).toArray();
      const marks = await db.collection('rollup_batches').find({ state: 'superseded' }).toArray();
      expect(marks.map((m) => m.k as number)).toEqual([latest.k as number]);
      await other.close();
      await store.close();
      await db.client.close();
      await dropDatabase(dbName);
    });

    it("keeps a head's lists out of the chain's collection and reads them only for a head not read before; heads stored with their lists still read", async () => {
      const dbName = fresh();
      const { store, commands } = await watched(dbName, MANUAL);
      const batch = (b: number, n: number) =>
        Array.from({ length: n }, (_, i) => record({ costNanos: BigInt(b * 1000 + i), timeMs: Date.UTC(2026, 10, 1 + b) + i * 60_000 }));
      let expected = 0n;
      for (let b = 0; b < 3; b++) {
        const rs = batch(b, 10);
        await store.ingest(rs);
        expected += rs.reduce((sum, r) => sum + r.costNanos!, 0n);
        await store.compact();
      }
      const db = await rawDb(dbName);
      const heads = await db.collection('rollup_heads').find({ kind: 'head' }).toArray();
      expect(heads.length).toBeGreaterThan(0);
      for (const head of heads) expect(Object.keys(head).filter((f) => ['included', 'replaced', 'setAside'].includes(f))).toEqual([]);
      const total = async (s: MongoStore) => (await s.aggregate({ ...ALL, groupBy: [] }))[0].costNanos;
      expect(await total(store)).toBe(expected);
      commands.length = 0;
      expect(await total(store)).toBe(expected);
      expect(commands.filter((c) => c.name === 'find' && c.command.find === 'rollup_head_lists')).toEqual([]);
      await store.close();
      // The version before kept the lists in each head.
      for (const lists of await db.collection('rollup_head_lists').find().toArray()) {
        const { included, replaced, setAside } = lists;
        await db.collection('rollup_heads').updateOne({ kind: 'head', tenant: lists.tenant, k: lists.k }, { $set: { included, replaced, setAside } });
      }
      await db.collection('rollup_head_lists').drop();
      const upgraded = await open(dbName, undefined, MANUAL);
      expect(await total(upgraded)).toBe(expected);
      const late = batch(5, 7);
      await upgraded.ingest(late);
      await upgraded.compact();
      expect(await total(upgraded)).toBe(expected + late.reduce((sum, r) => sum + r.costNanos!, 0n));
      await upgraded.close();
      await db.client.close();
      await dropDatabase(dbName);
    });

    it('reads a kept pair of dimensions from one document per day, and the groups of no bucket but those at the range edges, exactly as the records sum', async () => {
      const dbName = fresh();
      const store = await open(dbName, undefined, MANUAL);
      // Calls every 50 minutes from October 31, 20:00 UTC, for 30 days, 3 users and 2 features (and none).
      const records = Array.from({ length: 864 }, (_, i) =>
        record({
          user: `u${i % 3}`,
          feature: i % 5 === 0 ? null : `f${i % 2}`,
          costNanos: BigInt(1_000_003 * (i + 1)),
          timeMs: Date.UTC(2026, 9, 31, 20) + i * 50 * 60_000,
        }),
      );
      const fromMs = Date.UTC(2026, 9, 31, 23);
      const toMs = Date.UTC(2026, 10, 30, 12);
      const inRange = (some: typeof records) => some.filter((r) => r.timeMs >= fromMs && r.timeMs < toMs);
      const costOf = (some: typeof records, user: string, feature: string) =>
        inRange(some)
          .filter((r) => r.user === user && r.feature === feature)
          .reduce((sum, r) => sum + r.costNanos!, 0n);
      const query = { ...ALL, fromMs, toMs, filters: { user: 'u1', feature: 'f0' }, groupBy: [] };
      // Read by an instance of its own, whose memory holds no document yet.
      const reads = async () => {
        const reader = await watched(dbName, MANUAL);
        const [row] = await reader.store.aggregate(query);
        const found = (prefix: string) =>
          reader.commands.filter((c) => c.name === 'find' && String(c.command.find).startsWith(prefix)).reduce((sum, c) => sum + c.docs, 0);
        await reader.store.close();
        return { costNanos: row.costNanos, groups: found('rollup_groups_'), pairDays: found('rollup_pair_days_') };
      };
      await store.ingest(records.slice(0, 400));
      await store.compact();
      // Before the pair is kept: the group days of the days the range holds most of, and the groups of
      // the other buckets with calls in range (October 31's one).
      const withoutPair = await reads();
      expect(withoutPair).toEqual({ costNanos: costOf(records.slice(0, 400), 'u1', 'f0'), groups: 1, pairDays: 0 });
      await store.keepPairRollups('default', [['feature', 'user']]);
      await store.ingest(records.slice(400));
      // The days compacted before are rewritten (newest first) by compaction, until every day holds the pair.
      await store.compact();
      // October 31 holds 1 bucket in range and 4 outside: that bucket's groups. November 30 holds 15 in
      // range and 9 outside: the day's pair document less those 9 buckets' groups.
      expect(await reads()).toEqual({ costNanos: costOf(records, 'u1', 'f0'), groups: 1 + 9, pairDays: 30 });
      // A pair asked by groupBy reads alike.
      const byUser = await store.aggregate({ ...query, filters: { feature: 'f1' }, groupBy: ['user'] });
      expect(Object.fromEntries(byUser.map((r) => [r.key.user, r.costNanos]))).toEqual(
        Object.fromEntries(['u0', 'u1', 'u2'].map((u) => [u, costOf(records, u, 'f1')])),
      );
      await store.close();
      await dropDatabase(dbName);
    });

    it('answers by one dimension from the month sums per value, less the days outside the range, exactly as the records sum', async () => {
      const dbName = fresh();
      const store = await open(dbName, undefined, MANUAL);
      // Calls every 7 hours from October 20 to November 30, 4 users.
      const records = Array.from({ length: 140 }, (_, i) =>
        record({ user: `u${i % 4}`, costNanos: BigInt(1_000_003 * (i + 1)), timeMs: Date.UTC(2026, 9, 20) + i * 7 * 3_600_000 }),
      );
      await store.ingest(records);
      await store.compact();
      // Whole months; November less its first day; most of November and a part of a day; mostly October days.
      const ranges = [
        [Date.UTC(2026, 10, 1), Date.UTC(2026, 11, 1)],
        [Date.UTC(2026, 10, 2), Date.UTC(2026, 11, 1)],
        [Date.UTC(2026, 9, 25, 5), Date.UTC(2026, 10, 27, 19)],
        [Date.UTC(2026, 9, 21), Date.UTC(2026, 10, 3)],
      ];
      for (const [fromMs, toMs] of ranges) {
        const inRange = records.filter((r) => r.timeMs >= fromMs && r.timeMs < toMs);
        const byUser = await store.aggregate({ ...ALL, fromMs, toMs, groupBy: ['user'] });
        expect(Object.fromEntries(byUser.map((r) => [r.key.user, r.costNanos]))).toEqual(
          Object.fromEntries(['u0', 'u1', 'u2', 'u3'].map((u) => [u, inRange.filter((r) => r.user === u).reduce((s, r) => s + r.costNanos!, 0n)])),
        );
        const [u2] = await store.aggregate({ ...ALL, fromMs, toMs, filters: { user: 'u2' }, groupBy: [] });
        expect(u2.calls).toBe(inRange.filter((r) => r.user === 'u2').length);
      }
      await store.close();
      await dropDatabase(dbName);
    });

    it('reads a store compacted before month values alike, to the nano, and gives its months their month values from the day values', async () => {
      const dbName = fresh();
      const store = await open(dbName, undefined, MANUAL);
      for (let b = 0; b < 6; b++)
        await store.ingest(
          Array.from({ length: 20 }, (_, i) =>
            record({ user: `u${i % 5}`, costNanos: BigInt(7 + b * 100 + i), timeMs: Date.UTC(2026, 9, 15) + (b * 20 + i) * 9 * 3_600_000 }),
          ),
        );
      await store.compact();
      const queries = [
        { ...ALL, groupBy: ['user' as const] },
        { ...ALL, fromMs: Date.UTC(2026, 10, 1), toMs: Date.UTC(2026, 11, 1), groupBy: ['model' as const] },
        { ...ALL, fromMs: Date.UTC(2026, 9, 20, 3), toMs: Date.UTC(2026, 11, 20), filters: { user: 'u3' }, groupBy: [] },
      ];
      const sorted = (rows: Awaited<ReturnType<MongoStore['aggregate']>>) => rows.sort((a, b) => (JSON.stringify(a.key) < JSON.stringify(b.key) ? -1 : 1));
      const answers = async (s: MongoStore) => Promise.all(queries.map(async (q) => sorted(await s.aggregate(q))));
      const expected = await answers(store);
      await store.close();
      // As a store compacted by a version without month values holds its months.
      const db = await rawDb(dbName);
      const monthValues = async () => {
        let count = 0;
        for (const month of ['2026_10', '2026_11', '2026_12'])
          count += await db.collection<{ _id: string }>(`rollup_values_${month}`).countDocuments({ _id: { $regex: ',"month"\\]$' } });
        return count;
      };
      const written = await monthValues();
      expect(written).toBeGreaterThan(0);
      for (const month of ['2026_10', '2026_11', '2026_12'])
        await db.collection<{ _id: string }>(`rollup_values_${month}`).deleteMany({ _id: { $regex: ',"month"\\]$' } });
      expect(await monthValues()).toBe(0);
      const upgraded = await open(dbName, undefined, MANUAL);
      expect(await answers(upgraded)).toEqual(expected);
      await upgraded.compact();
      expect(await monthValues()).toBe(written);
      const later = await open(dbName, undefined, MANUAL);
      expect(await answers(later)).toEqual(expected);
      await Promise.all([upgraded.close(), later.close()]);
      await db.client.close();
      await dropDatabase(dbName);
    });

    it('lists entities from memory until an instance writes or deletes one of their kind, and then reads them again', async () => {
      const dbName = fresh();
      const { store, commands } = await watched(dbName, MANUAL);
      const other = await open(dbName, undefined, MANUAL);
      const budget = (id: string, name: string) => ({ ...budgetFromBody({ name, period: 'month', limitUsd: '1' }, 0), id });
      const ids = async () => (await store.budgets.listAll()).map((e) => `${e.tenant}/${e.entity.id}`);
      await store.budgets.save('default', budget('b1', 'one'));
      expect(await ids()).toEqual(['default/b1']);
      commands.length = 0;
      expect(await ids()).toEqual(['default/b1']);
      expect(commands.filter((c) => c.command.find === 'budgets')).toEqual([]);
      await other.budgets.save('acme', budget('b2', 'two'));
      expect(await ids()).toEqual(['acme/b2', 'default/b1']);
      await other.budgets.save('acme', budget('b2', 'two, changed'));
      expect((await store.budgets.list('acme'))[0].name).toEqual('two, changed');
      await other.budgets.remove('default', 'b1');
      expect(await ids()).toEqual(['acme/b2']);
      await other.budgets.add('default', budget('b3', 'three'));
      expect(await ids()).toEqual(['acme/b2', 'default/b3']);
      await other.alertRules.save('default', { ...DEFAULT_RULES[0], id: 'r1', createdAtMs: 0, updatedAtMs: 0 });
      commands.length = 0;
      expect(await ids()).toEqual(['acme/b2', 'default/b3']);
      expect(commands.filter((c) => c.command.find === 'budgets')).toEqual([]);
      await other.close();
      await store.close();
      await dropDatabase(dbName);
    });

    it('asks the server to journal every write before acknowledging it', async () => {
      const dbName = fresh();
      const { store, commands } = await watched(dbName, MANUAL);
      const batch = [record(), record({ user: 'bob' })];
      await store.ingest(batch);
      await store.ingest([...batch, record()]);
      await store.compact();
      await store.budgets.save('acme', { ...budgetFromBody({ name: 'one', period: 'month', limitUsd: '1' }, 0), id: 'b1' });
      await store.openAlerts.claimRedelivery('acme', 'r1', 1);
      await store.budgets.remove('acme', 'b1');
      await store.createApiKey({ id: 'k1', hash: 'aa'.repeat(32), role: 'viewer', tenant: 'acme', name: null, createdAtMs: 1, revokedAtMs: null });
      await store.revokeApiKey('k1', null, 2);
      await store.purgeRecordsBefore(0);
      const writes = commands.filter((c) => ['insert', 'update', 'delete', 'findAndModify'].includes(c.name));
      expect(writes.length).toBeGreaterThan(10);
      for (const w of writes)
        expect({ write: w.name, writeConcern: w.command.writeConcern }).toEqual({ write: w.name, writeConcern: { w: 'majority', j: true } });
      await store.close();
      await dropDatabase(dbName);
    });

    it('finishes a batch whose records are all stored already without reading one: as many commands for 400 records as for 40', async () => {
      const finishing = async (size: number) => {
        const dbName = fresh();
        const { store: survivor, commands } = await watched(dbName, MANUAL);
        const batch = Array.from({ length: size }, (_, i) => record({ costNanos: BigInt(5000 + i), user: `u${i % 3}` }));
        const crashing = await open(dbName, { afterInsert: true }, MANUAL);
        await expect(crashing.ingest(batch)).rejects.toThrow('injected fault afterInsert');
        await crashing.close();
        commands.length = 0;
        await survivor.ingest(batch); // the sender's retry meets the records the crashed batch stored
        const onRecords = commands.filter((c) => c.command[c.name] === 'usage_records').map((c) => c.name);
        const byUser = await survivor.aggregate({ ...ALL, groupBy: ['user'] });
        for (const user of ['u0', 'u1', 'u2']) {
          const theirs = batch.filter((r) => r.user === user);
          expect(byUser.find((row) => row.key.user === user)).toMatchObject({ calls: theirs.length, costNanos: theirs.reduce((s, r) => s + r.costNanos!, 0n) });
        }
        await survivor.close();
        await dropDatabase(dbName);
        return onRecords;
      };
      const small = await finishing(40);
      expect(small.filter((name) => name !== 'insert')).toEqual([]);
      expect(await finishing(400)).toEqual(small);
    });

    it('finishes a batch left pending by the version before claims, whose records hold none, by reading their owners', async () => {
      const dbName = fresh();
      const batch = Array.from({ length: 30 }, (_, i) => record({ costNanos: BigInt(7000 + i) }));
      const earlier = await open(dbName, undefined, MANUAL);
      await earlier.ingest(batch.slice(0, 10)); // stored and counted by a batch of its own
      await earlier.close();
      const crashing = await open(dbName, { afterInsert: true }, MANUAL);
      await expect(crashing.ingest(batch)).rejects.toThrow('injected fault afterInsert');
      await crashing.close();
      const db = await rawDb(dbName);
      // As that version left them: no claim on the records, no mark on the batch.
      await db.collection('rollup_batches').updateMany({ state: 'pending' }, { $unset: { recordClaims: '' } });
      await db.collection('usage_records').updateMany({}, { $unset: { claim: '' } });
      const restarted = await open(dbName, undefined, MANUAL);
      expect((await restarted.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 30, costNanos: batch.reduce((s, r) => s + r.costNanos!, 0n) });
      await restarted.close();
      await db.client.close();
      await dropDatabase(dbName);
    });

    it('finishes, in an instance already running, a batch whose records were stored but not rolled up, and says so', async () => {
      const dbName = fresh();
      const survivor = await open(dbName, undefined, { everyMs: 0, staleAfterMs: 0 });
      const crashing = await open(dbName, { afterClaim: true }, MANUAL);
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      try {
        await expect(crashing.ingest([record({ costNanos: 7n }), record({ costNanos: 8n })])).rejects.toThrow('injected fault afterClaim');
        await crashing.close();
        expect(await survivor.aggregate({ ...ALL, groupBy: [] })).toEqual([]); // stored, not counted yet
        await survivor.compact();
        expect((await survivor.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 2, costNanos: 15n });
        expect(warn).toHaveBeenCalledWith(
          expect.stringMatching(/^batch \S+ of tenant default was stored \d+ s ago and its writer has not rolled it up .*: finishing it$/),
        );
      } finally {
        warn.mockRestore();
        await survivor.close();
        await dropDatabase(dbName);
      }
    });

    it("refuses the calls a tenant's day cannot hold, naming them, and stores the rest", async () => {
      const dbName = fresh();
      const store = await open(dbName, undefined, MANUAL);
      const big = 5_000_000_000_000_000_000n;
      const [first, over, nextDay] = [record({ costNanos: big }), record({ costNanos: big }), record({ costNanos: 1n, timeMs: Date.UTC(2026, 10, 25, 12) })];
      const outcome = await store.ingest([first, over, nextDay]);
      expect(outcome.stored.map((r) => r.id)).toEqual([first.id, nextDay.id]);
      expect(outcome.refused).toEqual([
        {
          id: over.id,
          reason: expect.stringMatching(/^the call is not stored: with it, tenant "default" on 2026-11-24 \(UTC\) would exceed what the store can hold/),
        },
      ]);
      expect((await store.listRecords({ ...ALL, limit: 10 })).records).toHaveLength(2);
      await store.compact();
      expect((await store.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 2, costNanos: big + 1n });
      await store.close();
      await dropDatabase(dbName);
    });

    it('never wraps a sum past int64: a batch that would take one past it is set aside, counted nowhere, and logged', async () => {
      const dbName = fresh();
      // Two instances each admit what the day holds by their own count: together they pass it.
      const [one, two] = [await open(dbName, undefined, MANUAL), await open(dbName, undefined, MANUAL)];
      const big = 5_000_000_000_000_000_000n;
      await two.ingest([record({ costNanos: 1n })]); // `two` counts the day from here
      await one.ingest([record({ costNanos: big })]);
      await two.ingest([record({ costNanos: big })]);
      expect((await one.aggregate({ ...ALL, groupBy: [] }))[0]).toMatchObject({ calls: 3, costNanos: 2n * big + 1n }); // exact, before compaction
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        await one.compact();
        expect(error).toHaveBeenCalledWith(
          expect.stringMatching(
            /^batch \S+ of tenant default is set aside: .*a cost of 10000000000000000001 nano-USD is more than the store can hold.* totals, budgets and alerts leave them out/,
          ),
        );
      } finally {
        error.mockRestore();
      }
      expect((await one.aggregate({ ...ALL, groupBy: ['user'] }))[0]).toMatchObject({ calls: 2, costNanos: big + 1n });
      const db = await rawDb(dbName);
      expect(await db.collection('rollup_set_aside').countDocuments()).toBe(1);
      await Promise.all([one.close(), two.close(), db.client.close()]);
      await dropDatabase(dbName);
    });

    it('answers breakdowns of days rolled before value rows existed from the records and tag sets, and the other days from value documents, exactly', async () => {
      const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
      let store = await open(dbName, undefined, MANUAL);
      const before = made(300, MARCH, 3);
      await ingest(store, before);
      const db = await rawDb(dbName);
      // The batches as the version before value rows rolled them up.
      await db.collection('rollup_batches').updateMany({}, { $unset: { values: '' } });
      // Read by this version after a restart, as a store upgraded in place is (a process keeps the batches it rolled up as it wrote them).
      await store.close();
      store = await open(dbName, undefined, MANUAL);
      const all = [...before];
      const expectBreakdowns = async (uncovered: { fromMs: number; toMs: number }[]) => {
        const answer = await store.valueSums({ tenant: 'default', fromMs: MARCH, toMs: MARCH + 6 * DAY, by: 'conversation', maxValues: 1000 });
        expect(answer.uncovered).toEqual(uncovered);
        await expectBreakdownsExact(store, all, [
          [MARCH, MARCH + 6 * DAY],
          [MARCH + DAY + 6 * 3_600_000, MARCH + 4 * DAY + 3 * 3_600_000],
        ]);
      };
      const old = [{ fromMs: MARCH, toMs: MARCH + 3 * DAY }];
      await expectBreakdowns(old);
      await store.compact();
      await expectBreakdowns(old);
      // Later days, and calls arriving late for the days rolled before: pending, then compacted.
      const after = [...made(200, MARCH + 3 * DAY, 3), ...made(60, MARCH + DAY, 1)];
      await ingest(store, after);
      all.push(...after);
      await expectBreakdowns(old);
      await store.compact();
      await expectBreakdowns(old);
      await Promise.all([store.close(), db.client.close()]);
      await dropDatabase(dbName);
    });
  });

  describe('mongo: filtered breakdowns by conversation', () => {
    const RANGE = { tenant: 'default', fromMs: MARCH, toMs: MARCH + 6 * DAY, maxValues: 1000 };
    /** Calls of two models and three users, with and without a conversation. */
    const mixed = (n: number, startMs: number, days: number) =>
      made(n, startMs, days).map((r, i) => ({ ...r, model: i % 2 === 0 ? 'o3' : 'gpt-4o', user: ['ann', 'ben', null][i % 3] }));
    const FILTERS = [{ model: 'o3' }, { user: 'ann', model: 'gpt-4o' }];
    /** Every filtered breakdown by conversation over whole and partial days equals the records' sums, to the nano. */
    const expectExact = async (store: MongoStore, all: UsageRecord[]) => {
      for (const filters of FILTERS)
        for (const [fromMs, toMs] of [
          [MARCH, MARCH + 6 * DAY],
          [MARCH + DAY + 6 * 3_600_000, MARCH + 4 * DAY + 3 * 3_600_000],
        ]) {
          const groups = await breakdownGroups(
            { storage: store, tenant: 'default', range: { fromMs, toMs, tz: 'UTC' }, filters, maxValues: 1000 },
            'conversation',
          );
          const expected = new Map<string | null, bigint>();
          const kept = all.filter(
            (r) => r.timeMs >= fromMs && r.timeMs < toMs && r.model === filters.model && (filters.user === undefined || r.user === filters.user),
          );
          for (const r of kept) expected.set(r.conversation, (expected.get(r.conversation) ?? 0n) + r.costNanos!);
          expect({ filters, fromMs, groups: new Map(groups.map((g) => [g.key, g.totals.costNanos])) }).toEqual({ filters, fromMs, groups: expected });
        }
    };
    const uncovered = async (store: MongoStore) => (await store.valueSums({ ...RANGE, by: 'conversation', filters: { model: 'o3' } })).uncovered;

    it('answers from the conversations per group, pending and compacted, without the raw records', async () => {
      const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
      const store = await open(dbName, undefined, MANUAL);
      const all = mixed(300, MARCH, 3);
      await ingest(store, all);
      expect(await uncovered(store)).toEqual([]);
      await expectExact(store, all);
      await store.compact();
      expect(await uncovered(store)).toEqual([]);
      const db = await rawDb(dbName);
      // Nothing is read from the raw records: with them gone, the answers stay the same.
      await db.collection('usage_records').deleteMany({});
      await expectExact(store, all);
      await Promise.all([store.close(), db.client.close()]);
      await dropDatabase(dbName);
    });

    it('answers the days whose value rows were written before the conversations per group from the records, the others from the documents, exactly', async () => {
      const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
      let store = await open(dbName, undefined, MANUAL);
      const all = mixed(300, MARCH, 3);
      await ingest(store, all);
      const db = await rawDb(dbName);
      // The batches as the version before the conversations per group rolled them up.
      for (const batch of await db.collection('rollup_batches').find({}).toArray()) {
        const values = unpackValues(batch.values as Binary).filter((row) => row.key[1] !== CONVERSATION_GROUP);
        await db.collection('rollup_batches').updateOne({ _id: batch._id }, { $set: { values: packValues(values) } });
      }
      await store.close();
      store = await open(dbName, undefined, MANUAL);
      const old = [{ fromMs: MARCH, toMs: MARCH + 3 * DAY }];
      expect(await uncovered(store)).toEqual(old);
      await expectExact(store, all);
      await store.compact();
      expect(await uncovered(store)).toEqual(old);
      expect((await store.valueSums({ ...RANGE, by: 'conversation' })).uncovered).toEqual([]);
      await expectExact(store, all);
      // Later days, and calls arriving late for the days rolled before: pending, then compacted.
      const after = [...mixed(200, MARCH + 3 * DAY, 3), ...mixed(60, MARCH + DAY, 1)];
      await ingest(store, after);
      all.push(...after);
      expect(await uncovered(store)).toEqual(old);
      await expectExact(store, all);
      await store.compact();
      expect(await uncovered(store)).toEqual(old);
      await expectExact(store, all);
      await Promise.all([store.close(), db.client.close()]);
      await dropDatabase(dbName);
    });
  });

  describe('mongo: value rows for the days compacted before they existed', () => {
    const ALL_DAYS = { tenant: 'default', fromMs: MARCH, toMs: MARCH + 6 * DAY, maxValues: 1000 };
    /** Three days of March stored and compacted as the version before value rows did: their days hold none. */
    const oldStore = async () => {
      const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
      let store = await open(dbName, undefined, MANUAL);
      const all = made(300, MARCH, 3);
      await ingest(store, all);
      const db = await rawDb(dbName);
      await db.collection('rollup_batches').updateMany({}, { $unset: { values: '' } });
      // Compacted by this version after a restart, as a store upgraded in place is (a process keeps the batches it rolled up as it wrote them).
      await store.close();
      store = await open(dbName, undefined, MANUAL);
      await store.compact();
      expect((await store.valueSums({ ...ALL_DAYS, by: 'conversation' })).uncovered).toEqual([{ fromMs: MARCH, toMs: MARCH + 3 * DAY }]);
      return { dbName, store, db, all };
    };
    /** Every breakdown by conversation and by tag key over whole and partial days equals the records' sums, to the nano. */
    const expectExact = (store: MongoStore, all: UsageRecord[]) =>
      expectBreakdownsExact(store, all, [
        [MARCH, MARCH + 6 * DAY],
        [MARCH + DAY + 6 * 3_600_000, MARCH + 2 * DAY + 3 * 3_600_000],
      ]);
    const latestHead = async (db: Awaited<ReturnType<typeof rawDb>>) =>
      Math.max(...(await db.collection('rollup_heads').find({ kind: 'head', tenant: 'default' }).toArray()).map((h) => h.k as number));

    it('gives those days value rows summed from their records, once a late batch touching one is compacted, and never again', async () => {
      const { dbName, store, db, all } = await oldStore();
      const late = made(40, MARCH + DAY, 1);
      await ingest(store, late); // pending: the second day waits for it
      all.push(...late);
      await store.backfillValueDays();
      expect((await store.valueSums({ ...ALL_DAYS, by: 'conversation' })).uncovered).toEqual([{ fromMs: MARCH + DAY, toMs: MARCH + 3 * DAY }]);
      await expectExact(store, all);
      await store.compact();
      await store.backfillValueDays();
      for (const by of ['conversation', 'tag:team']) expect((await store.valueSums({ ...ALL_DAYS, by })).uncovered).toEqual([]);
      await expectExact(store, all);
      const head = await latestHead(db);
      const restarted = await open(dbName, undefined, MANUAL);
      await restarted.backfillValueDays();
      expect(await latestHead(db)).toBe(head);
      await expectExact(restarted, all);
      await Promise.all([store.close(), restarted.close(), db.client.close()]);
      await dropDatabase(dbName);
    });

    it.each<keyof MongoFaults>(['afterJournal', 'beforeHead', 'afterHead', 'afterDelete', 'afterReplaced'])(
      'ends exact when the run giving a day its value rows stops at %s and another instance runs again',
      async (point) => {
        const { dbName, store, db, all } = await oldStore();
        const crashing = await open(dbName, { [point]: true }, MANUAL);
        await expect(crashing.backfillValueDays()).rejects.toThrow(`injected fault ${point}`);
        await crashing.close();
        await store.backfillValueDays();
        expect((await store.valueSums({ ...ALL_DAYS, by: 'conversation' })).uncovered).toEqual([]);
        await expectExact(store, all);
        await Promise.all([store.close(), db.client.close()]);
        await dropDatabase(dbName);
      },
    );

    it('leaves a day whose records no longer add up to its rollups to the tag sets, and fills the others', async () => {
      const { dbName, store, db, all } = await oldStore();
      // Records of the first day deleted behind the rollups' back, as retention deletes them.
      await db.collection('usage_records').deleteMany({ timeMs: { $lt: MARCH + 3_600_000 } });
      await store.backfillValueDays();
      expect((await store.valueSums({ ...ALL_DAYS, by: 'tag:team' })).uncovered).toEqual([{ fromMs: MARCH, toMs: MARCH + DAY }]);
      const groups = await breakdownGroups(
        { storage: store, tenant: 'default', range: { fromMs: MARCH, toMs: MARCH + 3 * DAY, tz: 'UTC' }, filters: {}, maxValues: 1000 },
        'tag:team',
      );
      const expected = new Map<string | null, bigint>();
      for (const r of all) expected.set(r.tags.team ?? null, (expected.get(r.tags.team ?? null) ?? 0n) + r.costNanos!);
      expect(new Map(groups.map((g) => [g.key, g.totals.costNanos]))).toEqual(expected);
      await Promise.all([store.close(), db.client.close()]);
      await dropDatabase(dbName);
    });
  });

  describe('mongo: pending batches read from memory', () => {
    const ALL = { tenant: 'default', fromMs: 0, toMs: Date.UTC(2100, 0, 1), filters: {}, groupBy: [] };
    /** The reads of rolled batches' groups and value rows since `since`: what a read fetches and decodes. */
    const groupFetches = (find: jest.SpyInstance, since: number) =>
      find.mock.calls.slice(since).filter(([, options]) => (options as { projection?: Record<string, unknown> } | undefined)?.projection?.groups === 1).length;

    it('answers from the groups of the batches it rolled up itself, and fetches those another instance rolled up once', async () => {
      const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
      const find = jest.spyOn(Collection.prototype, 'find');
      const writer = await open(dbName, undefined, { everyMs: 0 });
      const reader = await open(dbName, undefined, { everyMs: 0 });
      try {
        const first = Array.from({ length: 30 }, (_, i) => record({ costNanos: BigInt(1000 + i) }));
        const second = Array.from({ length: 20 }, (_, i) => record({ costNanos: BigInt(5000 + i) }));
        await writer.ingest(first);
        await writer.ingest(second);
        const cost = [...first, ...second].reduce((s, r) => s + r.costNanos!, 0n);
        let since = find.mock.calls.length;
        for (let i = 0; i < 3; i++) expect((await writer.aggregate(ALL))[0]).toMatchObject({ calls: 50, costNanos: cost });
        expect(groupFetches(find, since)).toBe(0);
        since = find.mock.calls.length;
        for (let i = 0; i < 3; i++) expect((await reader.aggregate(ALL))[0]).toMatchObject({ calls: 50, costNanos: cost });
        expect(groupFetches(find, since)).toBe(1);
        // Compacted: the batches leave the pending list, and both instances count each record once.
        await writer.compact();
        await writer.ingest(first.slice(0, 5));
        for (const store of [writer, reader]) expect((await store.aggregate(ALL))[0]).toMatchObject({ calls: 50, costNanos: cost });
      } finally {
        find.mockRestore();
        await Promise.all([writer.close(), reader.close()]);
        await dropDatabase(dbName);
      }
    });
  });

  /** A driver connection of the test's own, to write documents as a writer that crashed left them. */
  describe('mongo: which batch stored a record, asked by inserts', () => {
    it('gives every asker the same answer, asking at once or after others, also after askers that died part way', async () => {
      const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
      const db = await rawDb(dbName);
      const records = db.collection<RecordDoc>('usage_records');
      await records.createIndex({ claim: 1 }, { unique: true, sparse: true });
      const all = Array.from({ length: 40 }, () => record());
      await records.insertMany(all.map((r, i) => toRecordDoc(r, i % 2 ? 'batch-b' : 'batch-c')));
      const ids = all.map((r) => r.id);
      const sorted = (answer: Set<string>) => [...answer].sort();
      const mine = ids.filter((_, i) => i % 2).sort();
      const links = db.collection<ClaimLinkDoc>('usage_records');
      // An asker that dies after its n-th insert: its rungs stay, it answers nothing.
      for (const dyingAfter of [1, 2, 3]) {
        let inserts = 0;
        const dying = new Proxy(links, {
          get: (target, key) =>
            key === 'insertMany'
              ? async (...args: Parameters<typeof links.insertMany>) => {
                  const inserting = target.insertMany(...args);
                  if (++inserts < dyingAfter) return inserting;
                  await inserting.catch(() => undefined);
                  throw new Error('died');
                }
              : (Reflect.get(target, key) as unknown),
        });
        await storedBy(dying, 'batch-b', ids).catch(() => undefined);
      }
      expect(sorted(await storedBy(links, 'batch-b', ids.slice(0, 6)))).toEqual(mine.filter((id) => ids.slice(0, 6).includes(id)));
      for (const answer of await Promise.all(Array.from({ length: 6 }, () => storedBy(links, 'batch-b', ids)))) expect(sorted(answer)).toEqual(mine);
      for (let i = 0; i < 3; i++) expect(sorted(await storedBy(links, 'batch-b', ids))).toEqual(mine);
      expect(sorted(await storedBy(links, 'batch-c', ids))).toEqual(ids.filter((id) => !mine.includes(id)).sort());
      expect(await records.countDocuments({ tenant: { $exists: true } })).toBe(40);
      await db.dropDatabase();
      await db.client.close();
    });
  });

  const rawDb = async (dbName: string) => {
    const client = await new MongoClient(uri, { useBigInt64: true }).connect();
    return Object.assign(client.db(dbName), { client });
  };
}
