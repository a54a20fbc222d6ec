import type { BilledDay } from '../../src/billing/billed-day';
import { oldDocument, oldMongoStore, type OldStore, oldSqliteStore, oldStoreKinds } from '../support/old-stores';

const NOW = Date.UTC(2026, 10, 30, 12);

const usage = {
  model: 'gpt-4o',
  inputTokens: 10,
  outputTokens: 5,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  requests: 2,
  images: 0,
  audioSeconds: 0,
  characters: 0,
};

/** Amounts past what a double holds exactly, the most and least a 64-bit integer holds, a credit and a day without lines. */
const DAYS: Array<{ tenant: string; day: BilledDay }> = [
  {
    tenant: 'acme',
    day: {
      provider: 'anthropic',
      day: '2026-11-14',
      costNanos: '9007199254740993',
      lines: [{ item: 'Claude Sonnet 4 usage - input tokens', model: 'claude-sonnet-4', costNanos: '9007199254740993' }],
      usage: [],
      pulledAtMs: NOW,
    },
  },
  {
    tenant: 'acme',
    day: {
      provider: 'openai',
      day: '2026-11-14',
      costNanos: '9223372036854775807',
      lines: [
        { item: 'gpt-4o, input', model: 'gpt-4o', costNanos: '9223372036854775807' },
        { item: 'credit', model: null, costNanos: '-1' },
        { item: 'support', model: null, costNanos: '1' },
      ],
      usage: [usage],
      pulledAtMs: NOW,
    },
  },
  { tenant: 'acme', day: { provider: 'openai', day: '2026-11-15', costNanos: '-9223372036854775808', lines: [], usage: [], pulledAtMs: NOW + 1 } },
  { tenant: 'globex', day: { provider: 'openai', day: '2026-11-14', costNanos: '0', lines: [], usage: [usage], pulledAtMs: NOW } },
];

const dayDocument = ({ tenant, day }: { tenant: string; day: BilledDay }) => oldDocument('provider-bill', tenant, `${day.provider}:${day.day}`, day);
/** Documents of that kind that hold no day a 64-bit integer of nanos holds: left where they are. */
const NOT_DAYS = [
  oldDocument('provider-bill', 'acme', 'openai:2026-11-16', { ...DAYS[3].day, day: '2026-11-16', costNanos: '9223372036854775808' }),
  oldDocument('provider-bill', 'acme', 'openai:2026-11-17', { ...DAYS[3].day, day: '2026-11-17', lines: [{ item: 'half', model: null, costNanos: '0.5' }] }),
];
const OLD_DOCUMENTS = [...DAYS.map(dayDocument), ...NOT_DAYS];

interface StoreKind extends OldStore {
  /** How the store holds each amount: its type there and its value, by tenant/provider:day (and line). */
  storedAmounts(): Promise<Record<string, { type: string; value: string }>>;
  /** The ids of the billed days left among the documents. */
  leftDocuments(): Promise<string[]>;
}

function sqlite(): StoreKind {
  // The file as schema 18 left it: billed days among the documents.
  const store = oldSqliteStore(OLD_DOCUMENTS, { tables: ['billed_days', 'billed_lines'], schema: 18 });
  return {
    ...store,
    storedAmounts() {
      const rows = store.query<{ address: string; type: string; value: bigint }>(
        `SELECT tenant || '/' || provider || ':' || day AS address, typeof(cost_nanos) AS type, cost_nanos AS value FROM billed_days
         UNION ALL SELECT tenant || '/' || provider || ':' || day || '/' || line, typeof(cost_nanos), cost_nanos FROM billed_lines`,
      );
      return Promise.resolve(Object.fromEntries(rows.map((r) => [r.address, { type: r.type, value: String(r.value) }])));
    },
    leftDocuments: () => Promise.resolve(store.query<{ id: string }>("SELECT id FROM documents WHERE kind = 'provider-bill' ORDER BY id").map((r) => r.id)),
  };
}

