import { randomUUID } from 'node:crypto';
import { type Binary, MongoClient } from 'mongodb';
import { unpackGroups } from '../../src/storage/mongo/batches';
import { MongoStore } from '../../src/storage/mongo/mongo.store';
import { type MongoPreparedBatch, prepareMongoBatch } from '../../src/storage/mongo/prepared-batch';
import { recordClaim } from '../../src/storage/mongo/record-claims';
import { unpackValues } from '../../src/storage/mongo/value-rows';
import type { UsageRecord } from '../../src/usage/usage-record';
import { MongoWireRecorder } from '../support/mongo-wire';
import { record } from '../support/records';

/** Runs against the MongoDB-wire server in MONGODB_URI, as the mongo contract suite does. */
const uri = process.env.MONGODB_URI;
const ALL = { fromMs: 0, toMs: Date.UTC(2100, 0, 1), filters: {} };
const HOUR = 3_600_000;

/** Records of two tenants, interleaved, over a few buckets, with conversations and tags. */
const batch = (n: number): UsageRecord[] =>
  Array.from({ length: n }, (_, i) =>
    record({
      tenant: i % 3 === 0 ? 'other' : 'default',
      timeMs: Date.UTC(2026, 10, 24) + (i % 4) * HOUR,
      user: `u${i % 5}`,
      conversation: i % 2 ? `chat-${i % 7}` : null,
      tags: i % 4 ? { team: `t${i % 3}` } : {},
      costNanos: BigInt(1_000_003 * (i + 1)),
    }),
  );

