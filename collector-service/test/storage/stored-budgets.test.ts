import { type AlertRule, DEFAULT_RULES } from '../../src/alerts/alert-rule';
import { type Budget, budgetFromBody } from '../../src/budgets/budget';
import { oldDocument, oldMongoStore, type OldStore, oldSqliteStore, oldStoreKinds } from '../support/old-stores';

const NOW = Date.UTC(2026, 10, 30, 12);

/** Limits past what a double holds exactly (2^53 nanos is about $9M), and a small one. */
const BUDGETS: Array<{ tenant: string; budget: Budget }> = [
  { tenant: 'acme', budget: { ...budgetFromBody({ name: 'Org', period: 'month', limitUsd: '123456789.012345679' }, NOW), id: 'b1' } },
  { tenant: 'acme', budget: { ...budgetFromBody({ name: 'Team', period: 'day', limitUsd: '0.000000001', scope: { tags: { team: 'x' } } }, NOW), id: 'b2' } },
  { tenant: 'globex', budget: { ...budgetFromBody({ name: 'All', period: 'week', limitUsd: '9007199.254740993' }, NOW), id: 'b1' } },
];

/** A budget as the versions before kept it: a document whose limit is a decimal string of nanos. */
const budgetDocument = ({ tenant, budget }: { tenant: string; budget: Budget }) => oldDocument('budget', tenant, budget.id, budget);
/** A document of that kind that holds no budget: left where it is. */
const NOT_A_BUDGET = oldDocument('budget', 'acme', 'note', { name: 'not a budget', limitNanos: '12.5' });

/** Thresholds past what a double holds exactly, the most a 64-bit integer holds, and none. */
const rule = (id: string, thresholdNanos: string | null, type: AlertRule['type'] = 'daily_cost_above'): AlertRule => ({
  ...DEFAULT_RULES[0],
  id,
  type,
  thresholdNanos,
  createdAtMs: NOW,
  updatedAtMs: NOW,
});
const RULES: Array<{ tenant: string; rule: AlertRule }> = [
  { tenant: 'acme', rule: rule('r1', '9007199254740993') },
  { tenant: 'acme', rule: rule('r2', null, 'unpriced_usage') },
  { tenant: 'globex', rule: rule('r1', '9223372036854775807') },
];
/** An alert rule as the versions before kept it: a document whose threshold is a decimal string of nanos, or null. */
const oldRuleDocument = ({ tenant, rule }: { tenant: string; rule: AlertRule }) => oldDocument('alert-rule', tenant, rule.id, rule);
/** Documents of that kind that hold no rule (a threshold that is no integer, one past 64 bits): left where they are. */
const NOT_RULES = [
  oldDocument('alert-rule', 'acme', 'half', { ...rule('half', null), thresholdNanos: '0.5' }),
  oldDocument('alert-rule', 'acme', 'huge', { ...rule('huge', null), thresholdNanos: '9223372036854775808' }),
];
const OLD_DOCUMENTS = [...BUDGETS.map(budgetDocument), NOT_A_BUDGET, ...RULES.map(oldRuleDocument), ...NOT_RULES];

interface StoreKind extends OldStore {
  /** How the store holds each budget's limit: its type there and its value, by tenant/id. */
  storedLimits(): Promise<Record<string, { type: string; value: string }>>;
  /** How many budgets are left among the documents. */
  budgetDocuments(): Promise<number>;
  /** How the store holds each alert rule's threshold: its type there and its value, by tenant/id. */
  storedThresholds(): Promise<Record<string, { type: string; value: string }>>;
  /** The ids of the alert rules left among the documents. */
  ruleDocuments(): Promise<string[]>;
}

function sqlite(): StoreKind {
  // The file as schema 10 left it: budgets (and alert rules) among the documents, no tables of their own.
  const store = oldSqliteStore(OLD_DOCUMENTS, { tables: ['budgets', 'alert_rules'], schema: 10 });
  return {
    ...store,
    storedLimits() {
      const rows = store.query<{ tenant: string; id: string; type: string; limit_nanos: bigint }>(
        'SELECT tenant, id, typeof(limit_nanos) AS type, limit_nanos FROM budgets',
      );
      return Promise.resolve(Object.fromEntries(rows.map((r) => [`${r.tenant}/${r.id}`, { type: r.type, value: String(r.limit_nanos) }])));
    },
    budgetDocuments() {
      return Promise.resolve(Number(store.query<{ n: bigint }>("SELECT COUNT(*) AS n FROM documents WHERE kind = 'budget'")[0].n));
    },
    storedThresholds() {
      const rows = store.query<{ tenant: string; id: string; type: string; threshold_nanos: bigint | null }>(
        'SELECT tenant, id, typeof(threshold_nanos) AS type, threshold_nanos FROM alert_rules',
      );
      return Promise.resolve(Object.fromEntries(rows.map((r) => [`${r.tenant}/${r.id}`, { type: r.type, value: String(r.threshold_nanos) }])));
    },
    ruleDocuments() {
      return Promise.resolve(store.query<{ id: string }>("SELECT id FROM documents WHERE kind = 'alert-rule' ORDER BY id").map((r) => r.id));
    },
  };
}