function mongo(uri: string): StoreKind {
  const store = oldMongoStore(uri, OLD_DOCUMENTS);
  return {
    ...store,
    storedAmounts: () =>
      store.withDb(async (db) => {
        const docs = await db
          .collection<{ _id: string; tenant: string; provider: string; day: string; costNanos: unknown; lines: Array<{ costNanos: unknown }> }>('billed_days')
          .find()
          .toArray();
        return Object.fromEntries(
          docs.flatMap((d): Array<[string, { type: string; value: string }]> => {
            const address = `${d.tenant}/${d.provider}:${d.day}`;
            return [
              [address, { type: typeof d.costNanos, value: String(d.costNanos) }],
              ...d.lines.map((l, i): [string, { type: string; value: string }] => [
                `${address}/${i}`,
                { type: typeof l.costNanos, value: String(l.costNanos) },
              ]),
            ];
          }),
        );
      }),
    leftDocuments: () =>
      store.withDb(async (db) =>
        (await db.collection<{ _id: string; id: string }>('documents').find({ kind: 'provider-bill' }).sort({ id: 1 }).toArray()).map((d) => d.id),
      ),
  };
}

const kinds = oldStoreKinds('stored billed days', sqlite, mongo);

jest.setTimeout(60_000);

describe.each(kinds)('billed days stored on %s', (name, make) => {
  let kind: StoreKind;
  const integer = name === 'sqlite' ? 'integer' : 'bigint';
  const AMOUNTS = {
    'acme/anthropic:2026-11-14': { type: integer, value: '9007199254740993' },
    'acme/anthropic:2026-11-14/0': { type: integer, value: '9007199254740993' },
    'acme/openai:2026-11-14': { type: integer, value: '9223372036854775807' },
    'acme/openai:2026-11-14/0': { type: integer, value: '9223372036854775807' },
    'acme/openai:2026-11-14/1': { type: integer, value: '-1' },
    'acme/openai:2026-11-14/2': { type: integer, value: '1' },
    'acme/openai:2026-11-15': { type: integer, value: '-9223372036854775808' },
    'globex/openai:2026-11-14': { type: integer, value: '0' },
  };
  const acme = DAYS.filter((d) => d.tenant === 'acme').map((d) => d.day);
  beforeEach(() => (kind = make()));
  afterEach(() => kind.drop());

  it('keeps every amount of a day as an integer of nanos, exact past what a double holds, a day pulled again replacing it whole', async () => {
    const store = await kind.open();
    await store.billedDays.save('acme', { ...DAYS[1].day, lines: [...DAYS[1].day.lines, { item: 'gone', model: null, costNanos: '5' }] });
    for (const { tenant, day } of DAYS) await store.billedDays.save(tenant, day);
    await expect(store.billedDays.save('acme', { ...DAYS[2].day, costNanos: '9223372036854775808' })).rejects.toThrow(RangeError);
    await store.close();
    expect(await kind.storedAmounts()).toEqual(AMOUNTS);
    const reopened = await kind.open();
    expect(await reopened.billedDays.list('acme')).toEqual(acme);
    expect(await reopened.billedDays.list('initech')).toEqual([]);
    await reopened.close();
  });

  it('opens a store whose billed days are documents with decimal strings: the same days to the nano, the amounts integers, the documents gone', async () => {
    await kind.oldStore();
    const store = await kind.open();
    expect(await store.billedDays.list('acme')).toEqual(acme);
    expect(await store.billedDays.list('globex')).toEqual([DAYS[3].day]);
    await store.close();
    expect(await kind.storedAmounts()).toEqual(AMOUNTS);
    // Only the documents that hold no such day are left.
    expect(await kind.leftDocuments()).toEqual(['openai:2026-11-16', 'openai:2026-11-17']);
    // Opened again, nothing moves twice.
    const again = await kind.open();
    expect(await again.billedDays.list('acme')).toEqual(acme);
    await again.close();
  });
});
