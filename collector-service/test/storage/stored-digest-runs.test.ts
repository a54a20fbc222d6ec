import type { Digest } from '../../src/channels/digest-message';
import { type DigestRun, digestRunId } from '../../src/storage/repositories/digest-runs.repository';
import { channelOutcome } from '../support/outcomes';
import { oldDocument as doc, oldMongoStore, type OldStore, oldSqliteStore, oldStoreKinds } from '../support/old-stores';

const NOW = Date.UTC(2026, 10, 30, 8);
const DAY = 86_400_000;

function run(subscriptionId: string, periodStartMs: number, totals: { total: string; previous: string; change: string }): DigestRun {
  const id = digestRunId(subscriptionId, periodStartMs);
  const digest = {
    id,
    subscriptionId,
    name: 'morning spend',
    totalCostNanos: totals.total,
    totalCostUsd: 'x',
    calls: 3,
    previous: { periodStart: 'p', periodEnd: 'q', totalCostNanos: totals.previous, totalCostUsd: 'y', calls: 1 },
    changeNanos: totals.change,
    changePercent: null,
  } as unknown as Digest;
  return { id, subscriptionId, periodStartMs, periodEndMs: periodStartMs + DAY, claimedAtMs: periodStartMs + DAY, channels: ['ch_1'], digest };
}

/** The digest runs as the versions before kept them: documents, their totals decimal strings. */
const RUNS = [
  { tenant: 'acme', run: run('dg_1', NOW - DAY, { total: '3500000021', previous: '4000000000', change: '-499999979' }) },
  { tenant: 'acme', run: run('dg_1', NOW, { total: '99999999999999999999', previous: '3500000021', change: '99999999996499999978' }) },
  { tenant: 'acme', run: run('dg_10', NOW, { total: '0', previous: '0', change: '0' }) },
  { tenant: 'globex', run: run('dg_1', NOW, { total: '7', previous: '5', change: '2' }) },
];
const [FIRST, PAST_64, OTHER_SUBSCRIPTION, OTHER_TENANT] = RUNS.map((r) => r.run);

const outcome = (channelId: string, ok: boolean) => channelOutcome(channelId, ok, NOW);

/** Documents of those kinds that hold none (a run without its subscription, a delivery without its run): left where they are. */
const NOT_RUNS = [doc('digest-run', 'acme', 'dg_9.1', { periodStartMs: 1 }), doc('digest-delivery', 'acme', 'dg_9.1.ch_1', { channelId: 'ch_1' })];
const OLD_DOCUMENTS = [
  ...RUNS.map(({ tenant, run }) => doc('digest-run', tenant, run.id, run)),
  doc('digest-sent', 'acme', FIRST.id, { atMs: NOW - DAY + 5 }),
  doc('digest-sent', 'globex', OTHER_TENANT.id, { atMs: NOW + 5 }),
  doc('digest-redelivery', 'acme', PAST_64.id, { atMs: NOW + 7 }),
  doc('digest-delivery', 'acme', `${FIRST.id}.ch_1`, { runId: FIRST.id, ...outcome('ch_1', true) }),
  doc('digest-delivery', 'acme', `${FIRST.id}.ch_2`, { runId: FIRST.id, ...outcome('ch_2', false) }),
  doc('digest-delivery', 'acme', `${OTHER_SUBSCRIPTION.id}.ch_1`, { runId: OTHER_SUBSCRIPTION.id, ...outcome('ch_1', true) }),
  ...NOT_RUNS,
];
const OLD_KINDS = ['digest-run', 'digest-sent', 'digest-redelivery', 'digest-delivery'];

interface StoreKind extends OldStore {
  /** How the store holds each run's totals ("<type>:<value>" each) and which of them are in its JSON, by tenant/id. */
  storedTotals(): Promise<Record<string, { totals: string[]; inJson: string[] }>>;
}

/** The totals a run's stored JSON holds. */
function totalsIn(body: string): string[] {
  const { digest } = JSON.parse(body) as { digest: Record<string, unknown> & { previous: Record<string, unknown> } };
  return [
    ...('totalCostNanos' in digest ? ['total'] : []),
    ...('totalCostNanos' in digest.previous ? ['previous'] : []),
    ...('changeNanos' in digest ? ['change'] : []),
  ];
}

function sqlite(): StoreKind {
  // The file as schema 22 left it: the digest runs, their marks and deliveries among the documents.
  const store = oldSqliteStore(OLD_DOCUMENTS, { tables: ['digest_runs', 'digest_sent', 'digest_redeliveries', 'digest_deliveries'], schema: 22 });
  return {
    ...store,
    storedTotals() {
      const rows = store.query<{ address: string; t: string; total: unknown; p: string; previous: unknown; c: string; change: unknown; body: string }>(
        `SELECT tenant || '/' || id AS address, typeof(total_nanos) AS t, total_nanos AS total, typeof(previous_nanos) AS p, previous_nanos AS previous,
           typeof(change_nanos) AS c, change_nanos AS change, body FROM digest_runs`,
      );
      return Promise.resolve(
        Object.fromEntries(
          rows.map((r) => [
            r.address,
            { totals: [`${r.t}:${String(r.total)}`, `${r.p}:${String(r.previous)}`, `${r.c}:${String(r.change)}`], inJson: totalsIn(r.body) },
          ]),
        ),
      );
    },
  };
}