function mongo(uri: string): StoreKind {
  const store = oldMongoStore(uri, OLD_DOCUMENTS);
  return {
    ...store,
    storedLimits: () =>
      store.withDb(async (db) => {
        const docs = await db.collection<{ _id: string; tenant: string; id: string; limitNanos: unknown }>('budgets').find().toArray();
        return Object.fromEntries(docs.map((d) => [`${d.tenant}/${d.id}`, { type: typeof d.limitNanos, value: String(d.limitNanos) }]));
      }),
    budgetDocuments: () => store.withDb((db) => db.collection('documents').countDocuments({ kind: 'budget' })),
    storedThresholds: () =>
      store.withDb(async (db) => {
        const docs = await db.collection<{ _id: string; tenant: string; id: string; thresholdNanos: unknown }>('alert_rules').find().toArray();
        return Object.fromEntries(
          docs.map((d) => [`${d.tenant}/${d.id}`, { type: d.thresholdNanos === null ? 'null' : typeof d.thresholdNanos, value: String(d.thresholdNanos) }]),
        );
      }),
    ruleDocuments: () =>
      store.withDb(async (db) =>
        (await db.collection<{ _id: string; id: string }>('documents').find({ kind: 'alert-rule' }).sort({ id: 1 }).toArray()).map((d) => d.id),
      ),
  };
}

const kinds = oldStoreKinds('stored budgets', sqlite, mongo);

jest.setTimeout(60_000);

describe.each(kinds)('budgets stored on %s', (name, make) => {
  let kind: StoreKind;
  const integer = name === 'sqlite' ? 'integer' : 'bigint';
  beforeEach(() => (kind = make()));
  afterEach(() => kind.drop());

  it('keeps a limit as an integer of nanos, exact past what a double holds', async () => {
    const store = await kind.open();
    for (const { tenant, budget } of BUDGETS) await store.budgets.save(tenant, budget);
    await store.close();
    expect(await kind.storedLimits()).toEqual({
      'acme/b1': { type: integer, value: '123456789012345679' },
      'acme/b2': { type: integer, value: '1' },
      'globex/b1': { type: integer, value: '9007199254740993' },
    });
    const reopened = await kind.open();
    expect(await reopened.budgets.listAll()).toEqual(BUDGETS.map(({ tenant, budget }) => ({ tenant, entity: budget })));
    await reopened.close();
  });

  it('opens a store whose budgets are documents with the limit as a decimal string: the same budgets to the nano, the limits integers, the documents gone', async () => {
    await kind.oldStore();
    const store = await kind.open();
    expect(await store.budgets.listAll()).toEqual(BUDGETS.map(({ tenant, budget }) => ({ tenant, entity: budget })));
    expect(await store.budgets.get('acme', 'b1')).toEqual(BUDGETS[0].budget);
    await store.close();
    expect(Object.values(await kind.storedLimits()).map((l) => l.type)).toEqual([integer, integer, integer]);
    // Only the document that holds no budget is left.
    expect(await kind.budgetDocuments()).toBe(1);
    // Opened again, nothing moves twice.
    const again = await kind.open();
    expect((await again.budgets.list('acme')).map((b) => b.limitNanos)).toEqual(['123456789012345679', '1']);
    await again.close();
  });
});

describe.each(kinds)('alert rules stored on %s', (name, make) => {
  let kind: StoreKind;
  const integer = name === 'sqlite' ? 'integer' : 'bigint';
  const THRESHOLDS = {
    'acme/r1': { type: integer, value: '9007199254740993' },
    'acme/r2': { type: 'null', value: 'null' },
    'globex/r1': { type: integer, value: '9223372036854775807' },
  };
  beforeEach(() => (kind = make()));
  afterEach(() => kind.drop());

  it('keeps a threshold as an integer of nanos, exact past what a double holds, and a rule without one as none', async () => {
    const store = await kind.open();
    for (const { tenant, rule } of RULES) await store.alertRules.save(tenant, rule);
    await store.close();
    expect(await kind.storedThresholds()).toEqual(THRESHOLDS);
    const reopened = await kind.open();
    expect(await reopened.alertRules.listAll()).toEqual(RULES.map(({ tenant, rule }) => ({ tenant, entity: rule })));
    await reopened.close();
  });

  it('opens a store whose alert rules are documents with the threshold as a decimal string: the same rules to the nano, the thresholds integers, the documents gone', async () => {
    await kind.oldStore();
    const store = await kind.open();
    expect(await store.alertRules.listAll()).toEqual(RULES.map(({ tenant, rule }) => ({ tenant, entity: rule })));
    expect(await store.alertRules.get('acme', 'r2')).toEqual(RULES[1].rule);
    await store.close();
    expect(await kind.storedThresholds()).toEqual(THRESHOLDS);
    // Only the documents that hold no rule are left.
    expect(await kind.ruleDocuments()).toEqual(['half', 'huge']);
    // Opened again, nothing moves twice.
    const again = await kind.open();
    expect((await again.alertRules.list('acme')).map((r) => r.thresholdNanos)).toEqual(['9007199254740993', null]);
    await again.close();
  });
});