(uri ? describe : describe.skip)('mongo: batches an ingest thread prepared', () => {
  const dbNames: string[] = [];
  const stores: MongoStore[] = [];
  const open = async () => {
    const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
    dbNames.push(dbName);
    const store = new MongoStore(uri!, { dbName, compaction: { everyMs: 0 } });
    await store.init();
    stores.push(store);
    return { store, dbName };
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    const client = await MongoClient.connect(uri!);
    try {
      for (const dbName of dbNames.splice(0)) await client.db(dbName).dropDatabase();
    } finally {
      await client.close();
    }
  });

  /** What the store wrote: its record documents and its batches' records, groups and value rows, each without the batch ids. */
  const written = async (dbName: string) => {
    const client = await MongoClient.connect(uri!);
    try {
      const db = client.db(dbName);
      const records = await db
        .collection('usage_records')
        .find({}, { projection: { batch: 0, claim: 0 } })
        .sort({ _id: 1 })
        .toArray();
      const batches = await db.collection('rollup_batches').find({}).toArray();
      const rolled = batches
        .map((b) => ({
          tenant: b.tenant as string,
          state: b.state as string,
          groups: unpackGroups(b.groups as Binary),
          values: unpackValues(b.values as Binary),
        }))
        .sort((a, b) => a.tenant.localeCompare(b.tenant));
      return { records, rolled };
    } finally {
      await client.close();
    }
  };

  it('writes a prepared batch exactly as the records themselves: the same documents, groups and value rows', async () => {
    const records = batch(40);
    const prepared = await open();
    const plain = await open();
    expect(await prepared.store.ingest(records, prepareMongoBatch(records))).toMatchObject({ duplicates: 0, stored: records });
    expect(await plain.store.ingest(records)).toMatchObject({ duplicates: 0, stored: records });
    const [a, b] = [await written(prepared.dbName), await written(plain.dbName)];
    expect(a.records).toHaveLength(40);
    expect(a.rolled.map((r) => r.tenant)).toEqual(['default', 'other']);
    expect(a).toEqual(b);
    for (const tenant of ['default', 'other'])
      expect(await prepared.store.aggregate({ ...ALL, tenant, groupBy: ['user'] })).toEqual(await plain.store.aggregate({ ...ALL, tenant, groupBy: ['user'] }));
  });

  it('stores the records a thread encoded under the batch that inserted them, each with its claim', async () => {
    const records = batch(30);
    const { store, dbName } = await open();
    await store.ingest(records, prepareMongoBatch(records));
    const client = await MongoClient.connect(uri!);
    try {
      const db = client.db(dbName);
      const batches = new Map((await db.collection('rollup_batches').find({}).toArray()).map((b) => [b.tenant as string, String(b._id)]));
      const docs = await db.collection<{ _id: string; batch: string; claim: string; tenant: string }>('usage_records').find({}).toArray();
      expect(docs).toHaveLength(30);
      for (const doc of docs)
        expect({ batch: doc.batch, claim: doc.claim }).toEqual({ batch: batches.get(doc.tenant), claim: recordClaim(batches.get(doc.tenant)!, doc._id) });
    } finally {
      await client.close();
    }
  });

  it('asks the server to journal every write of a prepared batch, the records the inserter thread sends over its own connection too', async () => {
    const { recorder, uri: through } = await MongoWireRecorder.start(uri!);
    const dbName = `tokenledger_test_${randomUUID().slice(0, 8)}`;
    dbNames.push(dbName);
    const store = new MongoStore(through, { dbName, compaction: { everyMs: 0 } });
    try {
      await store.init();
      const records = batch(30);
      await store.ingest(records, prepareMongoBatch(records));
      await store.compact();
    } finally {
      await store.close();
      await recorder.close();
    }
    const writes = recorder.commands.filter((c) => ['insert', 'update', 'delete', 'findAndModify'].includes(c.name) && c.body.$db === dbName);
    const onRecords = writes.filter((w) => w.body[w.name] === 'usage_records');
    const thread = new Set(onRecords.map((w) => w.connection));
    // The records went over connections of the thread's own: no other write of the store used them.
    expect(onRecords.length).toBeGreaterThan(0);
    expect(writes.filter((w) => w.body[w.name] !== 'usage_records' && thread.has(w.connection))).toEqual([]);
    expect(writes.length).toBeGreaterThan(onRecords.length);
    for (const w of writes)
      expect({ write: w.name, collection: w.body[w.name], writeConcern: w.body.writeConcern }).toEqual({
        write: w.name,
        collection: w.body[w.name],
        writeConcern: { w: 'majority', j: true },
      });
  });

  it('keeps the prepared records in the pending batch, so a process that finishes it after a crash counts them all', async () => {
    const records = batch(12);
    const { dbName } = await open();
    const crashing = new MongoStore(uri!, { dbName, faults: { afterOpen: true }, compaction: { everyMs: 0 } });
    await crashing.init();
    stores.push(crashing);
    await expect(crashing.ingest(records, prepareMongoBatch(records))).rejects.toThrow('injected fault afterOpen');
    // A start-up finishes the batches a crash left, from their documents.
    const restarted = new MongoStore(uri!, { dbName, compaction: { everyMs: 0 } });
    await restarted.init();
    stores.push(restarted);
    for (const tenant of ['default', 'other']) {
      const expected = records.filter((r) => r.tenant === tenant);
      const [total] = await restarted.aggregate({ ...ALL, tenant, groupBy: [] });
      expect(total).toMatchObject({ calls: expected.length, costNanos: expected.reduce((sum, r) => sum + r.costNanos!, 0n) });
      expect(await restarted.getRecord(tenant, expected[3].id)).toEqual(expected[3]);
    }
  });

  it('rolls up a batch partly stored before from the records it stored now, not from what was prepared for all of them', async () => {
    const records = batch(40);
    const { store } = await open();
    await store.ingest(records.slice(0, 10));
    const outcome = await store.ingest(records, prepareMongoBatch(records));
    expect(outcome.duplicates).toBe(10);
    expect(outcome.stored.map((r) => r.id)).toEqual(records.slice(10).map((r) => r.id));
    for (const tenant of ['default', 'other']) {
      const expected = records.filter((r) => r.tenant === tenant).reduce((sum, r) => sum + r.costNanos!, 0n);
      expect((await store.aggregate({ ...ALL, tenant, groupBy: [] }))[0]).toMatchObject({ costNanos: expected });
      await store.compact();
      expect((await store.aggregate({ ...ALL, tenant, groupBy: [] }))[0]).toMatchObject({ costNanos: expected });
    }
  });

  it('ignores what was prepared for other records than those it is handed', async () => {
    const records = batch(20);
    const { store } = await open();
    // Prepared for all twenty, handed ten of them (as when the day's capacity refuses the others).
    await store.ingest(records.slice(0, 10), prepareMongoBatch(records));
    for (const tenant of ['default', 'other']) {
      const expected = records.slice(0, 10).filter((r) => r.tenant === tenant);
      const [total] = await store.aggregate({ ...ALL, tenant, groupBy: [] });
      expect(total).toMatchObject({ calls: expected.length, costNanos: expected.reduce((sum, r) => sum + r.costNanos!, 0n) });
    }
  });
  describe('sent without its records, as an ingest thread sends it', () => {
    /** What a thread sends: the batch alone, across a structured clone, its byte arrays moved. */
    const sent = (records: UsageRecord[]): MongoPreparedBatch => structuredClone(prepareMongoBatch(records));
    const byId = (records: readonly UsageRecord[]) => [...records].sort((a, b) => a.id.localeCompare(b.id));

    it('stores it exactly as the records themselves: the same documents, groups, value rows and outcome', async () => {
      const records = batch(40);
      const prepared = await open();
      const plain = await open();
      const outcome = await prepared.store.ingest([], sent(records));
      expect({ duplicates: outcome.duplicates, stored: byId(outcome.stored) }).toEqual({ duplicates: 0, stored: byId(records) });
      await plain.store.ingest(records);
      expect(await written(prepared.dbName)).toEqual(await written(plain.dbName));
      for (const tenant of ['default', 'other']) {
        const query = { ...ALL, tenant, groupBy: ['user' as const] };
        expect(await prepared.store.aggregate(query)).toEqual(await plain.store.aggregate(query));
        await prepared.store.compact();
        expect(await prepared.store.aggregate(query)).toEqual(await plain.store.aggregate(query));
      }
    });

    it('counts a record sent twice in one batch once, and the repeat as a duplicate, as the records given do', async () => {
      const records = batch(12);
      const { store } = await open();
      const outcome = await store.ingest([], sent([...records, records[4]]));
      expect(outcome.duplicates).toBe(1);
      expect(byId(outcome.stored)).toEqual(byId(records));
      const [total] = await store.aggregate({ ...ALL, tenant: 'default', groupBy: [] });
      expect(total).toMatchObject({ calls: records.filter((r) => r.tenant === 'default').length });
    });

    it('rolls up a batch partly stored before from the records it stored now, and answers with those', async () => {
      const records = batch(40);
      const { store } = await open();
      await store.ingest(records.slice(0, 10));
      const outcome = await store.ingest([], sent(records));
      expect(outcome.duplicates).toBe(10);
      expect(byId(outcome.stored)).toEqual(byId(records.slice(10)));
      for (const tenant of ['default', 'other']) {
        const expected = records.filter((r) => r.tenant === tenant).reduce((sum, r) => sum + r.costNanos!, 0n);
        expect((await store.aggregate({ ...ALL, tenant, groupBy: [] }))[0]).toMatchObject({
          calls: records.filter((r) => r.tenant === tenant).length,
          costNanos: expected,
        });
        await store.compact();
        expect((await store.aggregate({ ...ALL, tenant, groupBy: [] }))[0]).toMatchObject({ costNanos: expected });
      }
    });

    it("refuses the calls a tenant's day cannot hold, naming them, stores the rest, and keeps the room of those stored", async () => {
      const { store } = await open();
      const big = 5_000_000_000_000_000_000n;
      const day = Date.UTC(2026, 10, 24, 12);
      await store.ingest([record({ costNanos: big, timeMs: day })]);
      const [over, nextDay] = [record({ costNanos: big, timeMs: day + 1 }), record({ costNanos: 3n, timeMs: day + 86_400_000 })];
      const outcome = await store.ingest([], sent([over, nextDay]));
      expect(outcome.stored.map((r) => r.id)).toEqual([nextDay.id]);
      expect(outcome.refused).toEqual([
        { id: over.id, reason: expect.stringMatching(/^the call is not stored: with it, tenant "default" on 2026-11-24 \(UTC\)/) },
      ]);
      // The next day keeps what it holds: a second call as big as the room left is refused there too.
      const again = record({ costNanos: 9_223_372_036_854_775_807n - 2n, timeMs: day + 86_400_000 + 1 });
      expect((await store.ingest([], sent([again]))).refused).toEqual([{ id: again.id, reason: expect.stringMatching(/2026-11-25/) }]);
      await store.compact();
      expect((await store.aggregate({ ...ALL, tenant: 'default', groupBy: [] }))[0]).toMatchObject({ calls: 2, costNanos: big + 3n });
    });
  });
});