function mongo(uri: string): StoreKind {
  const store = oldMongoStore(uri, OLD_DOCUMENTS);
  const typed = (v: unknown) => `${v === null ? 'null' : typeof v}:${String(v)}`;
  return {
    ...store,
    storedTotals: () =>
      store.withDb(async (db) => {
        const docs = await db
          .collection<{ _id: string; tenant: string; totalNanos: unknown; previousNanos: unknown; changeNanos: unknown; body: string }>('digest_runs')
          .find()
          .toArray();
        return Object.fromEntries(
          docs.map((d) => [
            `${d.tenant}/${(JSON.parse(d._id) as string[])[1]}`,
            { totals: [typed(d.totalNanos), typed(d.previousNanos), typed(d.changeNanos)], inJson: totalsIn(d.body) },
          ]),
        );
      }),
  };
}

const kinds = oldStoreKinds('stored digest runs', sqlite, mongo);

jest.setTimeout(60_000);

describe.each(kinds)('digest runs stored on %s', (name, make) => {
  let kind: StoreKind;
  beforeEach(() => (kind = make()));
  afterEach(() => kind.drop());

  const integer = name === 'sqlite' ? 'integer' : 'bigint';

  it('opens a store whose digest runs are documents: the same runs, sent marks, claims and deliveries, the totals integers of nanos, the documents gone', async () => {
    await kind.oldStore();
    const store = await kind.open();
    expect(await store.digestRuns.ofSubscription('acme', 'dg_1')).toEqual([FIRST, PAST_64]);
    expect(await store.digestRuns.ofSubscription('acme', 'dg_10')).toEqual([OTHER_SUBSCRIPTION]);
    expect(await store.digestRuns.get('globex', OTHER_TENANT.id)).toEqual(OTHER_TENANT);
    // A run claimed before stays claimed, as do its mark and its redelivery.
    expect(await store.digestRuns.claim('acme', FIRST)).toBe(false);
    expect(await store.digestRuns.sentOfSubscription('acme', 'dg_1')).toEqual(new Map([[FIRST.id, NOW - DAY + 5]]));
    expect(await store.digestRuns.sentAt('globex', OTHER_TENANT.id)).toBe(NOW + 5);
    expect(await store.digestRuns.claimRedelivery('acme', PAST_64.id, NOW + 9)).toBe(false);
    expect(await store.digestRuns.claimRedelivery('acme', FIRST.id, NOW + 9)).toBe(true);
    const deliveries = await store.digestRuns.deliveriesOfSubscription('acme', 'dg_1');
    expect([...deliveries.keys()]).toEqual([FIRST.id]);
    expect(deliveries.get(FIRST.id)).toEqual([outcome('ch_1', true), outcome('ch_2', false)]);
    expect(await store.digestRuns.deliveriesOfSubscription('acme', 'dg_10')).toEqual(new Map([[OTHER_SUBSCRIPTION.id, [outcome('ch_1', true)]]]));
    await store.close();
    expect(await kind.leftDocuments(OLD_KINDS)).toEqual(['digest-delivery/acme/dg_9.1.ch_1', 'digest-run/acme/dg_9.1']);
    expect(await kind.storedTotals()).toEqual({
      [`acme/${FIRST.id}`]: { totals: [`${integer}:3500000021`, `${integer}:4000000000`, `${integer}:-499999979`], inJson: [] },
      [`acme/${PAST_64.id}`]: { totals: ['null:null', `${integer}:3500000021`, 'null:null'], inJson: ['total', 'change'] },
      [`acme/${OTHER_SUBSCRIPTION.id}`]: { totals: [`${integer}:0`, `${integer}:0`, `${integer}:0`], inJson: [] },
      [`globex/${OTHER_TENANT.id}`]: { totals: [`${integer}:7`, `${integer}:5`, `${integer}:2`], inJson: [] },
    });
    // Opened again, nothing moves twice; what was written since stays.
    const again = await kind.open();
    await again.digestRuns.saveDelivery('acme', FIRST.id, outcome('ch_2', true));
    await again.close();
    const third = await kind.open();
    expect(await third.digestRuns.ofSubscription('acme', 'dg_1')).toEqual([FIRST, PAST_64]);
    expect((await third.digestRuns.deliveriesOfSubscription('acme', 'dg_1')).get(FIRST.id)).toEqual([outcome('ch_1', true), outcome('ch_2', true)]);
    await third.close();
  });

  it("keeps a new run's totals as integers of nanos, and a total no 64-bit integer holds in its JSON", async () => {
    const store = await kind.open();
    for (const { tenant, run } of RUNS) expect(await store.digestRuns.claim(tenant, run)).toBe(true);
    expect(await store.digestRuns.get('acme', PAST_64.id)).toEqual(PAST_64);
    await store.close();
    expect((await kind.storedTotals())[`acme/${PAST_64.id}`]).toEqual({
      totals: ['null:null', `${integer}:3500000021`, 'null:null'],
      inJson: ['total', 'change'],
    });
  });
});
