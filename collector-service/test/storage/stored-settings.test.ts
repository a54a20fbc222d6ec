import type { Channel } from '../../src/channels/channel';
import type { DigestSubscription } from '../../src/digests/digest-subscription';
import { oldDocument, oldMongoStore, type OldStore, oldSqliteStore, oldStoreKinds } from '../support/old-stores';

const NOW = Date.UTC(2026, 10, 30, 12);

const channel = (id: string, type: Channel['type'], name: string): Channel => ({
  id,
  type,
  name,
  url: type === 'email' ? 'smtp://127.0.0.1:25' : 'http://127.0.0.1:9/hook',
  to: type === 'email' ? ['ops@example.com'] : null,
  secret: type === 'webhook' ? 'a-secret-of-16-chars' : null,
  default: type !== 'email',
  createdAtMs: NOW,
  updatedAtMs: NOW + 1,
});
const CHANNELS: Array<{ tenant: string; entity: Channel }> = [
  { tenant: 'acme', entity: channel('ch_1', 'webhook', 'ops') },
  { tenant: 'acme', entity: channel('ch_2', 'email', 'finance') },
  { tenant: 'globex', entity: channel('ch_1', 'alertmanager', 'am') },
];

const subscription = (id: string, cadence: DigestSubscription['cadence']): DigestSubscription => ({
  id,
  name: `${cadence} spend`,
  cadence,
  weekday: cadence === 'weekly' ? 'monday' : null,
  hour: 8,
  timezone: 'Europe/Paris',
  channels: ['ch_1'],
  enabled: true,
  createdAtMs: NOW,
  updatedAtMs: NOW,
});
const SUBSCRIPTIONS: Array<{ tenant: string; entity: DigestSubscription }> = [
  { tenant: 'acme', entity: subscription('dg_1', 'daily') },
  { tenant: 'initech', entity: subscription('dg_1', 'weekly') },
];

/** The providers' admin keys set through the API, kept by tenant and provider (the document's id). */
const ADMIN_KEYS = [
  { tenant: 'acme', provider: 'openai', key: { key: 'sk-admin-acme', baseUrl: null, updatedAtMs: NOW } },
  { tenant: 'default', provider: 'anthropic', key: { key: 'sk-ant-admin', baseUrl: 'http://127.0.0.1:9', updatedAtMs: NOW } },
] as const;

/** Documents of those kinds that hold no entity (a body that is a list): left where they are. */
const NOT_ENTITIES = [
  { kind: 'channel', tenant: 'acme', id: 'list', body: '[1]' },
  { kind: 'digest', tenant: 'acme', id: 'list', body: '[1]' },
];
const OLD_DOCUMENTS = [
  ...CHANNELS.map(({ tenant, entity }) => oldDocument('channel', tenant, entity.id, entity)),
  ...SUBSCRIPTIONS.map(({ tenant, entity }) => oldDocument('digest', tenant, entity.id, entity)),
  ...ADMIN_KEYS.map(({ tenant, provider, key }) => oldDocument('provider-admin-key', tenant, provider, key)),
  oldDocument('alert-rules-seeded', 'acme', 'defaults', { atMs: NOW }),
  ...NOT_ENTITIES,
];

const SETTING_KINDS = ['channel', 'digest', 'provider-admin-key', 'alert-rules-seeded'];

// The file as schema 16 left it: channels, digest subscriptions and admin keys among the documents.
const sqlite = (): OldStore =>
  oldSqliteStore(OLD_DOCUMENTS, { tables: ['channels', 'digest_subscriptions', 'provider_admin_keys', 'alert_rules_seeded'], schema: 16 });
const mongo = (uri: string): OldStore => oldMongoStore(uri, OLD_DOCUMENTS);

const kinds = oldStoreKinds('stored settings', sqlite, mongo);

jest.setTimeout(60_000);

describe.each(kinds)('channels, digest subscriptions and admin keys stored on %s', (_name, make) => {
  let kind: OldStore;
  beforeEach(() => (kind = make()));
  afterEach(() => kind.drop());

  it('opens a store whose channels, digest subscriptions and admin keys are documents: the same entities, in tables of their own, the documents gone', async () => {
    await kind.oldStore();
    const store = await kind.open();
    expect(await store.channels.listAll()).toEqual(CHANNELS);
    expect(await store.channels.get('acme', 'ch_2')).toEqual(CHANNELS[1].entity);
    expect(await store.digestSubscriptions.listAll()).toEqual(SUBSCRIPTIONS);
    expect(await store.digestSubscriptions.get('initech', 'dg_1')).toEqual(SUBSCRIPTIONS[1].entity);
    expect(await store.alertRulesSeeded.listAll()).toEqual([{ tenant: 'acme', entity: { id: 'defaults', atMs: NOW } }]);
    expect(await store.providerAdminKeys.listAll()).toEqual(ADMIN_KEYS.map(({ tenant, provider, key }) => ({ tenant, entity: { id: provider, ...key } })));
    await store.close();
    // Only the documents that hold none are left.
    expect(await kind.leftDocuments(SETTING_KINDS)).toEqual(['channel/acme/list', 'digest/acme/list']);
    // Opened again, nothing moves twice; what was written since stays.
    const again = await kind.open();
    await again.channels.save('acme', { ...CHANNELS[0].entity, name: 'renamed' });
    await again.close();
    const third = await kind.open();
    expect((await third.channels.list('acme')).map((c) => c.name)).toEqual(['renamed', 'finance']);
    expect(await third.digestSubscriptions.list('acme')).toEqual([SUBSCRIPTIONS[0].entity]);
    await third.close();
  });
});
